import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {dispatchJson, useSandbox, waitForState, type AoSandbox, type AoResult} from '../helpers/ao.js';

/** A clear answer: exit 0, or a non-zero exit with one "ao: ..." line and no stack trace. */
function clear(t: {true: (value: boolean, message?: string) => void}, what: string, result: AoResult): void {
	const lines = result.stderr.trim().split('\n').filter(Boolean);
	const ok = result.exitCode === 0 ? !/\bat .*\.js:\d+/.test(result.stderr) : lines.length === 1 && lines[0]!.startsWith('ao: ');
	t.true(ok, `${what}: exit ${result.exitCode}, stderr ${JSON.stringify(result.stderr)}`);
}

async function stoppedJob(sandbox: AoSandbox, name: string) {
	const job = await dispatchJson(sandbox, ['-n', name, 'x']);
	await waitForState(sandbox, job.id, 'needs-input');
	await sandbox.ao(['stop', name]);
	return job;
}

test('a worktree deleted by hand: list, peek, logs and doctor still work; respawn says it is gone; rm clears the job', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await stoppedJob(sandbox, 'gone');
	await fs.rm(job.worktree, {recursive: true, force: true});
	for (const args of [['list', '--all'], ['peek', 'gone'], ['logs', 'gone'], ['doctor']]) clear(t, args.join(' '), await sandbox.ao(args));
	const respawn = await sandbox.ao(['respawn', 'gone']);
	t.is(respawn.exitCode, 1);
	t.regex(respawn.stderr, /^ao: job [0-9a-f]{8} \(gone\): its worktree .*repo\.worktrees\/gone is gone, so there is nothing to resume; ao rm [0-9a-f]{8} clears it$/);
	const rm = await sandbox.ao(['rm', 'gone']);
	t.is(rm.exitCode, 0, rm.stderr);
	t.regex(rm.stdout, /note: the worktree .* was already gone/);
	t.is((await sandbox.git(['branch', '--list', 'ao/gone'])).trim(), '');
});

test('a worktree and its branch removed with git by hand: the same, and rm does not trip over the missing branch', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await stoppedJob(sandbox, 'branchless');
	await sandbox.git(['worktree', 'remove', '--force', job.worktree]);
	await sandbox.git(['branch', '-D', 'ao/branchless']);
	clear(t, 'list', await sandbox.ao(['list', '--all']));
	const respawn = await sandbox.ao(['respawn', 'branchless']);
	t.is(respawn.exitCode, 1);
	t.regex(respawn.stderr, /is gone, so there is nothing to resume/);
	const rm = await sandbox.ao(['rm', 'branchless']);
	t.is(rm.exitCode, 0, rm.stderr);
	t.deepEqual(await sandbox.aoJson<unknown[]>(['list', '--all']), []);
});

test('a repository moved away: commands say so instead of crashing, and rm removes the record only', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await stoppedJob(sandbox, 'moved');
	const elsewhere = path.join(sandbox.dir, 'moved-repo');
	await fs.rename(sandbox.repo, elsewhere);
	const cwd = sandbox.dir;
	for (const args of [['list', '--all'], ['peek', 'moved'], ['logs', 'moved'], ['doctor'], ['cost']]) clear(t, args.join(' '), await sandbox.ao(args, {cwd}));
	const respawn = await sandbox.ao(['respawn', 'moved'], {cwd});
	t.is(respawn.exitCode, 1);
	t.regex(respawn.stderr, /^ao: job [0-9a-f]{8} \(moved\): its repository .*\/repo is gone \(moved or deleted\), so its worktree no longer works; dispatch again from where the repository is now, and ao rm [0-9a-f]{8} clears this one$/);
	const rm = await sandbox.ao(['rm', 'moved'], {cwd});
	t.is(rm.exitCode, 0, rm.stderr);
	t.regex(rm.stdout, /note: the repository .*\/repo is gone \(moved or deleted\); removed the job record only/);
	// From the repository's new place, a new job works.
	const again = await sandbox.ao(['dispatch', '-n', 'again', 'x'], {cwd: elsewhere});
	t.is(again.exitCode, 0, again.stderr);
});
