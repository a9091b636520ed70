import type {Config} from '../config/config-schema.js';
import type {CustomRule, GuardSettings} from './judge.js';
import {builtinRules} from './rules.js';

/** The guard's settings from the config's `guard` section: built-in rules' actions, rules of the user's own, patterns. Pure. */
export function guardSettings(guard: Config['guard']): GuardSettings {
	const actions: GuardSettings['actions'] = {};
	const custom: CustomRule[] = [];
	for (const [name, setting] of Object.entries(guard.rules ?? {})) {
		if (typeof setting === 'string') {
			if (builtinRules.some(rule => rule.name === name)) actions[name] = setting;
		} else {
			custom.push({
				name,
				programs: Array.isArray(setting.program) ? setting.program : [setting.program],
				...(setting.args ? {args: setting.args} : {}),
				action: setting.action ?? 'deny',
				...(setting.why ? {why: setting.why} : {}),
			});
		}
	}

	return {actions, custom, patterns: guard.deny ?? []};
}
