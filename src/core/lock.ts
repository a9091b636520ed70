import fs from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {createExclusive} from './atomic-file.js';
import {AoError} from './errors.js';
import {isZombie} from './process-status.js';

const staleAfterMs = 15_000;

/**
 * Whether a process still runs. A zombie (exited, not reaped: where pid 1 does not reap orphans, a killed process
 * can stay one) does not count, or a dead supervisor's pid file would keep every new one from starting.
 */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return !isZombie(pid);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

async function isStale(lockFile: string): Promise<boolean> {
	try {
		const [content, stat] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
		const pid = Number(content);
		return (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) || Date.now() - stat.mtimeMs > staleAfterMs;
	} catch {
		return false;
	}
}

/** Callers in this process queue here first, in order, instead of polling the lock file against each other. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` while holding `lockFile` (created exclusively, holding our pid). A lock left by a dead process, or
 * older than 15 s, is broken. Used to serialise read-modify-write of one job's state.json.
 */
export async function withLock<T>(lockFile: string, work: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
	const previous = queues.get(lockFile) ?? Promise.resolve();
	const mine = previous.catch(() => undefined).then(() => withFileLock(lockFile, work, timeoutMs));
	queues.set(lockFile, mine);
	try {
		return await mine;
	} finally {
		if (queues.get(lockFile) === mine) queues.delete(lockFile);
	}
}

async function withFileLock<T>(lockFile: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (let attempt = 0; ; attempt++) {
		if (await createExclusive(lockFile, String(process.pid))) break;
		if (await isStale(lockFile)) {
			await fs.rm(lockFile, {force: true});
			continue;
		}

		if (Date.now() > deadline) throw new AoError(`${lockFile} is held by another ao process; if none is running, delete that file`);
		await sleep(Math.min(5 + attempt * 5, 50));
	}

	try {
		return await work();
	} finally {
		await fs.rm(lockFile, {force: true});
	}
}
