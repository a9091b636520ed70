import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {claimantAlive, ownClaim, parseClaim} from '../src/core/processes/claim.js';
import {withLock} from '../src/core/processes/lock.js';
import {processStartTime} from '../src/core/processes/processes.js';
import {waitFor} from './helpers/ao.js';

// One claim primitive for exclusive files (src/core/processes/claim.ts), and its three users under a stampede: the lock (in
// lock.test.ts), the supervisor's pid file and a job's name.

function tempDir(t: {teardown: (fn: () => void) => void}): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-test-claim-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	return dir;
}

const moduleUrl = (file: string) => JSON.stringify(new URL(`../src/core/${file}`, import.meta.url).href);

/**
 * Runs `count` processes of `script` (ES module text; argv[1] onward are `args`), which say "ready" in `log` and then
 * wait for `${log}.go`: it is made once all are ready and `whenAllWait` has run (the holder killed). Resolves with
 * what each printed.
 */
async function stampede(script: string, args: string[], count: number, log: string, whenAllWait: () => Promise<void>): Promise<string[]> {
	const outputs = Array.from({length: count}, () => new Promise<string>(resolve => {
		let out = '';
		const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {stdio: ['ignore', 'pipe', 'inherit']});
		child.stdout.on('data', chunk => {
			out += String(chunk);
		});
		child.on('exit', () => resolve(out.trim()));
	}));
	await waitFor('every claimant to be ready', async () => (await fs.readFile(log, 'utf8').catch(() => '')).split('ready').length > count);
	await whenAllWait();
	await fs.writeFile(`${log}.go`, '');
	return Promise.all(outputs);
}

test('a claim names its process by pid and start time: a pid the kernel gave to another process since is no holder', async t => {
	const mine = parseClaim(ownClaim('abcd1234'));
	t.deepEqual(mine, {pid: process.pid, started: processStartTime(process.pid), label: 'abcd1234'});
	t.true(claimantAlive(mine!));
	// This very pid, but another process's start time: the process that made the claim is gone.
	t.false(claimantAlive({pid: process.pid, started: processStartTime(process.pid)! + 1}));
	t.deepEqual(parseClaim('4242'), {pid: 4242}, 'a pid alone (an older ao) is read');
	t.is(parseClaim('garbage'), undefined);
	const lock = path.join(tempDir(t), 'lock');
	await fs.writeFile(lock, `${process.pid} ${processStartTime(process.pid)! + 1}`);
	t.is(await withLock(lock, async () => 'taken', 2000), 'taken', 'a lock whose pid was reused is taken over');
});

test('16 supervisors started at once when the pid file\'s holder dies: one takes it, the others see it and exit', async t => {
	const home = tempDir(t);
	const pidFile = path.join(home, 'supervisor.pid');
	const log = path.join(home, 'log');
	const holder = spawn('sleep', ['60']);
	t.teardown(() => holder.kill('SIGKILL'));
	await waitFor('the holder to start', () => processStartTime(holder.pid!) !== undefined);
	await fs.writeFile(pidFile, `${holder.pid} ${processStartTime(holder.pid!)}`);
	const script = `
		import {appendFileSync, existsSync} from 'node:fs';
		import {claimPidFile} from ${moduleUrl('supervisor/pid-file.js')};
		import {StatePaths} from ${moduleUrl('paths.js')};
		appendFileSync(process.argv[2], 'ready\\n');
		while (!existsSync(process.argv[2] + '.go')) await new Promise(resolve => setTimeout(resolve, 5));
		const holder = await claimPidFile(new StatePaths(process.argv[1]));
		process.stdout.write(holder === undefined ? 'took ' + process.pid : 'saw ' + holder);
		// A supervisor that took the file keeps running (and holding it) a while.
		if (holder === undefined) await new Promise(resolve => setTimeout(resolve, 3000));
	`;
	// The go is given once the holder is gone for good (a SIGKILL takes a moment on a busy machine).
	const outputs = await stampede(script, [home, log], 16, log, async () => {
		const gone = new Promise(resolve => holder.once('exit', resolve));
		holder.kill('SIGKILL');
		await gone;
	});
	const took = outputs.filter(output => output.startsWith('took '));
	t.is(took.length, 1, outputs.join('\n'));
	const winner = took[0]!.slice(5);
	t.deepEqual(outputs.filter(output => output.startsWith('saw ')), Array.from({length: 15}, () => `saw ${winner}`));
});

test('16 dispatches claiming one name when its holder\'s dispatch died before writing the job: one gets it', async t => {
	const home = tempDir(t);
	const log = path.join(home, 'log');
	mkdirSync(path.join(home, 'names'), {recursive: true});
	const dead = spawn('true');
	await new Promise(resolve => dead.on('exit', resolve));
	// A dispatch that claimed the name, then died before its job was written: no job dir, no live claimant.
	await fs.writeFile(path.join(home, 'names', 'fix-login'), `0badf00d ${dead.pid} 1`);
	const script = `
		import {appendFileSync, existsSync} from 'node:fs';
		import {randomBytes} from 'node:crypto';
		import {JobStore} from ${moduleUrl('jobs/store.js')};
		import {StatePaths} from ${moduleUrl('paths.js')};
		const id = randomBytes(4).toString('hex');
		appendFileSync(process.argv[2], 'ready\\n');
		while (!existsSync(process.argv[2] + '.go')) await new Promise(resolve => setTimeout(resolve, 5));
		const holder = await new JobStore(new StatePaths(process.argv[1])).claimName('fix-login', id);
		process.stdout.write(holder === undefined ? 'took ' + id : 'saw ' + holder);
		// Its job is not written yet: the claim stands while this dispatch runs.
		await new Promise(resolve => setTimeout(resolve, 3000));
	`;
	const outputs = await stampede(script, [home, log], 16, log, async () => undefined);
	const took = outputs.filter(output => output.startsWith('took '));
	t.is(took.length, 1, outputs.join('\n'));
	t.deepEqual(outputs.filter(output => output.startsWith('saw ')), Array.from({length: 15}, () => `saw ${took[0]!.slice(5)}`));
});
