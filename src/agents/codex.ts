import type {AgentStrategy} from './types.js';

/**
 * Codex CLI (verified with @openai/codex 0.171.0 against a scripted Responses API). It reports finished turns
 * through `notify` (a program run with the turn as JSON in its last argument), not the rest: approvals, trust,
 * sign-in and errors are read off its screen. Its hooks would say more, but Codex shows a "Hooks need review" screen
 * for hooks it has not been told to trust, so ao does not install any.
 */
export const codex: AgentStrategy = {
	name: 'codex',
	reportsAll: false,
	fullScreen: true,
	// Keys that come faster than a person types are a paste to Codex, and an Enter in a paste is a new line.
	enterAfterMs: 250,
	placeholders: ({ao}) => ({
		// A TOML array for `-c notify=...`; JSON string quoting is TOML's too.
		codexNotify: `notify=${JSON.stringify([ao, 'report', '--agent', 'codex', '--hook', 'agent-turn-complete'])}`,
	}),
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
