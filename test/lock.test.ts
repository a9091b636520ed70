import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {withLock} from '../src/core/processes/lock.js';
import {waitFor} from './helpers/ao.js';

function tempLock(t: {teardown: (fn: () => void) => void}): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-test-lock-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	return path.join(dir, 'lock');
}

async function ageBy(file: string, seconds: number): Promise<void> {
	const then = new Date(Date.now() - seconds * 1000);
	await fs.utimes(file, then, then);
}

test('a lock held by a live process is not broken however old it is: the waiter gives up with who holds it', async t => {
	const lock = tempLock(t);
	const holder = spawn('sleep', ['30']);
	t.teardown(() => holder.kill('SIGKILL'));
	await fs.writeFile(lock, String(holder.pid));
	await ageBy(lock, 600);
	let ran = false;
	const error = await t.throwsAsync(withLock(lock, async () => {
		ran = true;
	}, 300));
	t.false(ran);
	t.is(error?.message, `${lock} is held by ao process ${holder.pid}, still at work after 300 ms; if that is not an ao process, delete that file`);
	t.is(await fs.readFile(lock, 'utf8'), String(holder.pid), 'the lock is left to its holder');
});

test('a lock whose process is gone is taken over at once, and released after', async t => {
	const lock = tempLock(t);
	const gone = spawn('true');
	await new Promise(resolve => gone.on('exit', resolve));
	await fs.writeFile(lock, String(gone.pid));
	t.regex(await withLock(lock, async () => fs.readFile(lock, 'utf8'), 5000), new RegExp(`^${process.pid} \\d+$`), 'our pid and start time');
	await t.throwsAsync(fs.stat(lock), {code: 'ENOENT'});
});

test('a lock file without a pid is broken once it is older than 15 s, not before', async t => {
	const lock = tempLock(t);
	await fs.writeFile(lock, 'garbage');
	await t.throwsAsync(withLock(lock, async () => undefined, 300), {message: /is held by another ao process/});
	await ageBy(lock, 20);
	t.is(await withLock(lock, async () => 'ran', 5000), 'ran');
});

test('many processes waiting on a lock whose holder dies: one at a time gets it, never two', async t => {
	const lock = tempLock(t);
	const log = `${lock}.log`;
	const holder = spawn('sleep', ['60']);
	t.teardown(() => holder.kill('SIGKILL'));
	await fs.writeFile(lock, String(holder.pid));
	// Each waiter is a process of its own (waiters in one process queue in memory and never race on the file).
	const script = `
		import {appendFileSync} from 'node:fs';
		import {setTimeout as sleep} from 'node:timers/promises';
		import {withLock} from ${JSON.stringify(new URL('../src/core/processes/lock.js', import.meta.url).href)};
		// Told it is held once (a 1 ms wait), so it is polling when it says so.
		await withLock(process.argv[1], async () => undefined, 1).then(() => process.exit(3), () => undefined);
		appendFileSync(process.argv[2], 'waiting\\n');
		await withLock(process.argv[1], async () => {
			appendFileSync(process.argv[2], 'in\\n');
			await sleep(20);
			appendFileSync(process.argv[2], 'out\\n');
		});
	`;
	const count = 16;
	const waiters = Array.from({length: count}, () => new Promise<number | null>(resolve => {
		spawn(process.execPath, ['--input-type=module', '-e', script, lock, log], {stdio: 'inherit'}).on('exit', resolve);
	}));
	// All of them polling when the holder dies, as dispatches wait on a supervisor killed inside its start pass.
	await waitFor('every waiter to wait', async () => (await fs.readFile(log, 'utf8').catch(() => '')).split('waiting').length > count);
	holder.kill('SIGKILL');
	t.deepEqual(await Promise.all(waiters), Array.from({length: count}, () => 0));
	t.is((await fs.readFile(log, 'utf8')).replaceAll('waiting\n', ''), 'in\nout\n'.repeat(count));
});
