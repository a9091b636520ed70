import {existsSync, readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import test from 'ava';
import {execa} from 'execa';
import {aoBin, runningStates, useSandbox, waitFor, type JobJson} from '../helpers/ao.js';
import {descendants, processTable} from '../../src/core/processes/processes.js';
import {brokenInvariants} from './invariants.js';

const randomBetween = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

function supervisorPid(home: string): number | undefined {
	const pid = Number.parseInt(readFileSync(path.join(home, 'supervisor.pid'), 'utf8'), 10);
	return pid > 0 ? pid : undefined;
}

test('kill -9 of the supervisor at random moments while 20 dispatches run: every job starts once, nothing is lost', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await sandbox.ao(['server', 'status']);
	let done = false;
	let kills = 0;
	const killer = (async () => {
		while (!done) {
			await sleep(randomBetween(50, 400));
			try {
				process.kill(supervisorPid(sandbox.home)!, 'SIGKILL');
				kills++;
			} catch {
				// Between a death and the restart there is no supervisor to kill.
			}
		}
	})();
	const results = await Promise.all(Array.from({length: 20}, async (_, index) => sandbox.ao(['dispatch', '-n', `job-${index}`, 'x'])));
	done = true;
	await killer;
	t.true(kills > 0, 'the supervisor was killed at least once');
	t.deepEqual(results.filter(result => result.exitCode !== 0).map(result => result.stderr), []);
	const jobs = await waitFor('all 20 agents running with the supervisor back', async () => {
		const list = await sandbox.aoJson<JobJson[]>(['list', '--all']);
		const pid = (() => {
			try {
				return supervisorPid(sandbox.home);
			} catch {
				return undefined;
			}
		})();
		return list.length === 20 && list.every(job => runningStates.includes(job.state)) && pid !== undefined && list;
	});
	t.is(new Set(jobs.map(job => job.windowId)).size, 20);
	t.deepEqual(await brokenInvariants(sandbox), []);
	t.regex((await sandbox.ao(['doctor'])).stdout, /ok +leftovers/);
});

test('kill -9 of ao dispatch at random moments: doctor reports what was left half-made, --repair cleans it, the rest is whole', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await sandbox.ao(['server', 'status']);
	// One whole dispatch, timed, so the kills land before, during and after the parts of one.
	const started = Date.now();
	await sandbox.ao(['dispatch', '-n', 'whole', 'x']);
	const took = Date.now() - started;
	const orphans: number[] = [];
	for (let index = 0; index < 12; index++) {
		const child = execa(process.execPath, [aoBin, 'dispatch', '-n', `cut-${index}`, 'x'], {cwd: sandbox.repo, env: sandbox.env, reject: false});
		await sleep(randomBetween(took / 4, took * 1.2));
		// Only the CLI dies: what it started (git worktree add) runs on to its end, as after a real kill -9.
		// Held first, so it starts nothing more between the look at its children and the kill.
		child.kill('SIGSTOP');
		orphans.push(...descendants(child.pid!, processTable()).slice(1));
		child.kill('SIGKILL');
		await child;
	}

	await waitFor('the processes the killed dispatches started to end', () => orphans.every(pid => !existsSync(`/proc/${pid}`)));
	const before = await sandbox.ao(['doctor']);
	const repaired = await sandbox.ao(['doctor', '--repair']);
	t.notRegex(repaired.stdout, /FAIL +leftovers/, repaired.stdout);
	const after = await sandbox.ao(['doctor']);
	t.regex(after.stdout, /ok +leftovers +none/);
	// What doctor reported, --repair fixed; when the kills left nothing half-made, it says so.
	t.regex(repaired.stdout, /FAIL +leftovers/.test(before.stdout) ? /^repaired: /m : /^nothing to repair$/m);
	t.deepEqual(await brokenInvariants(sandbox), []);
	// Every job that is left runs its agent (the rest were undone): and git has no worktree or branch without a job.
	const jobs = await waitFor('the jobs left to run', async () => {
		const list = await sandbox.aoJson<JobJson[]>(['list', '--all']);
		return list.every(job => runningStates.includes(job.state)) && list;
	});
	const worktrees = (await sandbox.git(['worktree', 'list', '--porcelain'])).split('\n').filter(line => line.startsWith('worktree ')).map(line => line.slice(9));
	t.deepEqual(worktrees.slice(1).sort(), jobs.map(job => job.worktree).sort());
	const branches = (await sandbox.git(['branch', '--list', 'ao/*', '--format=%(refname:short)'])).split('\n').filter(Boolean);
	t.deepEqual(branches.sort(), jobs.map(job => job.branch!).sort());
	t.log(`a dispatch took ${took} ms; ${jobs.length - 1} of 12 completed before the kill; doctor found: ${before.stdout.match(/leftovers.*/)?.[0] ?? ''}`);
});

test('kill -9 of the tmux server: jobs become failed (lost), ao respawn --all brings them back in their worktrees', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const ids = [];
	for (const name of ['one', 'two', 'three']) ids.push(JSON.parse((await sandbox.ao(['dispatch', '--json', '-n', name, 'x'])).stdout).id as string);
	await waitFor('three agents running', async () => (await sandbox.aoJson<JobJson[]>(['list'])).filter(job => runningStates.includes(job.state)).length === 3);
	const serverPid = Number((await sandbox.tmux(['display-message', '-p', '#{pid}'])).trim());
	process.kill(serverPid, 'SIGKILL');
	const lost = await waitFor('the jobs to be lost', async () => {
		const list = await sandbox.aoJson<JobJson[]>(['list', '--all']);
		return list.every(job => job.state === 'failed' && job.reason === 'lost') && list;
	});
	t.is(lost.length, 3);
	for (const id of ids) await fs.rm(path.join(sandbox.home, `fixture-${id}.json`), {force: true});
	const respawned = await sandbox.ao(['respawn', '--all']);
	t.is(respawned.exitCode, 0, respawned.stderr);
	await waitFor('the agents to run again', async () => (await sandbox.aoJson<JobJson[]>(['list'])).filter(job => runningStates.includes(job.state)).length === 3);
	for (const id of ids) {
		// A job is written down as working just before its agent starts: wait for the agent's own record.
		const file = path.join(sandbox.home, `fixture-${id}.json`);
		const record = JSON.parse(await waitFor(`the agent of ${id} to start`, async () => fs.readFile(file, 'utf8').catch(() => undefined))) as {cwd: string};
		t.true(record.cwd.endsWith(`repo.worktrees/${lost.find(job => job.id === id)!.name}`));
	}

	t.deepEqual(await brokenInvariants(sandbox), []);
});
