import {existsSync} from 'node:fs';
import * as git from '../git/git.js';
import type {Job} from './job.js';
import {isAlive} from '../processes/lock.js';
import {observe} from './observe.js';
import {StatePaths, tildify} from '../paths.js';
import {JobStore} from './store.js';
import type {PaneInfo, Tmux} from '../tmux/tmux.js';
import {withRepoLock} from '../git/worktree.js';
import * as transition from './transitions.js';

/** What an interrupted command (a kill -9, a crash, a power cut) can leave behind. */
export type Leftover =
	| {kind: 'half-dispatched'; job: Job; pane?: PaneInfo}
	| {kind: 'cut-start'; job: Job; pane: PaneInfo}
	| {kind: 'orphan-window'; jobId: string; pane: PaneInfo};

/** A dispatch that made no progress this long, with no process to say it is alive, was cut short. */
const preparingGraceMs = 10 * 60_000;

export function describeLeftover(leftover: Leftover): string {
	switch (leftover.kind) {
		case 'half-dispatched': return `job ${leftover.job.id} (${leftover.job.name}): its dispatch was interrupted while making ${tildify(leftover.job.worktree)}`;
		case 'cut-start': return `job ${leftover.job.id} (${leftover.job.name}): its agent started in window ${leftover.pane.windowId} but the record still says queued`;
		case 'orphan-window': return `window ${leftover.pane.windowId} belongs to job ${leftover.jobId}, which has no record`;
	}
}

function dispatcherGone(job: Job, now: number): boolean {
	const pid = typeof job.dispatchPid === 'number' ? job.dispatchPid : undefined;
	if (pid !== undefined) return !isAlive(pid);
	return now - Date.parse(job.updatedAt) > preparingGraceMs;
}

/** Every leftover of an interrupted dispatch or start, found from the records and ONE list of tmux's windows. */
export async function findLeftovers(paths: StatePaths, tmux: Tmux, now = Date.now()): Promise<Leftover[]> {
	const {jobs, panes, paneByJob} = await observe(paths, tmux);
	const known = new Set(jobs.map(job => job.id));
	const found: Leftover[] = [];
	for (const job of jobs) {
		const pane = paneByJob.get(job.id);
		if (job.preparing && dispatcherGone(job, now)) found.push({kind: 'half-dispatched', job, ...(pane ? {pane} : {})});
		else if (!job.preparing && job.state === 'queued' && !job.windowId && pane && !pane.dead) found.push({kind: 'cut-start', job, pane});
	}

	for (const pane of panes ?? []) {
		// A record read as unreadable still counts as known: doctor reports those files on their own.
		if (pane.jobId && !known.has(pane.jobId) && !existsSync(paths.jobDir(pane.jobId))) found.push({kind: 'orphan-window', jobId: pane.jobId, pane});
	}

	return found;
}

/** Undoes or completes each leftover; returns what was done, one line each. */
export async function repairLeftovers(paths: StatePaths, tmux: Tmux, leftovers: Leftover[]): Promise<string[]> {
	const store = new JobStore(paths);
	const done: string[] = [];
	for (const leftover of leftovers) {
		switch (leftover.kind) {
			case 'half-dispatched': {
				const {job, pane} = leftover;
				if (pane) await tmux.killWindow(pane.windowId).catch(() => undefined);
				if (job.repo && existsSync(job.repo)) {
					await withRepoLock(paths, job.repo, () => git.removeWorktree(job.repo!, job.worktree)).catch(() => undefined);
					if (job.branch && job.createdBranch && (await git.branchExists(job.repo, job.branch))) await git.deleteBranch(job.repo, job.branch).catch(() => undefined);
				}

				await store.remove(job.id);
				await store.releaseName(job.name, job.id);
				done.push(`removed job ${job.id} (${job.name}), whose dispatch was interrupted: its record${job.repo ? ', worktree and branch' : ''}`);
				break;
			}

			case 'cut-start': {
				const {job, pane} = leftover;
				await store.update(job.id, current => (current.windowId ? undefined : transition.adopted(pane.windowId, pane.panePid)), 'doctor');
				done.push(`job ${job.id} (${job.name}): recorded the agent that runs in window ${pane.windowId}`);
				break;
			}

			case 'orphan-window': {
				await tmux.killWindow(leftover.pane.windowId).catch(() => undefined);
				done.push(`closed window ${leftover.pane.windowId} of job ${leftover.jobId}, which has no record`);
				break;
			}
		}
	}

	return done;
}
