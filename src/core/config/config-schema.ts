import {strategyNames} from '../../agents/index.js';
import {builtinRules} from '../guard/rules.js';

/** What every config key may hold. `validateConfigValue` walks a parsed file against it. */
export type Rule =
	| {type: 'string'; nonEmpty?: boolean}
	| {type: 'int'; min: number}
	| {type: 'number'; min: number}
	| {type: 'bool'}
	| {type: 'stringList'; nonEmpty?: boolean}
	| {type: 'stringMap'}
	| {type: 'size'}
	| {type: 'duration'}
	| {type: 'regexList'}
	| {type: 'regex'}
	| {type: 'either'; rules: Rule[]}
	| {type: 'enum'; values: string[]}
	| {type: 'object'; keys: Record<string, Rule>}
	| {type: 'record'; value: Rule; required?: string[]};

const presetRule: Rule = {
	type: 'object',
	keys: {
		kind: {type: 'enum', values: strategyNames},
		command: {type: 'stringList', nonEmpty: true},
		resume: {type: 'stringList', nonEmpty: true},
		env: {type: 'stringMap'},
		detect: {type: 'object', keys: {needs_input: {type: 'regexList'}, working: {type: 'regexList'}}},
		modes: {
			type: 'object',
			keys: Object.fromEntries(['default', 'plan', 'acceptEdits', 'auto', 'bypass'].map(mode => [mode, {type: 'stringList'} as Rule])),
		},
		usage: {type: 'enum', values: ['claude', 'codex', 'gemini', 'none']},
		pause_keys: {type: 'stringList'},
	},
};

export const configSchema: Rule = {
	type: 'object',
	keys: {
		agent: {type: 'object', keys: {default: {type: 'string', nonEmpty: true}}},
		agents: {type: 'record', value: presetRule},
		worktree: {
			type: 'object',
			keys: {
				root: {type: 'string', nonEmpty: true},
				copy: {type: 'stringList'},
				link: {type: 'stringList'},
				setup: {type: 'string'},
			},
		},
		attach: {
			type: 'object',
			keys: {
				detach_key: {type: 'string', nonEmpty: true},
				popup: {type: 'bool'},
				popup_size: {type: 'string', nonEmpty: true},
			},
		},
		logs: {type: 'object', keys: {max_bytes: {type: 'int', min: 4096}}},
		supervisor: {
			type: 'object',
			keys: {
				tick_ms: {type: 'int', min: 50},
				debounce_ms: {type: 'int', min: 0},
				idle_after_s: {type: 'int', min: 1},
				idle_stop_after: {type: 'duration'},
			},
		},
		concurrency: {type: 'object', keys: {max_running: {type: 'int', min: 1}, per_repo: {type: 'int', min: 0}, stagger_ms: {type: 'int', min: 0}, start_wait_s: {type: 'int', min: 1}}},
		limits: {
			type: 'object',
			keys: {
				per_agent_nofile: {type: 'int', min: 0},
				per_agent_procs: {type: 'int', min: 0},
				per_agent_inotify: {type: 'int', min: 0},
				per_agent_mem_mb: {type: 'int', min: 0},
			},
		},
		detect: {type: 'object', keys: {needs_input: {type: 'regexList'}, working: {type: 'regexList'}}},
		notify: {type: 'object', keys: {command: {type: 'string'}, bell: {type: 'bool'}, message: {type: 'bool'}}},
		dashboard: {type: 'object', keys: {refresh_ms: {type: 'int', min: 100}}},
		guard: {
			type: 'object',
			keys: {
				deny: {type: 'regexList'},
				rules: {
					type: 'record',
					value: {
						type: 'either',
						rules: [
							{type: 'enum', values: ['deny', 'ask', 'off']},
							{
								type: 'object',
								keys: {
									program: {type: 'either', rules: [{type: 'string', nonEmpty: true}, {type: 'stringList', nonEmpty: true}]},
									args: {type: 'regex'},
									action: {type: 'enum', values: ['deny', 'ask']},
									why: {type: 'string'},
								},
							},
						],
					},
				},
			},
		},
		prices: {
			type: 'record',
			value: {type: 'object', keys: Object.fromEntries(['input', 'output', 'cache_write', 'cache_read'].map(kind => [kind, {type: 'number', min: 0} as Rule]))},
		},
		budget: {type: 'object', keys: {window_tokens: {type: 'int', min: 0}, window_hours: {type: 'number', min: 0}, per_job_tokens: {type: 'int', min: 0}}},
		watchdog: {
			type: 'object',
			keys: {
				runaway_tokens: {type: 'int', min: 0},
				runaway_minutes: {type: 'number', min: 0},
				pause_runaway: {type: 'bool'},
				loop_reads: {type: 'int', min: 0},
				cpu_busy_s: {type: 'int', min: 0},
				check_s: {type: 'number', min: 0.1},
			},
		},
		status: {
			type: 'object',
			keys: {
				glyphs: {type: 'object', keys: {needs_input: {type: 'string'}, ready: {type: 'string'}, working: {type: 'string'}, done: {type: 'string'}}},
			},
		},
		tmux: {type: 'object', keys: {window_size: {type: 'size'}}},
	},
};

/**
 * Keys whose value runs a program, or could let an agent's destructive command through (the guard's); a repository's
 * .ao.yaml may set them only once `ao trust` approved it (an agent can write the file in its worktree).
 */
export const programKeys = [/^worktree\.setup$/, /^agents\.[^.]+\.command$/, /^agents\.[^.]+\.resume$/, /^agents\.[^.]+\.modes$/, /^notify\.command$/, /^guard(\.|$)/];

export interface Detect {
	needs_input?: string[];
	working?: string[];
}

/** Permission modes an agent can be started in; `auto` and `bypass` need a one-time yes per directory. */
export const permissionModes = ['default', 'plan', 'acceptEdits', 'auto', 'bypass'] as const;
export type PermissionMode = (typeof permissionModes)[number];
export const riskyModes: PermissionMode[] = ['auto', 'bypass'];

export interface Preset {
	/** Which agent program it runs (src/agents/<kind>.ts); default: the preset's name, else the program's. */
	kind?: string;
	command: string[];
	resume?: string[];
	env: Record<string, string>;
	detect?: Detect;
	/** Extra arguments (after the program) that start the agent in a permission mode. */
	modes?: Partial<Record<PermissionMode, string[]>>;
	/** Where ao reads the agent's token usage: Claude Code transcripts, Codex rollouts, Gemini chats, or nowhere ("-"). */
	usage?: 'claude' | 'codex' | 'gemini' | 'none';
	/** Keys (tmux send-keys names) that interrupt the agent's turn when a budget pauses it; none: SIGSTOP. */
	pause_keys?: string[];
}

/** A built-in rule's action, or a rule of the user's own (see src/core/guard/rules.ts). */
export type GuardRuleSetting = 'deny' | 'ask' | 'off' | {program: string | string[]; args?: string; action?: 'deny' | 'ask'; why?: string};

export interface StatusGlyphs {
	needs_input: string;
	ready: string;
	working: string;
	done: string;
}

export interface Config {
	agent: {default: string};
	agents: Record<string, Preset>;
	worktree: {root: string; copy: string[]; link: string[]; setup: string};
	attach: {detach_key: string; popup: boolean; popup_size: string};
	logs: {max_bytes: number};
	supervisor: {tick_ms: number; debounce_ms: number; idle_after_s: number; idle_stop_after: string};
	concurrency: {max_running: number; per_repo: number; stagger_ms: number; start_wait_s: number};
	limits: {per_agent_nofile: number; per_agent_procs: number; per_agent_inotify: number; per_agent_mem_mb: number};
	/** Screen patterns for every agent; a preset's own `detect` is checked first. */
	detect: Detect;
	notify: {command: string; bell: boolean; message: boolean};
	dashboard: {refresh_ms: number};
	guard: {deny: string[]; rules: Record<string, GuardRuleSetting>};
	/** Dollars per million tokens, by model name prefix. */
	prices: Record<string, {input: number; output: number; cache_write: number; cache_read: number}>;
	budget: {window_tokens: number; window_hours: number; per_job_tokens: number};
	watchdog: {runaway_tokens: number; runaway_minutes: number; pause_runaway: boolean; loop_reads: number; cpu_busy_s: number; check_s: number};
	status: {glyphs: StatusGlyphs};
	tmux: {window_size: string};
}

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** Later layers override earlier ones: maps merge key by key, lists and scalars replace. Pure. */
export function mergeConfig(base: unknown, override: unknown): unknown {
	if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
	const merged: Record<string, unknown> = {...base};
	for (const [key, value] of Object.entries(override)) merged[key] = mergeConfig(base[key], value);
	return merged;
}

/** Checks that need the merged result: the default agent exists, every preset has a command. */
export function validateMerged(config: Config): SchemaProblem[] {
	const problems: SchemaProblem[] = [];
	for (const [name, preset] of Object.entries(config.agents)) {
		if (!preset.command) problems.push({path: ['agents', name], message: `agents.${name}.command is required (the argv that starts the agent)`});
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

export function isProgramKey(path: string[]): boolean {
	const joined = path.join('.');
	return programKeys.some(pattern => pattern.test(joined));
}

function isRegex(source: string): boolean {
	try {
		new RegExp(source, 'i');
		return true;
	} catch {
		return false;
	}
}

/** "90s", "30m", "1h", "2d" -> milliseconds; "off" or "0" -> 0 (never); undefined when unreadable. Pure. */
export function parseDuration(text: string): number | undefined {
	const trimmed = text.trim();
	if (trimmed === 'off' || trimmed === '0') return 0;
	const match = /^(\d+)(ms|s|m|h|d)$/.exec(trimmed);
	if (!match) return undefined;
	const unit = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
	return Number(match[1]) * unit;
}
