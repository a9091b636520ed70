import {readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import {createExclusive} from './atomic-file.js';
import {isZombie, processStartTime} from './processes.js';

/**
 * Exclusive files that say who holds something: the job and worktree locks, the supervisor's pid file, a job's name.
 * Each holds its claimant's pid and that process's start time (a pid the kernel gave to a new process since is not
 * the claimant), then what it is for. A claim whose claimant is gone is broken by one breaker at a time.
 */

export interface Claimant {
	pid: number;
	/** The process's start time (clock ticks after boot, /proc/<pid>/stat), where the system says it. */
	started?: number;
	/** What the claim is for, when more than the process: a job id. */
	label?: string;
}

/** This process's claim text: "pid started [label]". */
export function ownClaim(label?: string): string {
	const started = processStartTime(process.pid);
	return [process.pid, started ?? '-', ...(label ? [label] : [])].join(' ');
}

/** The claimant a claim file holds; undefined for an empty or unreadable one. Older files hold a pid alone. */
export function parseClaim(text: string): Claimant | undefined {
	const [pidText, startedText, label] = text.trim().split(/\s+/);
	const pid = Number(pidText);
	if (!Number.isInteger(pid) || pid <= 0) return undefined;
	const started = Number(startedText);
	return {pid, ...(Number.isInteger(started) && started >= 0 && startedText !== '-' && startedText !== undefined ? {started} : {}), ...(label ? {label} : {})};
}

/** The pid in a claim file (the supervisor's pid file, a lock), read synchronously; undefined when there is none. */
export function claimPid(file: string): number | undefined {
	try {
		return parseClaim(readFileSync(file, 'utf8'))?.pid;
	} catch {
		return undefined;
	}
}

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

/** The claimant still runs: its pid is alive and is the same process (same start time, where it is known). */
export function claimantAlive(claimant: Claimant): boolean {
	if (!isAlive(claimant.pid)) return false;
	if (claimant.started === undefined) return true;
	const started = processStartTime(claimant.pid);
	return started === undefined || started === claimant.started;
}

/**
 * Removes `file` if it is still stale when looked at again, one breaker at a time. Without the guard, two that both
 * found it stale could each remove it, and the second would remove the fresh claim the first had just made: both
 * would then hold it (seen as a job started twice when a supervisor was killed with many dispatches waiting).
 */
export async function breakStale(file: string, stale: (text: string) => boolean): Promise<void> {
	const guard = `${file}.break`;
	if (!(await createExclusive(guard, ownClaim()))) {
		// Another one is breaking it; if that one died at it, its guard goes the same way.
		const text = await fs.readFile(guard, 'utf8').catch(() => undefined);
		const breaker = text === undefined ? undefined : parseClaim(text);
		if (text !== undefined && (!breaker || !claimantAlive(breaker))) await fs.rm(guard, {force: true});
		return;
	}

	try {
		const text = await fs.readFile(file, 'utf8').catch(() => undefined);
		if (text !== undefined && stale(text)) await fs.rm(file, {force: true});
	} finally {
		await fs.rm(guard, {force: true});
	}
}

/**
 * Takes `file` for this process (writing `content`), or says who holds it: the holder's text while `holds(text)`
 * says it still does. A stale claim is broken and taken. `content` equal to what is there counts as ours.
 */
export async function takeClaim(file: string, content: string, holds: (text: string) => boolean): Promise<{taken: true} | {taken: false; holder: string}> {
	for (let attempt = 0; ; attempt++) {
		if (await createExclusive(file, content)) return {taken: true};
		const text = await fs.readFile(file, 'utf8').catch(() => undefined);
		if (text === undefined) continue;
		if (text === content) return {taken: true};
		if (holds(text)) return {taken: false, holder: text};
		await breakStale(file, again => !holds(again));
		await new Promise(resolve => setTimeout(resolve, Math.min(attempt * 2, 20)));
	}
}
