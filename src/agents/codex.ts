import {createHash} from 'node:crypto';
import {shellQuote} from '../core/tmux/tmux.js';
import type {AgentStrategy} from './types.js';

/** Sorted keys at every level: the JSON Codex hashes to know a hook is the one the user trusted. */
function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(canonical);
	if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map(key => [key, canonical((value as Record<string, unknown>)[key])]));
	return value;
}

/**
 * The guard as a Codex PreToolUse hook, given with `-c` (a layer Codex calls "session flags"), and the trust entry
 * for it: Codex runs a hook only when its `trusted_hash` (SHA-256 of the hook's canonical JSON, as Codex 0.171
 * computes it) is on record, and would otherwise show a "Hooks need review" screen. Both go on the command line, so
 * the user's config.toml is never written.
 */
export function codexGuardSettings(ao: string): {hook: string; trust: string} {
	const command = `${shellQuote(ao)} guard --agent codex`;
	const timeout = 30;
	const identity = {event_name: 'pre_tool_use', matcher: 'Bash', hooks: [{type: 'command', command, timeout, async: false}]};
	const hash = `sha256:${createHash('sha256').update(JSON.stringify(canonical(identity))).digest('hex')}`;
	return {
		hook: `hooks.PreToolUse=[{matcher="Bash",hooks=[{type="command",command=${JSON.stringify(command)},timeout=${timeout}}]}]`,
		trust: `hooks.state={"/<session-flags>/config.toml:pre_tool_use:0:0"={trusted_hash=${JSON.stringify(hash)}}}`,
	};
}

/**
 * Codex CLI (verified with @openai/codex 0.171.0 against a scripted Responses API). It reports finished turns
 * through `notify` (a program run with the turn as JSON in its last argument), not the rest: approvals, trust,
 * sign-in and errors are read off its screen. The guard is its PreToolUse hook, with the trust entry Codex needs
 * ({codexGuardHook}, {codexGuardTrust}).
 */
export const codex: AgentStrategy = {
	name: 'codex',
	reportsAll: false,
	fullScreen: true,
	// Keys that come faster than a person types are a paste to Codex, and an Enter in a paste is a new line.
	enterAfterMs: 250,
	placeholders: ({ao}) => {
		const guard = codexGuardSettings(ao);
		return {
			// A TOML array for `-c notify=...`; JSON string quoting is TOML's too.
			codexNotify: `notify=${JSON.stringify([ao, 'report', '--agent', 'codex', '--hook', 'agent-turn-complete'])}`,
			codexGuardHook: guard.hook,
			codexGuardTrust: guard.trust,
		};
	},
	readHook(event, payload) {
		if (event !== 'agent-turn-complete') return undefined;
		// Codex names its session in a side thread of its own whose turn ends a moment after it starts.
		const first = (payload['input-messages'] as unknown[] | undefined)?.[0];
		if (typeof first === 'string' && /^Generate a concise, single-line task title/.test(first)) return undefined;
		return {state: 'ready', reason: 'finished its turn'};
	},
	screens: [
		{pattern: /Sign in with ChatGPT/, state: 'needs-input', reason: 'Codex asks you to sign in (codex login, or an API key provider in ~/.codex/config.toml)'},
		{pattern: /Trust this folder\?/, state: 'needs-input', reason: 'Codex asks to trust this folder'},
		{pattern: /Hooks need review/, state: 'needs-input', reason: 'Codex asks you to review its hooks'},
		{pattern: /Try new model/, state: 'needs-input', reason: 'Codex asks which model to use'},
		{pattern: /Would you like to run the following command\?[\s\S]*?^\s*\$ (.+)$/m, state: 'needs-input', reason: match => `permission: ${match[1]!.trim()}`},
		{pattern: /Would you like to (make the following edits|[^?\n]+)\?/, state: 'needs-input', reason: match => `permission: ${match[1]!.trim()}`},
		{pattern: /esc to interrupt/, state: 'working', reason: 'working'},
		// The turn ended in an error ("■ exceeded retry limit, last status: 429 ...") and nothing came after it.
		{pattern: /^■ (?!Conversation interrupted)(.+)$(?![\s\S]*^• )[\s\S]*^› /m, state: 'needs-input', reason: match => `error: ${match[1]!.trim()}`},
		// Its input prompt after a turn ("Worked for 4s" above it; a resumed session shows its earlier turns too). The
		// prompt alone is no sign: it stands there for a moment at the start, before the task is taken up.
		{pattern: /Worked for [^\n]*\n(?![\s\S]*esc to interrupt)[\s\S]*^› (?!\d+\. )/m, state: 'ready', reason: 'finished its turn'},
	],
};
