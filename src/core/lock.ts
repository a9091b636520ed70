import fs from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {createExclusive} from './atomic-file.js';
import {AoError} from './errors.js';
import {isZombie} from './processes.js';

const staleAfterMs = 15_000;

/** The lock stayed taken by a live process for as long as the caller was willing to wait. */
export class LockBusy extends AoError {}

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

/**
 * A lock is stale when the process that took it is gone. One held by a live process is never broken, however long it
 * is held (a `git worktree add` plus `worktree.setup` can take minutes). Only a file without a pid in it, which ao
 * never writes, is broken by age.
 */
async function isStale(lockFile: string): Promise<boolean> {
	try {
		const [content, stat] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
		const pid = holderPid(content);
		return pid === undefined ? Date.now() - stat.mtimeMs > staleAfterMs : !isAlive(pid);
	} catch {
		return false;
	}
}

/**
 * Removes a stale lock, one breaker at a time. Without the guard, two waiters that both found it stale could each
 * remove it, and the second would remove the fresh lock the first had just taken: both would then hold it (seen as
 * a job started twice when a supervisor was killed inside its start pass with many dispatches waiting).
 */
async function breakStale(lockFile: string): Promise<void> {
	const guard = `${lockFile}.break`;
	if (!(await createExclusive(guard, String(process.pid)))) {
		// Another waiter is breaking it; if that one died at it, its guard goes the same way.
		if (await isStale(guard)) await fs.rm(guard, {force: true});
		return;
	}

	try {
		// Looked at again under the guard: another breaker may have broken it and a waiter taken it anew meanwhile.
		if (await isStale(lockFile)) await fs.rm(lockFile, {force: true});
	} finally {
		await fs.rm(guard, {force: true});
	}
}

function holderPid(content: string): number | undefined {
	const pid = Number(content.trim());
	return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Callers in this process queue here first, in order, instead of polling the lock file against each other. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` while holding `lockFile` (created exclusively, holding our pid). A lock left by a dead process is
 * broken. Used to serialise read-modify-write of one job's state.json, starts, and edits of a repo's worktrees.
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
			await breakStale(lockFile);
			continue;
		}

		if (Date.now() > deadline) {
			const holder = holderPid(await fs.readFile(lockFile, 'utf8').catch(() => ''));
			throw new LockBusy(`${lockFile} is held by ${holder ? `ao process ${holder}` : 'another ao process'}, still at work after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}; if that is not an ao process, delete that file`);
		}
		await sleep(Math.min(5 + attempt * 5, 50));
	}

	try {
		return await work();
	} finally {
		await fs.rm(lockFile, {force: true});
	}
}
