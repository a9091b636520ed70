import {readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {root, useSandbox, waitFor, type AoSandbox, type JobJson} from './helpers/ao.js';

interface Build {
	version: string;
	build: string;
	bin: string;
}

interface Status {
	supervisorPid?: number;
	build: Build;
	supervisorBuild?: Build;
}

/**
 * A copy of this checkout's ao as `make install` would leave another build: the same code, another version in
 * package.json, stamped again by bin/stamp-build.
 */
async function copyOfAo(dir: string, version: string): Promise<string> {
	for (const part of ['bin', 'dist', 'tmux', 'config']) await fs.cp(path.join(root, part), path.join(dir, part), {recursive: true});
	const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string};
	await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({...manifest, version}, null, 2));
	await fs.symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
	await execa(process.execPath, [path.join(dir, 'bin', 'stamp-build')]);
	return path.join(dir, 'bin', 'ao');
}

async function run(sandbox: AoSandbox, bin: string, args: string[]): Promise<string> {
	const result = await execa(process.execPath, [bin, ...args], {cwd: sandbox.repo, env: sandbox.env, reject: false, stdin: 'ignore'});
	if (result.exitCode !== 0) throw new Error(`${bin} ${args.join(' ')}: ${String(result.stderr)}`);
	return String(result.stdout);
}

test('after an upgrade the next command restarts the supervisor on the new build; every agent, window and record stays', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const checkout = path.join(sandbox.dir, 'ao');
	const ao = await copyOfAo(checkout, '0.9.0');
	for (const name of ['one', 'two']) await run(sandbox, ao, ['dispatch', '-n', name, '--', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done']);
	const before = JSON.parse(await run(sandbox, ao, ['list', '--json'])) as JobJson[];
	const oldStatus = await waitFor('the old supervisor to record its build', async () => {
		const status = JSON.parse(await run(sandbox, ao, ['server', 'status', '--json'])) as Status;
		return status.supervisorBuild ? status : false;
	});
	t.is(oldStatus.supervisorBuild!.version, '0.9.0');
	// The upgrade: the same checkout now holds another build; the running supervisor still has the old one loaded.
	await fs.rm(checkout, {recursive: true});
	await copyOfAo(checkout, '0.9.1');
	const text = await run(sandbox, ao, ['server', 'status']);
	t.regex(text, /the supervisor runs ao 0\.9\.0 \(build [0-9a-f]{12}\), this is ao 0\.9\.1 \(build [0-9a-f]{12}\): the next ao command restarts it/);
	const both = JSON.parse(await run(sandbox, ao, ['server', 'status', '--json'])) as Status;
	t.is(both.build.version, '0.9.1');
	t.is(both.supervisorBuild!.version, '0.9.0', 'status itself changes nothing');
	t.not(both.build.build, both.supervisorBuild!.build);
	await run(sandbox, ao, ['list']);
	const after = await waitFor('a supervisor of the new build', async () => {
		const status = JSON.parse(await run(sandbox, ao, ['server', 'status', '--json'])) as Status;
		return status.supervisorBuild?.version === '0.9.1' && status.supervisorPid ? status : false;
	});
	t.not(after.supervisorPid, oldStatus.supervisorPid);
	t.is(after.supervisorBuild!.build, both.build.build);
	t.regex(await run(sandbox, ao, ['server', 'status']), /^ao 0\.9\.1 \(build [0-9a-f]{12}\)$/m);
	const jobs = JSON.parse(await run(sandbox, ao, ['list', '--json'])) as JobJson[];
	t.deepEqual(jobs.map(job => [job.id, job.state, job.windowId, job.pid]), before.map(job => [job.id, 'working', job.windowId, job.pid]));
	const windows = await sandbox.tmux(['list-windows', '-t', 'ao', '-F', '#{window_name}']);
	t.deepEqual(windows.split('\n').filter(Boolean), ['supervisor', 'one', 'two']);
	const ticks = async () => Number(/tick (\d+)\s*$/.exec((await run(sandbox, ao, ['peek', 'one'])).trim())?.[1] ?? 0);
	const first = await ticks();
	await waitFor('the agent to go on printing', async () => (await ticks()) > first);
	const log = await fs.readFile(path.join(sandbox.home, 'supervisor.log'), 'utf8');
	t.regex(log, /started: ao 0\.9\.0 .*\n(.*\n)*.*started: ao 0\.9\.1/);
	t.is(log.match(/started: ao 0\.9\.1/g)?.length, 1, 'restarted once, not again by later commands');
});
