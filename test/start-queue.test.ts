import test from 'ava';
import type {Config} from '../src/core/config/config-schema.js';
import type {Job} from '../src/core/jobs/job.js';
import {capBlock, queueOrder, runningJobs} from '../src/core/jobs/start.js';
import {jobRecord} from './helpers/records.js';

const job = jobRecord;

/** A queued job waiting for its first window, created `minute` minutes after noon. */
function queued(id: string, minute: number, fields: Partial<Job> = {}): Job {
	const at = `2024-05-01T12:${String(minute).padStart(2, '0')}:00.000Z`;
	return job({id, state: 'queued', reason: 'queued', windowId: undefined, pid: undefined, createdAt: at, updatedAt: at, stateSince: at, ...fields});
}

function running(id: string, fields: Partial<Job> = {}): Job {
	return job({id, windowId: `@${id}`, ...fields});
}

function ids(jobs: Job[]): string[] {
	return jobs.map(each => each.id);
}

const caps = (fields: Partial<Config['concurrency']> = {}): Config['concurrency'] => ({max_running: 5, per_repo: 0, stagger_ms: 0, start_wait_s: 30, ...fields});

test('queueOrder takes only queued jobs without a window that are not being prepared', t => {
	const jobs = [
		queued('00000001', 1),
		queued('00000002', 2, {preparing: true, reason: 'preparing'}),
		queued('00000003', 3, {windowId: '@3'}),
		queued('00000004', 4, {preparing: false}),
		running('00000005'),
		job({id: '00000006', state: 'ready', windowId: undefined}),
		job({id: '00000007', state: 'completed', windowId: undefined}),
		job({id: '00000008', state: 'stopped', windowId: undefined}),
	];
	t.deepEqual(ids(queueOrder(jobs)), ['00000001', '00000004']);
});

test('queueOrder starts the oldest first at equal priority', t => {
	t.deepEqual(ids(queueOrder([queued('00000003', 30), queued('00000001', 10), queued('00000002', 20)])), ['00000001', '00000002', '00000003']);
});

test('queueOrder starts a higher priority first, whatever its age', t => {
	const jobs = [
		queued('0000000a', 1),
		queued('0000000b', 2, {priority: 5}),
		queued('0000000c', 3, {priority: -1}),
		queued('0000000d', 4, {priority: 10}),
		queued('0000000e', 5, {priority: 0}),
	];
	t.deepEqual(ids(queueOrder(jobs)), ['0000000d', '0000000b', '0000000a', '0000000e', '0000000c']);
});

test('queueOrder counts a missing priority as 0', t => {
	t.deepEqual(ids(queueOrder([queued('00000002', 2, {priority: 0}), queued('00000001', 1)])), ['00000001', '00000002']);
	t.deepEqual(ids(queueOrder([queued('00000001', 1), queued('00000002', 2, {priority: 1})])), ['00000002', '00000001']);
});

test('queueOrder orders jobs of the same priority and age by id', t => {
	t.deepEqual(ids(queueOrder([queued('ffff0000', 1), queued('0000ffff', 1), queued('a0000000', 1)])), ['0000ffff', 'a0000000', 'ffff0000']);
});

test('queueOrder leaves the list it is given as it was', t => {
	const jobs = [queued('00000002', 2), queued('00000001', 1)];
	queueOrder(jobs);
	t.deepEqual(ids(jobs), ['00000002', '00000001']);
});

test('queueOrder of no queued jobs is empty', t => {
	t.deepEqual(queueOrder([]), []);
	t.deepEqual(queueOrder([running('00000001')]), []);
});

test('runningJobs takes live jobs with a window, but not queued ones', t => {
	const jobs = [
		running('00000001', {state: 'working'}),
		running('00000002', {state: 'needs-input'}),
		running('00000003', {state: 'ready'}),
		running('00000004', {state: 'queued'}),
		queued('00000005', 5),
		running('00000006', {state: 'completed'}),
		running('00000007', {state: 'failed'}),
		running('00000008', {state: 'stopped'}),
		job({id: '00000009', state: 'working', windowId: undefined}),
	];
	t.deepEqual(ids(runningJobs(jobs)), ['00000001', '00000002', '00000003']);
});

const capRows: Array<{title: string; job: Job; running: Job[]; caps: Config['concurrency']; expected: string | undefined}> = [
	{
		title: 'a free slot under max_running lets a job start',
		job: queued('00000001', 1),
		running: [running('00000002'), running('00000003')],
		caps: caps({max_running: 3}),
		expected: undefined,
	},
	{
		title: 'max_running agents running blocks the next one, with the numbers and the key',
		job: queued('00000001', 1),
		running: ['a', 'b', 'c', 'd', 'e'].map(letter => running(`0000000${letter}`)),
		caps: caps({max_running: 5}),
		expected: 'waiting for a slot: 5 of 5 agents running (concurrency.max_running)',
	},
	{
		title: 'more agents running than max_running (a lowered cap) still blocks, with the real count',
		job: queued('00000001', 1),
		running: ['a', 'b', 'c'].map(letter => running(`0000000${letter}`)),
		caps: caps({max_running: 2}),
		expected: 'waiting for a slot: 3 of 2 agents running (concurrency.max_running)',
	},
	{
		title: 'per_repo agents running in the job\'s repository block it, naming the repository folder',
		job: queued('00000001', 1, {repo: '/home/me/src/webapp'}),
		running: [running('00000002', {repo: '/home/me/src/webapp'}), running('00000003', {repo: '/home/me/src/webapp'}), running('00000004', {repo: '/home/me/src/api'})],
		caps: caps({per_repo: 2}),
		expected: 'waiting for a slot: 2 of 2 agents running in webapp (concurrency.per_repo)',
	},
	{
		title: 'agents in other repositories do not count toward per_repo',
		job: queued('00000001', 1, {repo: '/home/me/src/webapp'}),
		running: [running('00000002', {repo: '/home/me/src/webapp'}), running('00000003', {repo: '/home/me/src/api'}), running('00000004', {repo: '/home/me/src/api'}), running('00000005')],
		caps: caps({per_repo: 2}),
		expected: undefined,
	},
	{
		title: 'a repository with the same folder name elsewhere is another repository for per_repo',
		job: queued('00000001', 1, {repo: '/home/me/src/webapp'}),
		running: [running('00000002', {repo: '/home/me/old/webapp'})],
		caps: caps({per_repo: 1}),
		expected: undefined,
	},
	{
		title: 'per_repo 0 sets no limit of its own',
		job: queued('00000001', 1, {repo: '/home/me/src/webapp'}),
		running: ['a', 'b', 'c', 'd'].map(letter => running(`0000000${letter}`, {repo: '/home/me/src/webapp'})),
		caps: caps({per_repo: 0}),
		expected: undefined,
	},
	{
		title: 'a job without a repository (--no-worktree) ignores per_repo',
		job: queued('00000001', 1),
		running: [running('00000002'), running('00000003', {repo: '/home/me/src/webapp'})],
		caps: caps({per_repo: 1}),
		expected: undefined,
	},
	{
		title: 'max_running is checked before per_repo',
		job: queued('00000001', 1, {repo: '/home/me/src/webapp'}),
		running: [running('00000002', {repo: '/home/me/src/webapp'}), running('00000003', {repo: '/home/me/src/webapp'})],
		caps: caps({max_running: 2, per_repo: 1}),
		expected: 'waiting for a slot: 2 of 2 agents running (concurrency.max_running)',
	},
	{
		title: 'with nothing running a job may start under any caps',
		job: queued('00000001', 1, {repo: '/home/me/src/webapp'}),
		running: [],
		caps: caps({max_running: 1, per_repo: 1}),
		expected: undefined,
	},
];

for (const row of capRows) {
	test(`capBlock: ${row.title}`, t => {
		t.is(capBlock(row.job, row.running, row.caps), row.expected);
	});
}

test('a repository path with a trailing slash is still named by its folder', t => {
	const repo = '/home/me/src/webapp/';
	t.is(capBlock(queued('00000001', 1, {repo}), [running('00000002', {repo})], caps({per_repo: 1})), 'waiting for a slot: 1 of 1 agents running in webapp (concurrency.per_repo)');
});
