/**
 * The config's shape, once: `configSchema` is what `config-check.ts` checks a file against, and `Config` (the type
 * the code reads) is derived from it, so the two cannot drift. This module is data and types only (no imports): the
 * checker, with what it needs (the agents, the guard's rules), loads only when a config file was not seen before.
 */

/** What a config key may hold. `optional` keys may be missing after the merge (the defaults do not set them). */
export type Rule = (
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
	| {type: 'either'; rules: readonly Rule[]}
	| {type: 'enum'; values: readonly string[]}
	| {type: 'object'; keys: Readonly<Record<string, Rule>>}
	| {type: 'record'; value: Rule}
) & {optional?: boolean};

type Simplify<T> = {[K in keyof T]: T[K]} & {};
type OptionalKeys<K> = {[P in keyof K]: K[P] extends {optional: true} ? P : never}[keyof K];

/** The TypeScript type of the values a rule accepts. */
export type Infer<R> =
	R extends {type: 'string' | 'size' | 'duration' | 'regex'} ? string
		: R extends {type: 'int' | 'number'} ? number
			: R extends {type: 'bool'} ? boolean
				: R extends {type: 'stringList' | 'regexList'} ? string[]
					: R extends {type: 'stringMap'} ? Record<string, string>
						: R extends {type: 'enum'; values: ReadonlyArray<infer V>} ? V
							: R extends {type: 'either'; rules: ReadonlyArray<infer O>} ? Infer<O>
								: R extends {type: 'object'; keys: infer K} ? Simplify<{[P in Exclude<keyof K, OptionalKeys<K>>]: Infer<K[P]>} & {[P in OptionalKeys<K>]?: Infer<K[P]>}>
									: R extends {type: 'record'; value: infer V} ? Record<string, Infer<V>>
										: never;

const optional = <const R extends Rule>(rule: R) => ({...rule, optional: true}) as const;
const regexes = {type: 'regexList'} as const;
const strings = {type: 'stringList'} as const;
const int = (min: number) => ({type: 'int', min}) as const;
const number = (min: number) => ({type: 'number', min}) as const;
const bool = {type: 'bool'} as const;
const string = {type: 'string'} as const;
const nonEmptyString = {type: 'string', nonEmpty: true} as const;

/** Permission modes an agent can be started in; `auto` and `bypass` need a one-time yes per directory. */
export const permissionModes = ['default', 'plan', 'acceptEdits', 'auto', 'bypass'] as const;
export type PermissionMode = (typeof permissionModes)[number];
export const riskyModes: PermissionMode[] = ['auto', 'bypass'];

const detectRule = {type: 'object', keys: {needs_input: optional(regexes), working: optional(regexes)}} as const;

const presetRule = {
	type: 'object',
	keys: {
		/** Which agent program it runs (src/agents/<kind>.ts); default: the preset's name, else the program's. */
		kind: optional(nonEmptyString),
		command: {type: 'stringList', nonEmpty: true},
		resume: optional({type: 'stringList', nonEmpty: true}),
		env: {type: 'stringMap'},
		detect: optional(detectRule),
		/** Extra arguments (after the program) that start the agent in a permission mode. */
		modes: optional({type: 'object', keys: {default: optional(strings), plan: optional(strings), acceptEdits: optional(strings), auto: optional(strings), bypass: optional(strings)}}),
		/** Where ao reads the agent's token usage: Claude Code transcripts, Codex rollouts, Gemini chats, or nowhere. */
		usage: optional({type: 'enum', values: ['claude', 'codex', 'gemini', 'none']}),
		/** Keys (tmux send-keys names) that interrupt the agent's turn when a budget pauses it; none: SIGSTOP. */
		pause_keys: optional(strings),
	},
} as const;

/** A built-in rule's action, or a rule of the user's own (see src/core/guard/rules.ts). */
const guardRuleRule = {
	type: 'either',
	rules: [
		{type: 'enum', values: ['deny', 'ask', 'off']},
		{
			type: 'object',
			keys: {
				program: {type: 'either', rules: [nonEmptyString, {type: 'stringList', nonEmpty: true}]},
				args: optional({type: 'regex'}),
				action: optional({type: 'enum', values: ['deny', 'ask']}),
				why: optional(string),
			},
		},
	],
} as const;

const hostRule = {
	type: 'object',
	keys: {
		/** A destination as ssh takes it: user@box, or an alias from ~/.ssh/config. */
		ssh: nonEmptyString,
		ssh_args: optional(strings),
		/** The command that runs ao there, as the remote shell reads it (default: ao). */
		ao: optional(nonEmptyString),
		/** Hosts that name the same account share one quota projection. */
		account: optional(nonEmptyString),
	},
} as const;

const price = {type: 'object', keys: {input: number(0), output: number(0), cache_write: number(0), cache_read: number(0)}} as const;

export const configSchema = {
	type: 'object',
	keys: {
		agent: {type: 'object', keys: {default: nonEmptyString}},
		agents: {type: 'record', value: presetRule},
		worktree: {type: 'object', keys: {root: nonEmptyString, copy: strings, link: strings, setup: string}},
		attach: {type: 'object', keys: {detach_key: nonEmptyString, popup: bool, popup_size: nonEmptyString}},
		logs: {type: 'object', keys: {max_bytes: int(4096)}},
		supervisor: {type: 'object', keys: {tick_ms: int(50), debounce_ms: int(0), idle_after_s: int(1), idle_stop_after: {type: 'duration'}, hosts_poll_s: int(0)}},
		concurrency: {type: 'object', keys: {max_running: int(1), per_repo: int(0), stagger_ms: int(0), start_wait_s: int(1)}},
		limits: {type: 'object', keys: {per_agent_nofile: int(0), per_agent_procs: int(0), per_agent_inotify: int(0), per_agent_mem_mb: int(0)}},
		/** Screen patterns for every agent; a preset's own `detect` is checked first. */
		detect: detectRule,
		notify: {type: 'object', keys: {command: string, bell: bool, message: bool}},
		dashboard: {type: 'object', keys: {refresh_ms: int(100)}},
		guard: {type: 'object', keys: {deny: regexes, rules: {type: 'record', value: guardRuleRule}}},
		/** Dollars per million tokens, by model name prefix. */
		prices: {type: 'record', value: price},
		budget: {type: 'object', keys: {window_tokens: int(0), window_hours: number(0), per_job_tokens: int(0), account: string}},
		watchdog: {
			type: 'object',
			keys: {runaway_tokens: int(0), runaway_minutes: number(0), pause_runaway: bool, loop_reads: int(0), cpu_busy_s: int(0), check_s: number(0.1)},
		},
		status: {type: 'object', keys: {glyphs: {type: 'object', keys: {needs_input: string, ready: string, working: string, done: string}}}},
		tmux: {type: 'object', keys: {window_size: {type: 'size'}}},
		/** Other machines whose agents ao shows and drives over SSH (docs/hosts.md). */
		hosts: {type: 'record', value: hostRule},
		review: {
			type: 'object',
			keys: {
				pre_merge: string, pr_command: string, pr_view_command: string, pr_poll_s: int(1),
				on_checks_failed: {type: 'enum', values: ['show', 'tell-agent']}, forecast_s: int(0), forecast_per_pass: int(1),
			},
		},
	},
} as const satisfies Rule;

/** The merged config: the shipped defaults set every key that is not optional. */
export type Config = Infer<typeof configSchema>;
export type Preset = Infer<typeof presetRule>;
export type Detect = Infer<typeof detectRule>;
export type GuardRuleSetting = Infer<typeof guardRuleRule>;
export type StatusGlyphs = Config['status']['glyphs'];
export type HostConfig = Infer<typeof hostRule>;

/**
 * Keys whose value runs a program, or could let an agent's destructive command through (the guard's); a repository's
 * .ao.yaml may set them only once `ao trust` approved it (an agent can write the file in its worktree).
 */
export const programKeys = [/^worktree\.setup$/, /^agents\.[^.]+\.command$/, /^agents\.[^.]+\.resume$/, /^agents\.[^.]+\.modes$/, /^notify\.command$/, /^guard(\.|$)/, /^review\.(pre_merge|pr_command|pr_view_command)$/];

export function isProgramKey(path: string[]): boolean {
	const joined = path.join('.');
	return programKeys.some(pattern => pattern.test(joined));
}

/** Later layers override earlier ones: maps merge key by key, lists and scalars replace. Pure. */
export function mergeConfig(base: unknown, override: unknown): unknown {
	if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
	const merged: Record<string, unknown> = {...base};
	for (const [key, value] of Object.entries(override)) merged[key] = mergeConfig(base[key], value);
	return merged;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
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
