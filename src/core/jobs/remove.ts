import {existsSync} from 'node:fs';
import {AoError} from '../errors.js';
import * as git from '../git/git.js';
import {resolveCommit} from '../git/review.js';
import type {Job} from './job.js';
import {StatePaths, tildify} from '../paths.js';
import {JobStore} from './store.js';
import type {Tmux} from '../tmux/tmux.js';
import type {Target} from './control.js';
import {withRepoLock} from '../git/worktree.js';

export interface UnsavedWork {
	uncommitted: string[];
	commits: string[];
}

export interface RemoveResult {
	job: Job;
	/** The ref that now holds the work that would have been lost (with --force). */
	archivedTo?: string;
	notes: string[];
}

/** The job's work that exists nowhere else: uncommitted files, and commits no other branch has (a branch the user
 * gave with --branch is kept on removal, so its commits are safe). */
export async function unsavedWork(job: Job): Promise<UnsavedWork> {
	if (!job.repo || !existsSync(job.worktree)) return {uncommitted: [], commits: []};
	const [uncommitted, commits, head] = await Promise.all([
		git.uncommittedChanges(job.worktree),
		git.unsharedCommits(job.worktree, job.createdBranch === false ? undefined : job.branch),
		job.landed ? resolveCommit(job.worktree, 'HEAD') : undefined,
	]);
	// Landed work (merged, squashed, a merged pull request) is safe on its base while the branch has not moved on.
	return {uncommitted, commits: job.landed && head === job.landed.head ? [] : commits};
}

export class UnsavedWorkError extends AoError {
	readonly details: string[];

	constructor(job: Job, work: UnsavedWork) {
		const parts = [
			work.uncommitted.length > 0 ? `${work.uncommitted.length} uncommitted file${work.uncommitted.length === 1 ? '' : 's'}` : '',
			work.commits.length > 0 ? `${work.commits.length} commit${work.commits.length === 1 ? '' : 's'} on no other branch` : '',
		].filter(Boolean);
		super(`job ${job.id} (${job.name}) has unsaved work in ${tildify(job.worktree)}: ${parts.join(' and ')}; nothing was removed. Merge or push it, or run "ao rm ${job.id} --force" to archive it to refs/ao/archive/${job.id} and remove`);
		this.details = [...work.uncommitted.map(line => `  ${line}`), ...work.commits.map(line => `  commit ${line}`)];
	}
}

/**
 * Deletes a job: its agent and window, its worktree and the branch ao made, and its record. Refuses while the
 * worktree holds work found nowhere else; with `force` that work is first saved to refs/ao/archive/<id>.
 */
export async function removeJob(paths: StatePaths, tmux: Tmux, target: Target, force: boolean): Promise<RemoveResult> {
	const {job} = target;
	const notes: string[] = [];
	let archivedTo: string | undefined;
	const repoThere = job.repo !== undefined && existsSync(job.repo);
	if (job.repo && !repoThere) notes.push(`the repository ${tildify(job.repo)} is gone (moved or deleted); removed the job record only`);
	if (repoThere && !existsSync(job.worktree) && !job.landed) notes.push(`the worktree ${tildify(job.worktree)} was already gone`);
	if (repoThere && existsSync(job.worktree)) {
		const work = await unsavedWork(job);
		if (work.uncommitted.length > 0 || work.commits.length > 0) {
			if (!force) throw new UnsavedWorkError(job, work);
			archivedTo = `refs/ao/archive/${job.id}`;
			await git.archiveWorktree(job.worktree, archivedTo, `ao archive of job ${job.id} (${job.name})\n\nTask: ${job.task}`);
		}
	}

	if (target.pane) await tmux.killWindow(target.pane.windowId).catch(() => undefined);
	if (repoThere) {
		await withRepoLock(paths, job.repo!, () => git.removeWorktree(job.repo!, job.worktree));
		if (job.branch && job.createdBranch !== false) await git.deleteBranch(job.repo!, job.branch);
	}

	const store = new JobStore(paths);
	await store.remove(job.id);
	await store.releaseName(job.name, job.id);
	return {job, archivedTo, notes};
}
