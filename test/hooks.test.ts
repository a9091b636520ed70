import test from 'ava';
import {claudeHooksSettings, readClaudeHook as readHook} from '../src/agents/claude.js';
import type {HookReading as HookReport} from '../src/agents/types.js';
import {aoBin} from '../src/core/paths.js';

interface Settings {
	hooks: Record<string, Array<{hooks: Array<{type: string; command: string}>}>>;
}

function settings(ao?: string): Settings {
	return JSON.parse(claudeHooksSettings(ao ?? aoBin)) as Settings;
}

/** Splits a command line the way sh does for words made of plain characters, single quotes and spaces. */
function shWords(line: string): string[] {
	const words: string[] = [];
	let word: string | undefined;
	for (let index = 0; index < line.length; index++) {
		const char = line[index];
		if (char === ' ') {
			if (word !== undefined) words.push(word);
			word = undefined;
		} else if (char === '\'') {
			const end = line.indexOf('\'', index + 1);
			if (end === -1) throw new Error(`unterminated quote in ${line}`);
			word = (word ?? '') + line.slice(index + 1, end);
			index = end;
		} else if (char === '\\') {
			word = (word ?? '') + line[++index];
		} else {
			word = (word ?? '') + char;
		}
	}

	if (word !== undefined) words.push(word);
	return words;
}

const events = ['SessionStart', 'UserPromptSubmit', 'PermissionRequest', 'Stop', 'Notification', 'StopFailure', 'SessionEnd'];

// What each hook does is tested with the real Claude Code (agent-claude.test.ts); here, that the settings survive
// being one argument of a command line.
test('claudeHooksSettings is one line of JSON', t => {
	t.false(claudeHooksSettings('/opt/ao/bin/ao').includes('\n'));
	t.deepEqual(Object.keys(settings('/opt/ao/bin/ao')), ['hooks']);
});

const awkwardPaths = [
	'/home/me/my tools/ao/bin/ao',
	'/home/o\'brien/ao/bin/ao',
	'/Users/o\'brien/Application Support/ao\'s copy/bin/ao',
	'/tmp/$HOME/`id`/"quoted"/bin/ao',
];

for (const ao of awkwardPaths) {
	test(`claudeHooksSettings single-quotes the ao path ${JSON.stringify(ao)} so sh reads it back as one word`, t => {
		for (const event of events) {
			const {command} = settings(ao).hooks[event][0].hooks[0];
			t.true(command.startsWith('\''), command);
			t.deepEqual(shWords(command), [ao, 'report', '--hook', event]);
		}
	});
}

test('claudeHooksSettings escapes a single quote in the path as \'\\\'\'', t => {
	t.is(settings('/home/o\'brien/ao').hooks.Stop[0].hooks[0].command, String.raw`'/home/o'\''brien/ao' report --hook Stop`);
	t.is(settings('/a b/ao').hooks.Stop[0].hooks[0].command, '\'/a b/ao\' report --hook Stop');
});


// Payloads as Claude Code 2.1.197 sends them (recorded against the scripted Messages API).
const hookRows: Array<{title: string; event: string; payload: Record<string, unknown>; expected: HookReport}> = [
	{
		title: 'a new session is working',
		event: 'SessionStart',
		payload: {source: 'startup', model: 'claude-opus-4-8'},
		expected: {state: 'working', reason: 'session startup', transcriptPath: undefined},
	},
	{
		title: 'a resumed session waits at its prompt: ready, not working',
		event: 'SessionStart',
		payload: {source: 'resume'},
		expected: {state: 'ready', reason: 'resumed; waiting at its prompt', transcriptPath: undefined},
	},
	{
		title: 'a prompt is working, and counts as the user\'s (it ends a pause or a guard block)',
		event: 'UserPromptSubmit',
		payload: {prompt: 'go on'},
		expected: {state: 'working', reason: 'prompt submitted', transcriptPath: undefined, userPrompt: true},
	},
	{
		title: 'a permission request names the tool call it asks for',
		event: 'PermissionRequest',
		payload: {tool_name: 'Bash', tool_input: {command: 'touch made-by-agent.txt', description: 'Run touch'}},
		expected: {state: 'needs-input', reason: 'permission: Bash(touch made-by-agent.txt)', transcriptPath: undefined},
	},
	{
		title: 'a permission request for a file names the file',
		event: 'PermissionRequest',
		payload: {tool_name: 'Write', tool_input: {file_path: '/repo/notes.txt', content: 'x'}},
		expected: {state: 'needs-input', reason: 'permission: Write(/repo/notes.txt)', transcriptPath: undefined},
	},
	{
		title: 'the permission prompt\'s Notification says less than its PermissionRequest: it changes nothing',
		event: 'Notification',
		payload: {message: 'Claude needs your permission', notification_type: 'permission_prompt'},
		expected: {reason: 'notification', transcriptPath: undefined},
	},
	{
		title: 'the idle Notification a minute after a turn is no question: it changes nothing',
		event: 'Notification',
		payload: {message: 'Claude is waiting for your input', notification_type: 'idle_prompt'},
		expected: {reason: 'notification', transcriptPath: undefined},
	},
	{
		title: 'another Notification needs input, its message the reason',
		event: 'Notification',
		payload: {message: '  Claude needs\n your\tattention  '},
		expected: {state: 'needs-input', reason: 'Claude needs your attention', transcriptPath: undefined},
	},
	{
		title: 'a turn stopped by the rate limit says so in one sentence, with the status',
		event: 'StopFailure',
		payload: {error: 'rate_limit', last_assistant_message: 'API Error: Request rejected (429) · This request would exceed the rate limit for your organization of 50 requests per minute.'},
		expected: {state: 'needs-input', reason: 'error: the API\'s rate limit stopped the turn (429)', transcriptPath: undefined},
	},
	{
		title: 'a turn stopped by an overloaded API says so',
		event: 'StopFailure',
		payload: {error: 'server_error', last_assistant_message: 'API Error: 529 Overloaded. This is a server-side issue, usually temporary.'},
		expected: {state: 'needs-input', reason: 'error: the API is overloaded and stopped the turn (529)', transcriptPath: undefined},
	},
	{
		title: 'a turn stopped with an unknown error names its code',
		event: 'StopFailure',
		payload: {error: 'authentication_failed'},
		expected: {state: 'needs-input', reason: 'error: the API refused its key (authentication failed)', transcriptPath: undefined},
	},
	{
		title: 'a turn stopped with nothing said',
		event: 'StopFailure',
		payload: {},
		expected: {state: 'needs-input', reason: 'error: the turn stopped with an error', transcriptPath: undefined},
	},
	{
		title: 'the end of a turn is ready',
		event: 'Stop',
		payload: {stop_hook_active: false, last_assistant_message: 'ok'},
		expected: {state: 'ready', reason: 'finished its turn', transcriptPath: undefined},
	},
	{
		title: 'the end of the session leaves the state to the process',
		event: 'SessionEnd',
		payload: {reason: 'other'},
		expected: {reason: 'sessionend', transcriptPath: undefined},
	},
	{
		title: 'the transcript path of the payload is kept, byte for byte',
		event: 'Stop',
		payload: {transcript_path: '/Users/me/Claude  transcripts/3f2a.jsonl'},
		expected: {state: 'ready', reason: 'finished its turn', transcriptPath: '/Users/me/Claude  transcripts/3f2a.jsonl'},
	},
];

for (const row of hookRows) {
	test(`readClaudeHook: ${row.title}`, t => {
		t.deepEqual(readHook(row.event, row.payload), row.expected);
	});
}

test('readClaudeHook leaves the state alone for an event named like an Object.prototype member', t => {
	for (const event of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) t.is(readHook(event, {})?.state, undefined, event);
});
