import test from 'ava';
import {jobIdPattern, parseJob, type Job} from '../src/core/jobs/job.js';

function record(fields: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		id: 'abcd1234',
		name: 'fix-login',
		agent: 'claude',
		task: 'Fix the login',
		argv: ['claude', '--session-id', '5b1f', 'Fix the login'],
		state: 'working',
		reason: '',
		cwd: '/home/me/repo',
		repo: '/home/me/repo',
		worktree: '/home/me/repo.worktrees/fix-login',
		branch: 'ao/fix-login',
		sessionId: '5b1f',
		windowId: '@3',
		pid: 4242,
		pinned: true,
		createdAt: '2024-05-01T12:00:00.000Z',
		updatedAt: '2024-05-01T12:05:00.000Z',
		stateSince: '2024-05-01T12:01:00.000Z',
		...fields,
	};
}

test('a complete record is returned as it is', t => {
	const value = record();
	t.deepEqual(parseJob(value, 'abcd1234'), value as Job);
});

test('a record parsed from JSON text round-trips', t => {
	const value = record({exitCode: 0, state: 'completed', reason: 'exit 0'});
	t.deepEqual(parseJob(JSON.parse(JSON.stringify(value)), 'abcd1234'), value as Job);
});

test('unknown extra fields written by a newer version are kept', t => {
	const parsed = parseJob(record({futureField: {nested: [1, 2]}, note: 'hi'}), 'abcd1234');
	t.not(typeof parsed, 'string');
	t.deepEqual((parsed as Job).futureField, {nested: [1, 2]});
	t.is((parsed as Job).note, 'hi');
});

test('optional fields get their defaults, stateSince defaults to updatedAt', t => {
	const minimal = {
		id: 'abcd1234',
		name: 'n',
		agent: 'shell',
		state: 'queued',
		cwd: '/tmp',
		worktree: '/tmp',
		createdAt: '2024-05-01T12:00:00.000Z',
		updatedAt: '2024-05-01T12:05:00.000Z',
	};
	t.deepEqual(parseJob(minimal, 'abcd1234'), {
		...minimal,
		task: '',
		argv: [],
		reason: '',
		sessionId: '',
		pinned: false,
		stateSince: '2024-05-01T12:05:00.000Z',
	} as Job);
});

test('present values are not replaced by defaults, even falsy ones', t => {
	const parsed = parseJob(record({task: '', pinned: false, reason: 'exit 3', argv: []}), 'abcd1234') as Job;
	t.is(parsed.reason, 'exit 3');
	t.is(parsed.pinned, false);
	t.is(parsed.stateSince, '2024-05-01T12:01:00.000Z');
});

test('the input object is not modified', t => {
	const value = record();
	delete value.task;
	const before = structuredClone(value);
	parseJob(value, 'abcd1234');
	t.deepEqual(value, before);
});

test('a value that is not an object is refused', t => {
	for (const value of [null, undefined, 'abcd1234', 42, true, [record()]]) {
		t.is(parseJob(value, 'abcd1234'), 'not a JSON object', JSON.stringify(value));
	}
});

test('each missing required string field is named', t => {
	for (const key of ['id', 'name', 'agent', 'cwd', 'worktree', 'createdAt', 'updatedAt']) {
		const value = record();
		delete value[key];
		t.is(parseJob(value, 'abcd1234'), `"${key}" is missing or not a string`, key);
	}
});

test('a required field of the wrong type is named', t => {
	t.is(parseJob(record({name: 7}), 'abcd1234'), '"name" is missing or not a string');
	t.is(parseJob(record({worktree: null}), 'abcd1234'), '"worktree" is missing or not a string');
	t.is(parseJob(record({createdAt: 1_714_564_800_000}), 'abcd1234'), '"createdAt" is missing or not a string');
});

test('an id that does not match its folder is refused with both', t => {
	t.is(parseJob(record({id: 'ffff0000'}), 'abcd1234'), '"id" is "ffff0000" but the folder is abcd1234');
	t.is(parseJob(record({id: '../../etc'}), 'abcd1234'), '"id" is "../../etc" but the folder is abcd1234');
});

test('an unknown or missing state is refused', t => {
	t.is(parseJob(record({state: 'running'}), 'abcd1234'), '"state" is "running", not a known state');
	t.is(parseJob(record({state: 'WORKING'}), 'abcd1234'), '"state" is "WORKING", not a known state');
	t.is(parseJob(record({state: 3}), 'abcd1234'), '"state" is 3, not a known state');
	const value = record();
	delete value.state;
	t.is(parseJob(value, 'abcd1234'), '"state" is undefined, not a known state');
});

test('every known state is accepted', t => {
	for (const state of ['queued', 'working', 'needs-input', 'ready', 'completed', 'failed', 'stopped']) {
		const parsed = parseJob(record({state}), 'abcd1234');
		t.is((parsed as Job).state as string, state);
	}
});

test('job ids are exactly 8 lowercase hex digits', t => {
	t.true(jobIdPattern.test('abcd1234'));
	t.true(jobIdPattern.test('00000000'));
	for (const id of ['ABCD1234', 'abcd123', 'abcd12345', 'abcd123g', '', '../abcd1']) t.false(jobIdPattern.test(id), id);
});
