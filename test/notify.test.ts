import test from 'ava';
import type {Job} from '../src/core/jobs/job.js';
import {notificationText} from '../src/core/supervisor/notify.js';
import {jobRecord} from './helpers/records.js';

const job = jobRecord;

const rows: Array<{title: string; job: Partial<Job>; expected: string}> = [
	{
		title: 'a job that needs input is announced with its reason',
		job: {state: 'needs-input', reason: 'asks: Apply this change? [y/N]'},
		expected: 'ao: fix (abcd1234) needs input: asks: Apply this change? [y/N]',
	},
	{
		title: 'a job that needs input without a reason is announced without a colon',
		job: {state: 'needs-input', reason: ''},
		expected: 'ao: fix (abcd1234) needs input',
	},
	{
		title: 'a ready job is announced as ready for review with its reason',
		job: {state: 'ready', reason: 'no output for 20s'},
		expected: 'ao: fix (abcd1234) is ready for review: no output for 20s',
	},
	{
		title: 'a ready job without a reason is announced without a colon',
		job: {state: 'ready', reason: ''},
		expected: 'ao: fix (abcd1234) is ready for review',
	},
	{
		title: 'the job is named by its name and its id',
		job: {state: 'ready', reason: 'finished its turn', name: 'auth-refactor', id: '0f9e8d7c'},
		expected: 'ao: auth-refactor (0f9e8d7c) is ready for review: finished its turn',
	},
	{
		title: 'a reason reported by a hook is passed on as it is',
		job: {state: 'needs-input', reason: 'Claude needs your permission to use Bash'},
		expected: 'ao: fix (abcd1234) needs input: Claude needs your permission to use Bash',
	},
];

for (const row of rows) {
	test(`notificationText: ${row.title}`, t => {
		t.is(notificationText(job(row.job)), row.expected);
	});
}

test('notificationText is one line for a one-line reason', t => {
	const text = notificationText(job({state: 'needs-input', reason: 'asks: Continue? (y/n)'}));
	t.false(text.includes('\n'));
	t.true(text.startsWith('ao: '));
});

test('notificationText does not change the job', t => {
	const record = job({state: 'ready', reason: 'finished its turn'});
	const before = structuredClone(record);
	notificationText(record);
	t.deepEqual(record, before);
});
