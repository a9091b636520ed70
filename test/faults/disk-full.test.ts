import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {root, useSandbox, waitForState, type AoSandbox, type JobJson} from '../helpers/ao.js';

/**
 * A state dir on a file system that is full. A real one where the test may mount a small tmpfs (root on Linux);
 * else every write under the state dir fails with ENOSPC through test/fixtures/enospc.mjs.
 */
async function fillUp(t: {teardown: (fn: () => void) => void; log: (...values: unknown[]) => void}, sandbox: AoSandbox, inject: boolean): Promise<{env: Record<string, string>; free: () => Promise<void>}> {
	const mount = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ao-full-')));
	try {
		if (inject) throw new Error('injected');
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mount], {stdio: 'ignore'});
	} catch {
		rmSync(mount, {recursive: true, force: true});
		t.log('ENOSPC injected into every write under the state dir');
		return {
			env: {NODE_OPTIONS: `--import=${path.join(root, 'test', 'fixtures', 'enospc.mjs')}`, AO_FAULT_ENOSPC: sandbox.home},
			free: async () => undefined,
		};
	}

	// Unmounted after the sandbox's own cleanup (teardowns run last registered, first).
	t.teardown(() => {
		execFileSync('umount', ['-l', mount], {stdio: 'ignore'});
		rmSync(mount, {recursive: true, force: true});
	});
	// The state dir moves onto the small file system, then a filler takes every block that is left.
	await fs.cp(sandbox.home, path.join(mount, 'state'), {recursive: true});
	const home = path.join(mount, 'state');
	const filler = path.join(mount, 'filler');
	const chunk = Buffer.alloc(64 * 1024, 1);
	for (;;) {
		try {
			await fs.appendFile(filler, chunk);
		} catch {
			break;
		}
	}

	for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
		for (;;) {
			try {
				await fs.appendFile(filler, Buffer.alloc(size, 1));
			} catch {
				break;
			}
		}
	}

	t.log('state dir on a full 4 MB tmpfs');
	return {env: {AO_HOME: home}, free: async () => fs.rm(filler, {force: true})};
}

for (const inject of [false, true]) {
	test(`on a full disk a command fails with a clear one-line error, and the earlier state is intact (${inject ? 'injected ENOSPC' : 'a full tmpfs where it can be mounted'})`, async t => {
		await fullDisk(t, inject);
	});
}

async function fullDisk(t: ExecutionContext, inject: boolean): Promise<void> {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const kept = JSON.parse((await sandbox.ao(['dispatch', '--json', '-n', 'kept', 'x'])).stdout) as JobJson;
	await waitForState(sandbox, kept.id, 'needs-input');
	await sandbox.ao(['stop', 'kept']);
	// The server goes away first: the state dir is about to move, and nothing may write to the old one meanwhile.
	await sandbox.ao(['server', 'stop']);
	const disk = await fillUp(t, sandbox, inject);
	const home = disk.env.AO_HOME ?? sandbox.home;
	const stateFile = path.join(home, 'jobs', kept.id, 'state.json');
	const before = readFileSync(stateFile, 'utf8');
	const run = async (args: string[]) => sandbox.ao(args, {env: disk.env});

	const pin = await run(['pin', 'kept']);
	t.is(pin.exitCode, 1);
	t.regex(pin.stderr, /^ao: the disk is full \(ENOSPC on \w+ of .*\); nothing more was written: fix that and run the command again$/);
	t.is(readFileSync(stateFile, 'utf8'), before, 'the record is as it was');
	t.deepEqual(readdirSync(path.dirname(stateFile)).filter(file => file.endsWith('.tmp')), [], 'no half-written temp file is left');

	const dispatch = await run(['dispatch', '-n', 'more', 'x']);
	t.not(dispatch.exitCode, 0);
	t.regex(dispatch.stderr, /^ao: the disk is full \(ENOSPC/);
	t.is(dispatch.stderr.trim().split('\n').length, 1);
	const list = await run(['list', '--all', '--json']);
	t.is(list.exitCode, 0, list.stderr);
	t.deepEqual((JSON.parse(list.stdout) as JobJson[]).map(job => job.name), ['kept'], 'no half-made job');
	t.false(existsSync(path.join(sandbox.dir, 'repo.worktrees', 'more')), 'no worktree was left behind');
	t.is((await sandbox.git(['branch', '--list', 'ao/more'])).trim(), '', 'no branch was left behind');

	await disk.free();
	if (disk.env.AO_HOME) {
		const again = await run(['pin', 'kept']);
		t.is(again.exitCode, 0, again.stderr);
		t.true((JSON.parse(readFileSync(stateFile, 'utf8')) as JobJson).pinned);
	}
}
