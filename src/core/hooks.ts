import {aoBin} from './paths.js';
import type {JobState} from './states.js';
import {shellQuote} from './tmux.js';

/** Claude Code hook events ao listens to, and the state each one means (undefined: leave it to the process signal). */
export const claudeHookStates: Record<string, JobState | undefined> = {
	SessionStart: 'working',
	UserPromptSubmit: 'working',
	Stop: 'ready',
	Notification: 'needs-input',
	StopFailure: 'needs-input',
	SessionEnd: undefined,
};

/**
 * The settings JSON passed to Claude Code with --settings: each hook runs `ao report --hook <Event>`, which reads
 * the payload on stdin and finds its job through AO_JOB_ID (set in the agent's environment), and PreToolUse runs
 * `ao guard`.
 */
export function claudeHooksSettings(ao = aoBin): string {
	const hooks: Record<string, unknown[]> = Object.fromEntries(Object.keys(claudeHookStates).map(event => [event, [{hooks: [{type: 'command', command: `${shellQuote(ao)} report --hook ${event}`}]}]]));
	// The guard checks shell commands and MCP tool calls (where SQL goes) before they run; see src/core/guard.ts.
	hooks.PreToolUse = [{matcher: guardedTools, hooks: [{type: 'command', command: `${shellQuote(ao)} guard`}]}];
	return JSON.stringify({hooks});
}

/** The tools whose calls `ao guard` checks (a Claude Code hook matcher). */
export const guardedTools = 'Bash|mcp__.*';

export interface HookReport {
	state: JobState | undefined;
	reason: string;
	transcriptPath?: string;
}

/** What a hook event and its JSON payload say about the job. Pure. */
export function readHook(event: string, payload: Record<string, unknown>): HookReport {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim().replaceAll(/\s+/g, ' ') : '');
	const transcriptPath = typeof payload.transcript_path === 'string' && payload.transcript_path.trim() !== '' ? payload.transcript_path : undefined;
	const state = Object.hasOwn(claudeHookStates, event) ? claudeHookStates[event] : undefined;
	const reason = event === 'Notification' ? text(payload.message) || 'notification'
		: event === 'StopFailure' ? text(payload.error) || 'stopped with an error'
		: event === 'Stop' ? 'finished its turn'
		: event === 'UserPromptSubmit' ? 'prompt submitted'
		: event === 'SessionStart' ? `session ${text(payload.source) || 'started'}`
		: event.toLowerCase();
	return {state, reason, transcriptPath};
}
