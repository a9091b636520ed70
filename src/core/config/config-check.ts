import {strategyNames} from '../../agents/index.js';
import {builtinRules} from '../guard/rules.js';
import {configSchema, isPlainObject, parseDuration, type Config, type Rule} from './config-schema.js';

// Checking a config file against the schema: loaded only when a file was not seen before (see config.ts's cache).

export interface SchemaProblem {
	path: string[];
	/** The path points at a key that should not be there (so the key's own line is the one to show). */
	unknownKey?: boolean;
	message: string;
}

function describe(value: unknown): string {
	return JSON.stringify(value) ?? String(value);
}

function expected(rule: Rule): string {
	switch (rule.type) {
		case 'string': return rule.nonEmpty ? 'a non-empty string' : 'a string';
		case 'int': return rule.min === 1 ? 'a positive integer' : `an integer of at least ${rule.min}`;
		case 'number': return `a number of at least ${rule.min}`;
		case 'bool': return 'true or false';
		case 'stringList': return rule.nonEmpty ? 'a non-empty list of strings' : 'a list of strings';
		case 'stringMap': return 'a map of strings';
		case 'size': return 'a size like "200x50"';
		case 'duration': return 'a duration like "90s", "30m", "1h" or "off"';
		case 'regexList': return 'a list of regular expressions';
		case 'regex': return 'a regular expression';
		case 'either': return rule.rules.map(expected).join(', or ');
		case 'enum': return `one of ${rule.values.join(', ')}`;
		case 'object':
		case 'record': return 'a map';
	}
}

function suggestion(key: string, known: string[]): string {
	const [close] = known.map(candidate => [candidate, editDistance(key, candidate)] as const).filter(([, distance]) => distance <= 2).sort((a, b) => a[1] - b[1])[0] ?? [];
	return close ? ` (did you mean "${close}"?)` : ` (known keys: ${known.join(', ')})`;
}

function editDistance(a: string, b: string): number {
	const row = Array.from({length: b.length + 1}, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let previous = row[0]!;
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const current = row[j]!;
			row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
			previous = current;
		}
	}

	return row[b.length]!;
}

/** Every problem with `value` against `rule`, each with the key path it is about. Pure. */
export function validateConfigValue(value: unknown, rule: Rule = configSchema, at: string[] = []): SchemaProblem[] {
	const name = at.join('.');
	const wrong = (): SchemaProblem[] => [{path: at, message: `${name} must be ${expected(rule)}, got ${describe(value)}`}];
	switch (rule.type) {
		case 'string':
			return typeof value === 'string' && (!rule.nonEmpty || value.trim() !== '') ? [] : wrong();
		case 'int':
			return Number.isSafeInteger(value) && (value as number) >= rule.min ? [] : wrong();
		case 'number':
			return typeof value === 'number' && Number.isFinite(value) && value >= rule.min ? [] : wrong();
		case 'bool':
			return typeof value === 'boolean' ? [] : wrong();
		case 'size':
			return typeof value === 'string' && /^[1-9]\d{0,3}x[1-9]\d{0,3}$/.test(value) ? [] : wrong();
		case 'duration':
			return typeof value === 'string' && parseDuration(value) !== undefined ? [] : wrong();
		case 'regexList': {
			if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) return wrong();
			const bad = value.find(item => !isRegex(item));
			return bad === undefined ? [] : [{path: at, message: `${name} holds ${JSON.stringify(bad)}, which is not a valid regular expression`}];
		}
		case 'regex':
			return typeof value === 'string' && isRegex(value) ? [] : wrong();
		case 'either': {
			const each = rule.rules.map(option => validateConfigValue(value, option, at));
			if (each.some(problems => problems.length === 0)) return [];
			// A map that has the shape of the map option gets that option's own problems (an unknown key, say).
			const shaped = rule.rules.findIndex(option => option.type === 'object' && isPlainObject(value));
			return shaped >= 0 ? each[shaped]! : wrong();
		}

		case 'enum':
			return typeof value === 'string' && rule.values.includes(value) ? [] : wrong();
		case 'stringList':
			return Array.isArray(value) && value.every(item => typeof item === 'string') && (!rule.nonEmpty || value.length > 0) ? [] : wrong();
		case 'stringMap':
			return isPlainObject(value) && Object.values(value).every(item => typeof item === 'string') ? [] : wrong();
		case 'object': {
			if (!isPlainObject(value)) return wrong();
			const known = Object.keys(rule.keys);
			return Object.entries(value).flatMap(([key, child]) => {
				const childRule = rule.keys[key];
				if (!childRule) {
					return [{path: [...at, key], unknownKey: true, message: `unknown key "${[...at, key].join('.')}"${suggestion(key, known)}`}];
				}

				return validateConfigValue(child, childRule, [...at, key]);
			});
		}

		case 'record': {
			if (!isPlainObject(value)) return wrong();
			return Object.entries(value).flatMap(([key, child]) => {
				if (!/^[a-z][a-z0-9_-]{0,31}$/.test(key)) {
					return [{path: [...at, key], unknownKey: true, message: `${name} key "${key}" must be a lowercase name (letters, digits, - and _)`}];
				}

				return validateConfigValue(child, rule.value, [...at, key]);
			});
		}
	}
}

/** Checks that need the merged result: the default agent exists, every preset has a command. */
export function validateMerged(config: Config): SchemaProblem[] {
	const problems: SchemaProblem[] = [];
	for (const [name, preset] of Object.entries(config.agents)) {
		if (!preset.command) problems.push({path: ['agents', name], message: `agents.${name}.command is required (the argv that starts the agent)`});
		if (preset.kind !== undefined && !strategyNames.includes(preset.kind)) {
			problems.push({path: ['agents', name, 'kind'], message: `agents.${name}.kind must be one of ${strategyNames.join(', ')}, got ${describe(preset.kind)}`});
		}
	}

	for (const [name, setting] of Object.entries(config.guard.rules)) {
		const builtin = builtinRules.some(rule => rule.name === name);
		if (typeof setting === 'string' && !builtin) {
			const close = suggestion(name, builtinRules.map(rule => rule.name));
			problems.push({path: ['guard', 'rules', name], message: `guard.rules.${name} is not a built-in rule${close.includes('did you mean') ? close : ' (ao guard --rules lists them)'}; a rule of your own is a map with program:`});
		} else if (typeof setting === 'object' && !setting.program) {
			problems.push({path: ['guard', 'rules', name], message: `guard.rules.${name} needs program: (the program it is about, e.g. kubectl)`});
		}
	}

	if (!Object.hasOwn(config.agents, config.agent.default)) {
		problems.push({path: ['agent', 'default'], message: `agent.default is "${config.agent.default}", which is not a preset; known: ${Object.keys(config.agents).join(', ')}`});
	}

	return problems;
}

function isRegex(source: string): boolean {
	try {
		new RegExp(source, 'i');
		return true;
	} catch {
		return false;
	}
}

