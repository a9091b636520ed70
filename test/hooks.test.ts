import test from 'ava';
import {claudeHookStates, claudeHooksSettings, readHook, type HookReport} from '../src/core/hooks.js';
import {aoBin} from '../src/core/paths.js';

interface Settings {
	hooks: Record<string, Array<{hooks: Array<{type: string; command: string}>}>>;
}

function settings(ao?: string): Settings {
	return JSON.parse(ao === undefined ? claudeHooksSettings() : claudeHooksSettings(ao)) as Settings;
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

const events = ['SessionStart', 'UserPromptSubmit', 'Stop', 'Notification', 'StopFailure', 'SessionEnd'];

test('claudeHookStates maps each hook event to the state it means', t => {
	t.deepEqual({...claudeHookStates}, {
		SessionStart: 'working',
		UserPromptSubmit: 'working',
		Stop: 'ready',
		Notification: 'needs-input',
		StopFailure: 'needs-input',
		SessionEnd: undefined,
	});
	t.true('SessionEnd' in claudeHookStates);
});

test('claudeHooksSettings is valid JSON with one command hook for every event', t => {
	const parsed = settings('/opt/ao/bin/ao');
	t.deepEqual(Object.keys(parsed), ['hooks']);
	t.deepEqual(Object.keys(parsed.hooks).sort(), [...events, 'PreToolUse'].sort());
	t.deepEqual(Object.keys(parsed.hooks).sort(), [...Object.keys(claudeHookStates), 'PreToolUse'].sort());
	t.deepEqual(parsed.hooks.PreToolUse, [{matcher: 'Bash|mcp__.*', hooks: [{type: 'command', command: '\'/opt/ao/bin/ao\' guard'}]}]);
	for (const event of events) {
		t.deepEqual(parsed.hooks[event], [{hooks: [{type: 'command', command: `'/opt/ao/bin/ao' report --hook ${event}`}]}], event);
	}
});

test('claudeHooksSettings is a single line, fit for one argv item', t => {
	t.false(claudeHooksSettings('/opt/ao/bin/ao').includes('\n'));
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

test('claudeHooksSettings runs this ao\'s own bin/ao by default', t => {
	t.true(aoBin.endsWith('/bin/ao'));
	t.deepEqual(shWords(settings().hooks.Notification[0].hooks[0].command), [aoBin, 'report', '--hook', 'Notification']);
});

const hookRows: Array<{title: string; event: string; payload: Record<string, unknown>; expected: HookReport}> = [
	{
		title: 'Notification means needs-input, with the message as the reason',
		event: 'Notification',
		payload: {message: 'Claude needs your permission to use Bash'},
		expected: {state: 'needs-input', reason: 'Claude needs your permission to use Bash', transcriptPath: undefined},
	},
	{
		title: 'Notification collapses the whitespace of its message into single spaces',
		event: 'Notification',
		payload: {message: '  Claude needs\n your\tpermission   to use Bash \n'},
		expected: {state: 'needs-input', reason: 'Claude needs your permission to use Bash', transcriptPath: undefined},
	},
	{
		title: 'Notification without a message has the reason "notification"',
		event: 'Notification',
		payload: {},
		expected: {state: 'needs-input', reason: 'notification', transcriptPath: undefined},
	},
	{
		title: 'Notification with a blank message has the reason "notification"',
		event: 'Notification',
		payload: {message: ' \n '},
		expected: {state: 'needs-input', reason: 'notification', transcriptPath: undefined},
	},
	{
		title: 'Notification with a number for a message has the reason "notification"',
		event: 'Notification',
		payload: {message: 42},
		expected: {state: 'needs-input', reason: 'notification', transcriptPath: undefined},
	},
	{
		title: 'StopFailure means needs-input, with the error as the reason',
		event: 'StopFailure',
		payload: {error: 'authentication_failed'},
		expected: {state: 'needs-input', reason: 'authentication_failed', transcriptPath: undefined},
	},
	{
		title: 'StopFailure without an error has the reason "stopped with an error"',
		event: 'StopFailure',
		payload: {},
		expected: {state: 'needs-input', reason: 'stopped with an error', transcriptPath: undefined},
	},
	{
		title: 'Stop means ready, "finished its turn"',
		event: 'Stop',
		payload: {stop_hook_active: false},
		expected: {state: 'ready', reason: 'finished its turn', transcriptPath: undefined},
	},
	{
		title: 'SessionStart means working, named after its source',
		event: 'SessionStart',
		payload: {source: 'resume'},
		expected: {state: 'working', reason: 'session resume', transcriptPath: undefined},
	},
	{
		title: 'SessionStart without a source means working, "session started"',
		event: 'SessionStart',
		payload: {},
		expected: {state: 'working', reason: 'session started', transcriptPath: undefined},
	},
	{
		title: 'UserPromptSubmit means working, "prompt submitted"',
		event: 'UserPromptSubmit',
		payload: {prompt: 'go on'},
		expected: {state: 'working', reason: 'prompt submitted', transcriptPath: undefined},
	},
	{
		title: 'SessionEnd leaves the state to the process signal',
		event: 'SessionEnd',
		payload: {reason: 'exit'},
		expected: {state: undefined, reason: 'sessionend', transcriptPath: undefined},
	},
	{
		title: 'an event ao does not listen to leaves the state alone',
		event: 'PreToolUse',
		payload: {tool_name: 'Bash'},
		expected: {state: undefined, reason: 'pretooluse', transcriptPath: undefined},
	},
	{
		title: 'the transcript path of the payload is kept',
		event: 'Stop',
		payload: {transcript_path: '/home/me/.claude/projects/-home-me-src-webapp/3f2a.jsonl'},
		expected: {state: 'ready', reason: 'finished its turn', transcriptPath: '/home/me/.claude/projects/-home-me-src-webapp/3f2a.jsonl'},
	},
	{
		title: 'the transcript path is kept for every event, SessionEnd too',
		event: 'SessionEnd',
		payload: {transcript_path: '/t/x.jsonl'},
		expected: {state: undefined, reason: 'sessionend', transcriptPath: '/t/x.jsonl'},
	},
	{
		title: 'a blank transcript path is no transcript path',
		event: 'Notification',
		payload: {message: 'hi', transcript_path: '   '},
		expected: {state: 'needs-input', reason: 'hi', transcriptPath: undefined},
	},
	{
		title: 'a transcript path that is not text is no transcript path',
		event: 'Stop',
		payload: {transcript_path: ['/t/x.jsonl']},
		expected: {state: 'ready', reason: 'finished its turn', transcriptPath: undefined},
	},
];

for (const row of hookRows) {
	test(`readHook: ${row.title}`, t => {
		t.deepEqual(readHook(row.event, row.payload), row.expected);
	});
}

test('readHook gives every event ao listens to the state claudeHookStates names', t => {
	for (const event of events) t.is(readHook(event, {}).state, claudeHookStates[event], event);
});

test('readHook gives a non-empty reason for every event with an empty payload', t => {
	for (const event of [...events, 'PreToolUse']) t.not(readHook(event, {}).reason, '', event);
});

// Bug: claudeHookStates is a plain object literal, so claudeHookStates['constructor'] is Object, not undefined.
test('readHook leaves the state alone for an event named like an Object.prototype member', t => {
	for (const event of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) t.is(readHook(event, {}).state, undefined, event);
});

// Bug: the transcript path goes through the same whitespace collapsing as the message, so a path with two spaces changes.
test('readHook keeps a transcript path with repeated spaces byte for byte', t => {
	const transcriptPath = '/Users/me/Claude  transcripts/3f2a.jsonl';
	t.is(readHook('Stop', {transcript_path: transcriptPath}).transcriptPath, transcriptPath);
});
