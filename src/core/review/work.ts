import {existsSync} from 'node:fs';
import {AoError, UsageError} from '../errors.js';
import * as git from '../git/git.js';
import * as review from '../git/review.js';
import type {Job} from '../jobs/job.js';
import {tildify} from '../paths.js';

/** A job's work as git sees it: what it branched from, its commits, and a commit holding its uncommitted files too. */
export interface JobWork {
	repo: string;
	worktree: string;
	branch?: string;
	/** The branch (or ref) compared against: `--base`, else the one recorded at dispatch. */
	baseName: string;
	baseCommit: string;
	/** Where the job's branch left the base. */
	forkPoint: string;
	/** The branch tip (HEAD of the worktree). */
	head: string;
	/** HEAD with the uncommitted and untracked files on top (HEAD itself when there are none). */
	snapshot: string;
	commits: string[];
	uncommitted: string[];
}

/** The base a job's work is compared to: the branch it was dispatched from (the main checkout's, for old jobs). */
export async function baseOf(job: Job): Promise<string | undefined> {
	return job.base ?? (job.repo ? await review.currentBranch(job.repo) : undefined);
}

/** A job that has a worktree of a repository, or an error saying why it has nothing to review. */
export function requireWorktree(job: Job): {repo: string; worktree: string} {
	if (!job.repo) throw new AoError(`job ${job.id} (${job.name}) runs in ${tildify(job.worktree)} without a worktree of its own (--no-worktree), so there is no branch to review or land`);
	if (!existsSync(job.worktree)) throw new AoError(`the worktree of ${job.name} (${tildify(job.worktree)}) is gone${job.landed ? `: its work ${job.reason}` : ''}; nothing to review`);
	return {repo: job.repo, worktree: job.worktree};
}

/** Reads the job's work against `baseRef` (default: its base). With `snapshot: false` uncommitted files are not committed. */
export async function readWork(job: Job, options: {baseRef?: string; snapshot?: boolean} = {}): Promise<JobWork> {
	const {repo, worktree} = requireWorktree(job);
	const baseName = options.baseRef ?? await baseOf(job);
	if (!baseName) throw new UsageError(`ao does not know which branch ${job.name} was dispatched from, and the main checkout is on no branch; give it with --base BRANCH`);
	const [baseCommit, head, uncommitted] = await Promise.all([review.resolveCommit(worktree, baseName), review.resolveCommit(worktree, 'HEAD'), git.uncommittedChanges(worktree)]);
	if (!baseCommit) throw new UsageError(`${JSON.stringify(baseName)} names no branch or commit in ${tildify(repo)}; give another with --base`);
	if (!head) throw new AoError(`the worktree of ${job.name} has no commit checked out`);
	const forkPoint = await review.mergeBase(worktree, baseCommit, head) ?? baseCommit;
	const snapshot = uncommitted.length > 0 && options.snapshot !== false ? await git.snapshotCommit(worktree, `ao: the uncommitted work of ${job.name}`) : head;
	const commits = await review.commitsBetween(worktree, forkPoint, head);
	return {repo, worktree, branch: job.branch, baseName, baseCommit, forkPoint, head, snapshot, commits, uncommitted};
}

/** The first line of the task, for commit messages and pull request titles. Pure. */
export function taskTitle(job: Pick<Job, 'task' | 'name'>, max = 72): string {
	const line = (job.task || job.name).split('\n').map(text => text.trim()).find(Boolean) ?? job.name;
	return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}
