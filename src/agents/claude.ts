import {shellQuote} from '../core/tmux/tmux.js';
import {cleanReason} from '../core/jobs/reasons.js';
import type {JobState} from '../core/jobs/states.js';
import type {AgentStrategy, HookReading} from './types.js';

/** Claude Code hook events ao listens to, and the state each one means (undefined: leave it to the process signal). */
export const claudeHookStates: Record<string, JobState | undefined> = {
	SessionStart: 'working',
	UserPromptSubmit: 'working',
	PermissionRequest: 'needs-input',
	Stop: 'ready',
	Notification: 'needs-input',
	StopFailure: 'needs-input',
	SessionEnd: undefined,
};

/** The tools whose calls `ao guard` checks (a Claude Code hook matcher). */
export const guardedTools = 'Bash|mcp__.*';

/**
 * The settings JSON passed to Claude Code with --settings: each hook runs `ao report --hook <Event>`, which reads
 * the payload on stdin and finds its job through AO_JOB_ID (set in the agent's environment), and PreToolUse runs
 * `ao guard`.
 */
export function claudeHooksSettings(ao: string): string {
	const hooks: Record<string, unknown[]> = Object.fromEntries(Object.keys(claudeHookStates).map(event => [event, [{hooks: [{type: 'command', command: `${shellQuote(ao)} report --hook ${event}`}]}]]));
	// The guard checks shell commands and MCP tool calls (where SQL goes) before they run; see src/core/guard/.
	hooks.PreToolUse = [{matcher: guardedTools, hooks: [{type: 'command', command: `${shellQuote(ao)} guard`}]}];
	return JSON.stringify({hooks});
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim().replaceAll(/\s+/g, ' ') : '');

/** "Bash(touch a.txt)", "Write(src/a.ts)": a tool call as Claude Code shows it. Pure. */
export function toolCall(payload: Record<string, unknown>): string {
	const tool = text(payload.tool_name) || 'a tool';
	const input = (typeof payload.tool_input === 'object' && payload.tool_input !== null ? payload.tool_input : {}) as Record<string, unknown>;
	const subject = text(input.command) || text(input.file_path) || text(input.notebook_path) || text(input.url) || text(input.pattern) || text(input.query);
	return subject ? `${tool}(${subject})` : tool;
}

/**
 * Why a turn failed, in one sentence, from StopFailure: its error code and the status in its last message ("API
 * Error: Request rejected (429) · This request would exceed the rate limit ..."). Pure.
 */
export function turnFailure(payload: Record<string, unknown>): string {
	const said = text(payload.last_assistant_message);
	const status = /\b([45]\d\d)\b/.exec(said)?.[1];
	const code = text(payload.error);
	const what = code === 'rate_limit' ? 'the API\'s rate limit stopped the turn'
		: /overloaded/i.test(said) ? 'the API is overloaded and stopped the turn'
		: code === 'authentication_failed' ? 'the API refused its key (authentication failed)'
		: code ? `the turn stopped with an API error (${code.replaceAll('_', ' ')})`
		: 'the turn stopped with an error';
	return `error: ${what}${status ? ` (${status})` : ''}`;
}

/** What a Claude Code hook event and its JSON payload say about the job; undefined when it says nothing. Pure. */
export function readClaudeHook(event: string, payload: Record<string, unknown>): HookReading | undefined {
	const transcriptPath = typeof payload.transcript_path === 'string' && payload.transcript_path.trim() !== '' ? payload.transcript_path : undefined;
	switch (event) {
		case 'SessionStart': {
			// Resumed, Claude Code waits at its prompt: no turn runs until the user says something.
			return payload.source === 'resume'
				? {state: 'ready', reason: 'resumed; waiting at its prompt', transcriptPath}
				: {state: 'working', reason: `session ${text(payload.source) || 'started'}`, transcriptPath};
		}

		case 'UserPromptSubmit': {
			return {state: 'working', reason: 'prompt submitted', transcriptPath, userPrompt: true};
		}

		case 'PermissionRequest': {
			return {state: 'needs-input', reason: cleanReason(`permission: ${toolCall(payload)}`)!, transcriptPath};
		}

		case 'Notification': {
			// A permission prompt came with its PermissionRequest already (which says what is asked); the idle prompt a
			// minute after a turn is the same wait as the turn's end, not a question.
			if (payload.notification_type === 'permission_prompt' || payload.notification_type === 'idle_prompt') return {reason: 'notification', transcriptPath};
			return {state: 'needs-input', reason: cleanReason(text(payload.message)) ?? 'notification', transcriptPath};
		}

		case 'Stop': {
			return {state: 'ready', reason: 'finished its turn', transcriptPath};
		}

		case 'StopFailure': {
			return {state: 'needs-input', reason: turnFailure(payload), transcriptPath};
		}

		default: {
			return {reason: event.toLowerCase(), transcriptPath};
		}
	}
}

/** Claude Code (verified with @anthropic-ai/claude-code 2.1.197 against a scripted Messages API). */
export const claude: AgentStrategy = {
	name: 'claude',
	reportsAll: true,
	fullScreen: true,
	placeholders: ({ao}) => ({claudeHooks: claudeHooksSettings(ao)}),
	readHook: readClaudeHook,
	// Before its first hook: the folder trust question (no hook fires while it is shown).
	screens: [
		{pattern: /Yes, I trust this folder|Do you trust the files in this folder\?/, state: 'needs-input', reason: 'Claude Code asks to trust this folder'},
	],
};
