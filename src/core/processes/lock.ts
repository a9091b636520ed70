import {statSync} from 'node:fs';
import fs from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {claimantAlive, ownClaim, parseClaim, takeClaim} from './claim.js';
import {AoError} from '../errors.js';

export {isAlive} from './claim.js';

const staleAfterMs = 15_000;

/** The lock stayed taken by a live process for as long as the caller was willing to wait. */
export class LockBusy extends AoError {}

/**
 * A lock is held while the process that took it runs. One held by a live process is never broken, however long it
 * is held (a `git worktree add` plus `worktree.setup` can take minutes). Only a file without a claimant in it (ao
 * writes one at once, so only a foreign or torn file) is broken by age.
 */
function held(lockFile: string, text: string): boolean {
	const claimant = parseClaim(text);
	if (claimant) return claimantAlive(claimant);
	try {
		return Date.now() - statSync(lockFile).mtimeMs <= staleAfterMs;
	} catch {
		return false;
	}
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
	const mine = ownClaim();
	for (let attempt = 0; ; attempt++) {
		const claim = await takeClaim(lockFile, mine, text => held(lockFile, text));
		if (claim.taken) break;
		if (Date.now() > deadline) {
			const holder = parseClaim(claim.holder)?.pid;
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
