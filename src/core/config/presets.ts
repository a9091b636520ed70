import {accessSync, constants, statSync} from 'node:fs';
import path from 'node:path';
import type {Config, Preset} from './config-schema.js';
import {UsageError} from '../errors.js';

/** The placeholders every preset may use; an agent's strategy adds its own (claude: {claudeHooks}). */
export interface ArgvValues {
	task: string;
	sessionId: string;
	id: string;
	name: string;
	worktree: string;
	ao: string;
	[agentPlaceholder: string]: string;
}

const placeholder = /\{(\w+)\}/g;

/**
 * Fills an argv template. Each item stays one argument; values are inserted once and never re-read, so a task
 * holding "{id}" or "$(rm -rf ~)" arrives as those very characters. An item that is exactly "{task}" is dropped
 * when there is no task. Pure.
 */
export function fillArgv(template: string[], values: ArgvValues): string[] {
	return template
		.filter(item => !(item === '{task}' && values.task === ''))
		.map(item => item.replaceAll(placeholder, (whole, key: string) => (Object.hasOwn(values, key) ? values[key]! : whole)));
}

/** The preset of that name, or undefined (never a member of Object.prototype such as "toString"). Pure. */
export function presetNamed(config: Config, agent: string): Preset | undefined {
	return Object.hasOwn(config.agents, agent) ? config.agents[agent] : undefined;
}

export function findPreset(config: Config, agent: string): Preset {
	const preset = presetNamed(config, agent);
	if (!preset) throw new UsageError(`unknown agent "${agent}"; known agents: ${Object.keys(config.agents).join(', ')} (add one under "agents:" in your config)`);
	return preset;
}

/** The path `program` runs from with this PATH, or undefined when it is not there (or not executable). */
export function findProgram(program: string, searchPath: string): string | undefined {
	const candidates = program.includes('/') ? [program] : searchPath.split(path.delimiter).filter(Boolean).map(dir => path.join(dir, program));
	return candidates.find(candidate => {
		try {
			accessSync(candidate, constants.X_OK);
			return statSync(candidate).isFile();
		} catch {
			return false;
		}
	});
}
