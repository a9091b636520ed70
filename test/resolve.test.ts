import test from 'ava';
import {AoError, UsageError} from '../src/core/errors.js';
import type {Job} from '../src/core/jobs/job.js';
import {resolveJob} from '../src/core/jobs/resolve.js';

function job(id: string, name: string): Job {
	const at = '2024-05-01T12:00:00.000Z';
	return {
		id,
		name,
		agent: 'shell',
		task: `task of ${name}`,
		argv: ['sh', '-c', 'true'],
		state: 'working',
		reason: '',
		cwd: '/tmp/repo',
		worktree: `/tmp/repo.worktrees/${name}`,
		sessionId: '00000000-0000-4000-8000-000000000000',
		pinned: false,
		createdAt: at,
		updatedAt: at,
		stateSince: at,
	};
}

const jobs = [
	job('1a2b3c4d', 'fix-login'),
	job('1a2b9999', 'add-tests'),
	job('7f000001', 'docs'),
	job('7f000002', 'docs'),
	job('c0ffee00', 'refactor'),
];

test('an exact id finds its job', t => {
	t.is(resolveJob('1a2b3c4d', jobs), jobs[0]);
	t.is(resolveJob('c0ffee00', jobs), jobs[4]);
});

test('a unique name finds its job', t => {
	t.is(resolveJob('fix-login', jobs), jobs[0]);
	t.is(resolveJob('refactor', jobs), jobs[4]);
});

test('a unique id prefix finds its job', t => {
	t.is(resolveJob('c', jobs), jobs[4]);
	t.is(resolveJob('1a2b3', jobs), jobs[0]);
	t.is(resolveJob('1a2b9', jobs), jobs[1]);
});

test('an exact id wins over a job named like it and over a prefix', t => {
	const tricky = [job('abcd0000', 'x'), job('abcd0001', 'abcd0000')];
	t.is(resolveJob('abcd0000', tricky), tricky[0]);
});

test('an exact name wins over an id prefix', t => {
	const tricky = [job('beef0001', 'x'), job('12345678', 'beef')];
	t.is(resolveJob('beef', tricky), tricky[1]);
});

test('an ambiguous prefix lists the matching ids and names and asks for more of the id', t => {
	const error = t.throws(() => resolveJob('1a2b', jobs), {instanceOf: AoError});
	t.is(error?.message, '"1a2b" matches 2 jobs (1a2b3c4d fix-login, 1a2b9999 add-tests); give more of the id');
	t.is(error?.exitCode, 1);
	t.false(error instanceof UsageError);
});

test('an ambiguous prefix with many matches lists five and says there are more', t => {
	const many = Array.from({length: 7}, (_, index) => job(`aa00000${index}`, `job-${index}`));
	const error = t.throws(() => resolveJob('aa', many));
	t.is(error?.message, '"aa" matches 7 jobs (aa000000 job-0, aa000001 job-1, aa000002 job-2, aa000003 job-3, aa000004 job-4, ...); give more of the id');
});

test('a name two jobs share is refused with both ids', t => {
	const error = t.throws(() => resolveJob('docs', jobs), {instanceOf: AoError});
	t.is(error?.message, 'name "docs" is used by 2 jobs (7f000001 docs, 7f000002 docs); give the id');
	t.is(error?.exitCode, 1);
});

test('an unknown ref says there is no such job', t => {
	for (const ref of ['x', 'nothing', 'ffff', '1a2b3c4d0', 'FIX-LOGIN', '1A2B']) {
		const error = t.throws(() => resolveJob(ref, jobs), {instanceOf: AoError}, ref);
		t.is(error?.message, `no job "${ref}" (see ao list --all)`);
		t.is(error?.exitCode, 1);
	}
});

test('no jobs at all: every ref is unknown', t => {
	t.throws(() => resolveJob('1a2b3c4d', []), {message: 'no job "1a2b3c4d" (see ao list --all)'});
});

test('hostile refs are usage errors and never resolve, even to a job with that name or id', t => {
	const trap = [
		job('2e2e2f78', '../x'),
		job('61626364', 'a/b'),
		job('00000000', ''),
		job('3b3b3b3b', 'x;rm'),
	];
	for (const ref of ['../x', 'a/b', '', 'x;rm', '..', '.', '/etc/passwd', 'a b', '-1', '$(id)', 'x\n', 'a..b', 'x'.repeat(65), '\u0000']) {
		const error = t.throws(() => resolveJob(ref, [...jobs, ...trap]), {instanceOf: UsageError}, JSON.stringify(ref));
		t.is(error?.exitCode, 2);
		t.is(error?.message, `${JSON.stringify(ref)} is not a job: give a job id, a unique id prefix or a name (see ao list)`);
	}
});
