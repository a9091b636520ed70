import test from 'ava';
import {compilePatterns, deriveState, screenCandidate, type Derived, type Observation, type Pending} from '../src/core/jobs/derive.js';
import type {Job} from '../src/core/jobs/job.js';
import type {JobState} from '../src/core/jobs/states.js';
import {jobRecord, paneRecord} from './helpers/records.js';

/** 2024-05-01T12:00:00Z: every job below entered its state then, and every pane last printed then unless told. */
const t0 = Date.parse('2024-05-01T12:00:00.000Z');
const t0s = t0 / 1000;

const job = jobRecord;

const pane = paneRecord;

const patterns = compilePatterns(
	{needs_input: ['Do you want to proceed', 'Enter to confirm'], working: ['esc to interrupt']},
	{needs_input: [String.raw`\[y/N\]`], working: []},
);

const idleAfterMs = 20_000;
const question = 'Apply this change? [y/N]';
const asks = `asks: ${question}`;
const busy = '✻ Thinking… (esc to interrupt)';

/** An observation 5 s after t0 (less than idleAfterMs of silence), debounced 1500 ms, unless told. */
function observe(fields: Partial<Observation> = {}): Observation {
	return {pane: pane(), nowMs: t0 + 5000, idleAfterMs, debounceMs: 1500, patterns, ...fields};
}

interface Row {
	title: string;
	job: Partial<Job>;
	observation: Partial<Observation>;
	expected: Derived;
}

function table(rows: Row[]): void {
	for (const row of rows) {
		test(row.title, t => {
			t.deepEqual(deriveState(job(row.job), observe(row.observation)), row.expected);
		});
	}
}

const longAgo: Pending = {state: 'needs-input', reason: asks, signal: 'screen', since: t0 - 3_600_000};

// Signal table 1: the process signal wins over everything else.
table([
	{
		title: 'a pane that exited 0 means completed even when its screen shows a question',
		job: {},
		observation: {pane: pane({dead: true, deadStatus: 0}), screen: question},
		expected: {change: {state: 'completed', reason: 'exit 0', exitCode: 0, signal: 'process'}},
	},
	{
		title: 'a pane that exited 2 means failed even when its screen shows a busy line',
		job: {state: 'ready'},
		observation: {pane: pane({dead: true, deadStatus: 2}), screen: busy},
		expected: {change: {state: 'failed', reason: 'exit 2', exitCode: 2, signal: 'process'}},
	},
	{
		title: 'a missing pane means failed "lost" even when a question was on the screen',
		job: {state: 'needs-input', reason: asks},
		observation: {pane: undefined, screen: question},
		expected: {change: {state: 'failed', reason: 'lost', signal: 'process'}},
	},
	{
		title: 'a pane killed by a signal means failed whatever the silence says',
		job: {},
		observation: {pane: pane({dead: true, deadSignal: 15}), nowMs: t0 + 3_600_000},
		expected: {change: {state: 'failed', reason: 'killed by signal 15', signal: 'process'}},
	},
	{
		title: 'the process signal applies at once, ignoring the debounce and dropping what was pending',
		job: {},
		observation: {pane: pane({dead: true, deadStatus: 0}), pending: longAgo, debounceMs: 60_000},
		expected: {change: {state: 'completed', reason: 'exit 0', exitCode: 0, signal: 'process'}},
	},
	{
		title: 'a job that reports its state still follows its process: exit 0 is completed',
		job: {reports: true, state: 'ready', reason: 'finished its turn'},
		observation: {pane: pane({dead: true, deadStatus: 0})},
		expected: {change: {state: 'completed', reason: 'exit 0', exitCode: 0, signal: 'process'}},
	},
	{
		title: 'a job that reports its state still follows its process: a missing pane is "lost"',
		job: {reports: true},
		observation: {pane: undefined},
		expected: {change: {state: 'failed', reason: 'lost', signal: 'process'}},
	},
	{
		title: 'a dead pane still waiting for its exit status is not read for a question in the meantime',
		job: {},
		observation: {pane: pane({dead: true, deadTime: t0s + 4}), screen: question},
		expected: {},
	},
]);

// Signal table 2: a job that reports its own state is never changed by its screen or its silence.
for (const state of ['working', 'needs-input', 'ready'] as const) {
	table([
		{
			title: `a reporting job in ${state} ignores a question on its screen`,
			job: {reports: true, state, reason: 'reported'},
			observation: {screen: question, debounceMs: 0},
			expected: {},
		},
		{
			title: `a reporting job in ${state} ignores a busy line on its screen`,
			job: {reports: true, state, reason: 'reported'},
			observation: {screen: busy, debounceMs: 0},
			expected: {},
		},
		{
			title: `a reporting job in ${state} ignores a long silence`,
			job: {reports: true, state, reason: 'reported'},
			observation: {nowMs: t0 + 3_600_000, debounceMs: 0},
			expected: {},
		},
		{
			title: `a reporting job in ${state} ignores new output`,
			job: {reports: true, state, reason: 'reported'},
			observation: {pane: pane({activity: t0s + 4}), screen: 'compiling…', debounceMs: 0},
			expected: {},
		},
		{
			title: `a reporting job in ${state} drops a pending guess rather than apply it`,
			job: {reports: true, state, reason: 'reported'},
			observation: {screen: question, pending: longAgo},
			expected: {},
		},
	]);
}

// Signal table 3: jobs the screen and the silence leave alone.
table([
	{
		title: 'a queued job is left alone even with a question on a screen',
		job: {state: 'queued', reason: 'queued', windowId: undefined},
		observation: {screen: question, debounceMs: 0},
		expected: {},
	},
	{
		title: 'a queued job without a window and without a pane is not "lost"',
		job: {state: 'queued', reason: 'queued', windowId: undefined},
		observation: {pane: undefined},
		expected: {},
	},
	{
		title: 'a working job without a window is left alone by a question',
		job: {windowId: undefined},
		observation: {screen: question, debounceMs: 0},
		expected: {},
	},
	{
		title: 'a working job without a window is left alone by the silence',
		job: {windowId: undefined},
		observation: {nowMs: t0 + 3_600_000, debounceMs: 0},
		expected: {},
	},
	...(['completed', 'failed', 'stopped'] as const).map(state => ({
		title: `a ${state} job is left alone by its screen, its silence and its pane`,
		job: {state, reason: 'was'},
		observation: {pane: pane({dead: true, deadStatus: 0}), screen: question, nowMs: t0 + 3_600_000, debounceMs: 0},
		expected: {},
	})),
]);

// Signal table 4: questions and busy lines on the screen.
table([
	{
		title: 'a question that just appeared on the screen of a working job is pending first, since now',
		job: {},
		observation: {screen: question, pane: pane({activity: t0s + 5})},
		expected: {pending: {state: 'needs-input', reason: asks, signal: 'screen', since: t0 + 5000}},
	},
	{
		title: 'a question still there debounceMs later becomes needs-input, "asks: <line>"',
		job: {},
		observation: {screen: question, pending: {state: 'needs-input', reason: asks, signal: 'screen', since: t0 + 3500}},
		expected: {change: {state: 'needs-input', reason: asks, signal: 'screen'}},
	},
	{
		title: 'a question seen for less than debounceMs stays pending and keeps its first sighting',
		job: {},
		observation: {screen: question, pane: pane({activity: t0s + 4}), pending: {state: 'needs-input', reason: asks, signal: 'screen', since: t0 + 3501}},
		expected: {pending: {state: 'needs-input', reason: asks, signal: 'screen', since: t0 + 3501}},
	},
	{
		title: 'a question read late, that has been on a silent screen for debounceMs, counts at once (a busy supervisor misses nothing)',
		job: {},
		observation: {screen: question, pane: pane({activity: t0s + 2})},
		expected: {change: {state: 'needs-input', reason: asks, signal: 'screen'}},
	},
	{
		title: 'output that stopped long ago is no reason to call a job working: printing must go on for debounceMs',
		job: {state: 'needs-input', reason: asks},
		observation: {screen: 'some output', pane: pane({activity: t0s + 1})},
		expected: {pending: {state: 'working', reason: 'printing', signal: 'screen', since: t0 + 5000}},
	},
	{
		title: 'with debounceMs 0 a question becomes needs-input at once',
		job: {},
		observation: {screen: question, debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: asks, signal: 'screen'}},
	},
	{
		title: 'a pending guess of another state does not count toward the debounce of a new one',
		job: {},
		observation: {screen: question, pane: pane({activity: t0s + 5}), pending: {state: 'ready', reason: 'no output for 20s', signal: 'idle', since: t0 - 60_000}},
		expected: {pending: {state: 'needs-input', reason: asks, signal: 'screen', since: t0 + 5000}},
	},
	{
		title: 'the question is the lowest matching line of the screen, trimmed',
		job: {},
		observation: {screen: `Overwrite a.txt? [y/N]\nsome output\n   ${question}   \n\n`, debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: asks, signal: 'screen'}},
	},
	{
		title: 'patterns match whatever the case',
		job: {},
		observation: {screen: 'DO YOU WANT TO PROCEED?', debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: 'asks: DO YOU WANT TO PROCEED?', signal: 'screen'}},
	},
	{
		title: 'a long question line is cut so the reason has at most 100 characters, with an ellipsis',
		job: {},
		observation: {screen: `${'x'.repeat(100)} [y/N]`, debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: `asks: ${'x'.repeat(93)}…`, signal: 'screen'}},
	},
	{
		title: 'a line of key hints under a question: the reason is the question above it, not the hints',
		job: {},
		observation: {screen: 'Bash command\n  touch a.txt\nDo you want to proceed?\n❯ 1. Yes\n  2. No\nEnter to confirm · Esc to cancel', debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: 'asks: Do you want to proceed?', signal: 'screen'}},
	},
	{
		title: 'frame and escape residue around a question are left out of the reason',
		job: {},
		observation: {screen: '╭──────────────╮\n│ Overwrite a.txt? [y/N] │4;0m5u$p\n╰──────────────╯', debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: 'asks: Overwrite a.txt? [y/N]', signal: 'screen'}},
	},
	{
		title: 'a question beats a busy line on the same screen',
		job: {},
		observation: {screen: `${busy}\n${question}`, debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: asks, signal: 'screen'}},
	},
	{
		title: 'a question on the screen beats a long silence',
		job: {},
		observation: {screen: question, nowMs: t0 + 3_600_000, debounceMs: 0},
		expected: {change: {state: 'needs-input', reason: asks, signal: 'screen'}},
	},
	{
		title: 'a busy line on the screen of a ready job means working, named after the line',
		job: {state: 'ready', reason: 'no output for 20s'},
		observation: {screen: busy, debounceMs: 0},
		expected: {change: {state: 'working', reason: busy, signal: 'screen'}},
	},
	{
		title: 'a busy line on the screen of a needs-input job is pending first',
		job: {state: 'needs-input', reason: asks},
		observation: {screen: busy, pane: pane({activity: t0s + 5})},
		expected: {pending: {state: 'working', reason: busy, signal: 'screen', since: t0 + 5000}},
	},
	{
		title: 'a busy line on the screen beats a long silence',
		job: {state: 'ready', reason: 'no output for 20s'},
		observation: {screen: busy, nowMs: t0 + 3_600_000, debounceMs: 0},
		expected: {change: {state: 'working', reason: busy, signal: 'screen'}},
	},
]);

// Signal table 5: the silence, and output after it.
table([
	{
		title: 'no output for idleAfterMs with nothing on the screen is pending ready first',
		job: {},
		observation: {nowMs: t0 + 20_000},
		expected: {pending: {state: 'ready', reason: 'no output for 20s', signal: 'idle', since: t0 + 20_000}},
	},
	{
		title: 'no output for idleAfterMs means ready, "no output for Ns", once debounced',
		job: {},
		observation: {nowMs: t0 + 21_500, pending: {state: 'ready', reason: 'no output for 20s', signal: 'idle', since: t0 + 20_000}},
		expected: {change: {state: 'ready', reason: 'no output for 22s', signal: 'idle'}},
	},
	{
		title: 'with debounceMs 0 the silence makes a job ready at once',
		job: {},
		observation: {nowMs: t0 + 45_000, debounceMs: 0},
		expected: {change: {state: 'ready', reason: 'no output for 45s', signal: 'idle'}},
	},
	{
		title: 'the seconds of silence in the reason are rounded',
		job: {},
		observation: {nowMs: t0 + 20_499, debounceMs: 0},
		expected: {change: {state: 'ready', reason: 'no output for 20s', signal: 'idle'}},
	},
	{
		title: 'a screen read with no pattern on it still counts the silence',
		job: {},
		observation: {screen: '$ ', nowMs: t0 + 30_000, debounceMs: 0},
		expected: {change: {state: 'ready', reason: 'no output for 30s', signal: 'idle'}},
	},
	{
		title: 'silence just short of idleAfterMs leaves a working job alone',
		job: {stateSince: '2024-05-01T11:59:00.000Z'},
		observation: {pane: pane({activity: t0s}), nowMs: t0 + 19_999, debounceMs: 0},
		expected: {},
	},
	{
		title: 'a ready job that stays silent is not changed again by the growing silence',
		job: {state: 'ready', reason: 'no output for 20s', stateSince: '2024-05-01T12:00:20.000Z'},
		observation: {nowMs: t0 + 600_000, debounceMs: 0},
		expected: {},
	},
	{
		title: 'output newer than the state of a ready job is pending working first',
		job: {state: 'ready', reason: 'no output for 20s'},
		observation: {pane: pane({activity: t0s + 3})},
		expected: {pending: {state: 'working', reason: 'printing', signal: 'screen', since: t0 + 5000}},
	},
	{
		title: 'output newer than the state of a ready job means working, "printing"',
		job: {state: 'ready', reason: 'no output for 20s'},
		observation: {pane: pane({activity: t0s + 3}), debounceMs: 0},
		expected: {change: {state: 'working', reason: 'printing', signal: 'screen'}},
	},
	{
		title: 'a screen read from a ready job with no pattern on it and recent output means working',
		job: {state: 'ready', reason: 'no output for 20s', stateSince: '2024-05-01T11:59:00.000Z'},
		observation: {screen: 'compiling…', debounceMs: 0},
		expected: {change: {state: 'working', reason: 'printing', signal: 'screen'}},
	},
	{
		title: 'output from the same moment as the state is not new output',
		job: {state: 'ready', reason: 'no output for 20s'},
		observation: {pane: pane({activity: t0s}), nowMs: t0 + 1000, debounceMs: 0},
		expected: {},
	},
	{
		title: 'a needs-input job with no new output and no screen read this tick stays needs-input, however long the silence',
		job: {state: 'needs-input', reason: asks},
		observation: {nowMs: t0 + 3_600_000, debounceMs: 0},
		expected: {},
	},
	{
		title: 'a needs-input job with no new output and no screen read drops a pending guess',
		job: {state: 'needs-input', reason: asks},
		observation: {nowMs: t0 + 3_600_000, pending: {state: 'ready', reason: 'no output for 3600s', signal: 'idle', since: t0}},
		expected: {},
	},
	{
		title: 'a needs-input job that printed since its question is pending working first',
		job: {state: 'needs-input', reason: asks},
		observation: {pane: pane({activity: t0s + 4})},
		expected: {pending: {state: 'working', reason: 'printing', signal: 'screen', since: t0 + 5000}},
	},
	{
		title: 'a needs-input job that printed since its question and then fell silent becomes ready',
		job: {state: 'needs-input', reason: asks},
		observation: {pane: pane({activity: t0s + 4}), nowMs: t0 + 30_000, debounceMs: 0},
		expected: {change: {state: 'ready', reason: 'no output for 26s', signal: 'idle'}},
	},
	{
		title: 'a needs-input job whose screen still shows the same question is unchanged',
		job: {state: 'needs-input', reason: asks},
		observation: {screen: question, pane: pane({activity: t0s + 4}), debounceMs: 0},
		expected: {},
	},
]);

// Signal table 6: the same state with another reason changes only the reason, without waiting.
table([
	{
		title: 'a needs-input job showing another question changes only its reason, at once',
		job: {state: 'needs-input', reason: 'asks: Overwrite a.txt? [y/N]'},
		observation: {screen: question, debounceMs: 60_000},
		expected: {change: {state: 'needs-input', reason: asks, signal: 'screen'}},
	},
	{
		title: 'a working job showing a busy line changes only its reason, at once',
		job: {state: 'working', reason: 'started'},
		observation: {screen: busy, debounceMs: 60_000},
		expected: {change: {state: 'working', reason: busy, signal: 'screen'}},
	},
	{
		title: 'a working job showing the busy line it is already named after is unchanged',
		job: {state: 'working', reason: busy},
		observation: {screen: busy, debounceMs: 0},
		expected: {},
	},
	{
		title: 'a working job that prints with nothing on its screen keeps its reason',
		job: {state: 'working', reason: 'started'},
		observation: {pane: pane({activity: t0s + 4}), screen: 'compiling…', debounceMs: 0},
		expected: {},
	},
]);

interface Tick {
	atMs: number;
	screen?: string;
	/** Unix seconds of the last output at this tick (default: t0s). */
	activity?: number;
}

/** Runs ticks the way the supervisor does: the pending guess carried over, each change written to the job. */
function run(start: Job, ticks: Tick[], debounceMs: number): {results: Derived[]; job: Job} {
	let current = start;
	let pending: Pending | undefined;
	const results: Derived[] = [];
	for (const tick of ticks) {
		const derived = deriveState(current, {
			pane: pane({activity: tick.activity ?? t0s}), screen: tick.screen, nowMs: t0 + tick.atMs, idleAfterMs, debounceMs, patterns, pending,
		});
		results.push(derived);
		pending = derived.pending;
		if (derived.change) {
			const {signal: _signal, ...fields} = derived.change;
			current = {...current, ...fields, stateSince: new Date(t0 + tick.atMs).toISOString()};
		}
	}

	return {results, job: current};
}

test('a question that stays on the screen keeps its first sighting across ticks and applies debounceMs after it', t => {
	const {results, job: after} = run(job(), [
		{atMs: 1000, screen: question},
		{atMs: 1500, screen: question},
		{atMs: 2000, screen: question},
		{atMs: 2499, screen: question},
		{atMs: 2500, screen: question},
	], 1500);
	t.deepEqual(results.slice(0, 4).map(result => result.pending?.since), [t0 + 1000, t0 + 1000, t0 + 1000, t0 + 1000]);
	t.true(results.slice(0, 4).every(result => result.change === undefined));
	t.deepEqual(results[4], {change: {state: 'needs-input', reason: asks, signal: 'screen'}});
	t.is(after.state, 'needs-input');
});

test('a question that flips away before debounceMs never applies, and starts over when it comes back', t => {
	const {results, job: after} = run(job({reason: 'started'}), [
		{atMs: 1000, screen: question, activity: t0s + 1},
		{atMs: 2000, screen: 'y', activity: t0s + 2},
		{atMs: 2200, screen: question, activity: t0s + 2},
		{atMs: 3000, screen: 'compiling…', activity: t0s + 3},
		{atMs: 3300, screen: question, activity: t0s + 3},
		{atMs: 4000, screen: question, activity: t0s + 3},
	], 1500);
	t.true(results.every(result => result.change === undefined));
	t.deepEqual(results.map(result => result.pending?.since), [t0 + 1000, undefined, t0 + 2200, undefined, t0 + 3300, t0 + 3300]);
	t.is(after.state, 'working');
	t.is(after.reason, 'started');
});

test('a guess that flips to another, or goes away, before debounceMs restarts the wait', t => {
	const {results, job: after} = run(job(), [
		{atMs: 20_000},
		{atMs: 21_000, screen: question, activity: t0s + 21},
		{atMs: 22_000, screen: 'nothing to see', activity: t0s + 22},
		{atMs: 23_000, screen: question, activity: t0s + 23},
		{atMs: 24_499, screen: question, activity: t0s + 23},
	], 1500);
	t.deepEqual(results.map(result => result.pending && [result.pending.state, result.pending.since]), [
		['ready', t0 + 20_000],
		['needs-input', t0 + 21_000],
		undefined,
		['needs-input', t0 + 23_000],
		['needs-input', t0 + 23_000],
	]);
	t.true(results.every(result => result.change === undefined));
	t.is(after.state, 'working');
});

test('the silence guess keeps its first sighting while its reason counts up', t => {
	const {results} = run(job(), [{atMs: 20_000}, {atMs: 21_000}, {atMs: 21_500}], 1500);
	t.deepEqual(results[0].pending, {state: 'ready', reason: 'no output for 20s', signal: 'idle', since: t0 + 20_000});
	t.deepEqual(results[1].pending, {state: 'ready', reason: 'no output for 21s', signal: 'idle', since: t0 + 20_000});
	t.deepEqual(results[2], {change: {state: 'ready', reason: 'no output for 22s', signal: 'idle'}});
});

test('with debounceMs 0 every guess applies on the tick it is seen', t => {
	const {results} = run(job(), [
		{atMs: 1000, screen: question},
		{atMs: 2000, screen: busy, activity: t0s + 2},
		{atMs: 30_000, activity: t0s + 2},
	], 0);
	t.deepEqual(results, [
		{change: {state: 'needs-input', reason: asks, signal: 'screen'}},
		{change: {state: 'working', reason: busy, signal: 'screen'}},
		{change: {state: 'ready', reason: 'no output for 28s', signal: 'idle'}},
	]);
});

test('a working agent that asks, is answered, works and falls silent goes working -> needs-input -> working -> ready', t => {
	const {results, job: after} = run(job({reason: 'started'}), [
		{atMs: 1000, screen: question, activity: t0s + 1},
		{atMs: 2600, screen: question, activity: t0s + 1},
		{atMs: 60_000},
		{atMs: 65_000, activity: t0s + 64},
		{atMs: 66_500, activity: t0s + 66},
		{atMs: 86_000, activity: t0s + 66},
		{atMs: 87_500, activity: t0s + 66},
	], 1500);
	t.deepEqual(results.map(result => result.change?.state ?? (result.pending ? `(${result.pending.state})` : '-')), [
		'(needs-input)', 'needs-input', '-', '(working)', 'working', '(ready)', 'ready',
	]);
	t.is(after.reason, 'no output for 22s');
});

test('screenCandidate says nothing for a missing or dead pane', t => {
	t.is(screenCandidate(job(), observe({pane: undefined, screen: question})), undefined);
	t.is(screenCandidate(job(), observe({pane: pane({dead: true, deadStatus: 0}), screen: question})), undefined);
});

test('screenCandidate reports what the screen suggests before any debounce', t => {
	t.deepEqual(screenCandidate(job(), observe({screen: question})), {state: 'needs-input', reason: asks, signal: 'screen'});
	t.deepEqual(screenCandidate(job({state: 'ready'}), observe({screen: busy})), {state: 'working', reason: busy, signal: 'screen'});
	t.deepEqual(screenCandidate(job(), observe({nowMs: t0 + 20_000})), {state: 'ready', reason: 'no output for 20s', signal: 'idle'});
	t.is(screenCandidate(job(), observe()), undefined);
});

test('screenCandidate repeats the current state, so deriveState can tell reason changes from state changes', t => {
	t.deepEqual(screenCandidate(job({state: 'needs-input', reason: asks}), observe({screen: question})), {state: 'needs-input', reason: asks, signal: 'screen'});
	t.deepEqual(screenCandidate(job({state: 'ready'}), observe({nowMs: t0 + 60_000})), {state: 'ready', reason: 'no output for 60s', signal: 'idle'});
});

test('compilePatterns puts the preset\'s patterns before the general ones', t => {
	const compiled = compilePatterns(
		{needs_input: ['preset-q1', 'preset-q2'], working: ['preset-w']},
		{needs_input: ['general-q'], working: ['general-w1', 'general-w2']},
	);
	t.deepEqual(compiled.needsInput.map(pattern => pattern.source), ['preset-q1', 'preset-q2', 'general-q']);
	t.deepEqual(compiled.working.map(pattern => pattern.source), ['preset-w', 'general-w1', 'general-w2']);
});

test('compilePatterns compiles case-insensitive patterns without state between calls', t => {
	const compiled = compilePatterns(undefined, {needs_input: [String.raw`\[y/N\]`], working: ['esc to interrupt']});
	for (const pattern of [...compiled.needsInput, ...compiled.working]) t.is(pattern.flags, 'i');
	t.true(compiled.needsInput[0].test('Continue? [Y/n]'));
	t.true(compiled.needsInput[0].test('Continue? [Y/n]'));
	t.true(compiled.working[0].test('ESC TO INTERRUPT'));
	t.false(compiled.working[0].test('escape to interrupt'));
});

test('compilePatterns takes a missing preset or missing lists as no patterns', t => {
	t.deepEqual(compilePatterns(undefined, {}), {rules: [], needsInput: [], working: []});
	const onlyPreset = compilePatterns({working: ['w']}, {needs_input: ['q']});
	t.deepEqual(onlyPreset.needsInput.map(pattern => pattern.source), ['q']);
	t.deepEqual(onlyPreset.working.map(pattern => pattern.source), ['w']);
});

test('a preset pattern finds a question the general patterns do not know', t => {
	const general = {needs_input: [String.raw`\[y/N\]`], working: []};
	const screen = 'Do you want to make this edit to a.ts?\n❯ 1. Yes\n  2. No';
	const withPreset = compilePatterns({needs_input: ['Do you want to (proceed|make this edit|create)']}, general);
	t.deepEqual(deriveState(job(), observe({screen, patterns: compilePatterns(undefined, general), debounceMs: 0})), {});
	t.deepEqual(deriveState(job(), observe({screen, patterns: withPreset, debounceMs: 0})).change, {
		state: 'needs-input', reason: 'asks: Do you want to make this edit to a.ts?', signal: 'screen',
	});
});

test('every live state but queued can be moved by the screen', t => {
	const moved: JobState[] = [];
	for (const state of ['queued', 'working', 'needs-input', 'ready'] as const) {
		const derived = deriveState(job({state, reason: 'x', windowId: state === 'queued' ? undefined : '@7'}), observe({screen: 'Proceed? (esc to interrupt)', debounceMs: 0}));
		if (derived.change) moved.push(state);
	}

	t.deepEqual(moved, ['working', 'needs-input', 'ready']);
});

// Signal table 7: an agent that reports some states itself (Gemini's hooks) and is read from its own screens too.
const spinnerRule = [{pattern: /esc to cancel/, state: 'working', reason: 'working'}] as const;
const spinner = compilePatterns(undefined, {}, [...spinnerRule], true);
const turnOver = {state: 'ready', reason: 'finished its turn'} as const;
table([
	{
		title: 'a job its own screen made working goes back to what its agent said once that screen is gone',
		job: {state: 'working', reason: 'working', reportedAt: new Date(t0).toISOString(), said: turnOver},
		observation: {screen: ' >   Type your message', patterns: spinner, debounceMs: 0},
		expected: {change: {...turnOver, signal: 'report'}},
	},
	{
		title: 'while its own screen still shows the busy sign, that sign holds over what its agent said',
		job: {state: 'working', reason: 'working', reportedAt: new Date(t0).toISOString(), said: turnOver},
		observation: {screen: '⠋ Thinking (esc to cancel, 2s)', patterns: spinner, debounceMs: 0},
		expected: {},
	},
	{
		title: 'the way back to what its agent said waits for the debounce like any other change',
		job: {state: 'working', reason: 'working', reportedAt: new Date(t0).toISOString(), said: turnOver},
		observation: {screen: ' >   Type your message', patterns: spinner},
		expected: {pending: {...turnOver, signal: 'report', since: t0 + 5000}},
	},
	{
		title: 'a question its agent asked is not asked again once its screen moved on: the question was answered',
		job: {state: 'working', reason: 'working', reportedAt: new Date(t0).toISOString(), said: {state: 'needs-input', reason: 'permission: touch a.txt'}},
		observation: {screen: ' >   Type your message', patterns: spinner, debounceMs: 0},
		expected: {},
	},
]);

test('an agent that reports only the ends of turns (Codex) keeps the state its screen gave when the sign is gone: a turn the user started has no report', t => {
	const codexLike = compilePatterns(undefined, {}, [...spinnerRule]);
	const working = job({state: 'working', reason: 'working', reportedAt: new Date(t0).toISOString(), said: turnOver});
	t.deepEqual(deriveState(working, observe({screen: ' >   Type your message', patterns: codexLike, debounceMs: 0})), {});
});
