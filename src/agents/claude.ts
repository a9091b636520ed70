import {shellQuote} from '../core/tmux.js';
import type {JobState} from '../core/states.js';
import type {AgentStrategy, HookReading} from './types.js';

/** Claude Code hook events ao listens to, and the state each one means (undefined: leave it to the process signal). */
export const claudeHookStates: Record<string, JobState | undefined> = {
	SessionStart: 'working',
	UserPromptSubmit: 'working',
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
	// The guard checks shell commands and MCP tool calls (where SQL goes) before they run; see src/core/guard.ts.
	hooks.PreToolUse = [{matcher: guardedTools, hooks: [{type: 'command', command: `${shellQuote(ao)} guard`}]}];
	return JSON.stringify({hooks});
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim().replaceAll(/\s+/g, ' ') : '');

/** What a Claude Code hook event and its JSON payload say about the job. Pure. */
export function readClaudeHook(event: string, payload: Record<string, unknown>): HookReading {
	const transcriptPath = typeof payload.transcript_path === 'string' && payload.transcript_path.trim() !== '' ? payload.transcript_path : undefined;
	const state = Object.hasOwn(claudeHookStates, event) ? claudeHookStates[event] : undefined;
	const reason = event === 'Notification' ? text(payload.message) || 'notification'
		: event === 'StopFailure' ? text(payload.error) || 'stopped with an error'
		: event === 'Stop' ? 'finished its turn'
		: event === 'UserPromptSubmit' ? 'prompt submitted'
		: event === 'SessionStart' ? `session ${text(payload.source) || 'started'}`
		: event.toLowerCase();
	return {state, reason, transcriptPath, userPrompt: event === 'UserPromptSubmit'};
}

/** Claude Code (verified with @anthropic-ai/claude-code 2.1.197 against a scripted Messages API). */
export const claude: AgentStrategy = {
	name: 'claude',
	reportsAll: true,
	placeholders: ({ao}) => ({claudeHooks: claudeHooksSettings(ao)}),
	readHook: readClaudeHook,
	screens: [],
};
