import type {Config} from '../config/config-schema.js';
import {AoError, OptionError, UsageError} from '../errors.js';
import * as git from '../git/git.js';
import * as review from '../git/review.js';
import {withRepoLock} from '../git/worktree.js';
import type {Target} from '../jobs/control.js';
import type {Job, Landed} from '../jobs/job.js';
import {reply} from '../jobs/actions.js';
import {JobStore} from '../jobs/store.js';
import * as transition from '../jobs/transitions.js';
import {StatePaths, tildify} from '../paths.js';
import {runProgram} from '../processes/processes.js';
import type {Tmux} from '../tmux/tmux.js';
import {baseOf, readWork, requireWorktree, taskTitle} from './work.js';
import {conflictText} from './words.js';

export type MergeStrategy = 'merge' | 'squash' | 'rebase' | 'ff-only';

export interface MergeOptions {
	how: MergeStrategy;
	/** The branch to land on; default: the one the job was dispatched from. */
	into?: string;
	/** Keep the worktree, window and branch (and the agent running). */
	keep?: boolean;
	/** Commit the worktree's uncommitted work first, with the task as the message. */
	commit?: boolean;
}

export interface MergeResult {
	job: Job;
	into: string;
	/** The short hash of the commit on `into` that holds the work. */
	commit: string;
	/** What was committed with --commit first. */
	committed?: string;
	cleaned: boolean;
	/** "merged into main as 1a2b3c4" */
	said: string;
}

/** What a landing says on the job's row. Pure. */
export function landedReason(how: MergeStrategy, into: string, commit: string): string {
	if (how === 'squash') return `squash-merged into ${into} as ${commit}`;
	if (how === 'rebase') return `rebased onto ${into} and merged as ${commit}`;
	return `merged into ${into} as ${commit}`;
}

function commitMessage(job: Job): string {
	return `${taskTitle(job)}\n\nao job ${job.id} (${job.name}), agent ${job.agent}.`;
}

async function runPreMerge(config: Config, job: Job, worktree: string): Promise<void> {
	const command = config.review.pre_merge.trim();
	if (!command) return;
	const result = await runProgram('sh', ['-c', command], {cwd: worktree, env: {AO_JOB_ID: job.id, AO_JOB_NAME: job.name}});
	if (result.exitCode === 0) return;
	const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').at(-1) ?? '';
	throw new AoError(`review.pre_merge "${command}" failed in ${tildify(worktree)} (${result.exitCode === undefined ? 'did not run' : `exit ${result.exitCode}`})${tail ? `: ${tail}` : ''}; nothing was merged`);
}

/** Refuses a merge into a main checkout on another branch, or whose uncommitted files the merge would change. */
async function checkMainCheckout(job: Job, repo: string, into: string, changed: string[]): Promise<void> {
	const checkedOut = await review.currentBranch(repo);
	if (checkedOut !== into) {
		throw new AoError(`the main checkout ${tildify(repo)} is on ${checkedOut ?? 'a detached HEAD'}, not ${into}; switch it (git -C ${tildify(repo)} switch ${into})${checkedOut ? `, or land on ${checkedOut} with: ao merge ${job.name} --into ${checkedOut}` : ''}`);
	}

	const dirty = new Set(git.statusPaths((await git.worktreeState(repo)).status));
	const touched = changed.filter(file => dirty.has(file));
	if (touched.length > 0) {
		throw new AoError(`the main checkout ${tildify(repo)} has uncommitted changes to ${touched.length === 1 ? 'a file' : `${touched.length} files`} this merge changes (${touched.slice(0, 3).join(', ')}${touched.length > 3 ? ', ...' : ''}); commit or stash them (git -C ${tildify(repo)} stash) and merge again`);
	}
}

/**
 * `ao merge`: lands the job's branch on the branch it was dispatched from, in the main checkout. Checks first
 * (uncommitted work, review.pre_merge, the main checkout's branch and files, conflicts by `git merge-tree`), so a
 * refusal leaves everything as it was; a merge that still fails is undone. Then the worktree, window and branch go.
 */
export async function mergeJob(paths: StatePaths, tmux: Tmux, config: Config, target: Target, options: MergeOptions): Promise<MergeResult> {
	const {job} = target;
	const {repo, worktree} = requireWorktree(job);
	if (!job.branch) throw new AoError(`job ${job.name} has no branch of its own to merge`);
	const into = options.into ?? await baseOf(job);
	if (!into) throw new UsageError(`ao does not know which branch ${job.name} was dispatched from; give it with --into BRANCH`);
	if (!(await git.branchExists(repo, into))) throw new UsageError(`there is no branch ${JSON.stringify(into)} in ${tildify(repo)} to merge into; give one with --into`);
	const store = new JobStore(paths);
	const refuseConflict = async (files: string[]): Promise<never> => {
		const conflict = {with: into, files};
		await store.update(job.id, () => transition.mergeRefused(conflict), 'cli');
		throw new AoError(`${conflictText(conflict, 5)}; nothing was changed. To have the agent rebase onto ${into} and resolve them: ao merge ${job.name} --ask-agent (A in the dashboard)`);
	};

	// Everything is checked on the work as it is (uncommitted files too) before anything is committed or merged.
	let work = await readWork(job, {baseRef: into});
	if (work.uncommitted.length > 0 && !options.commit) {
		const count = `${work.uncommitted.length} uncommitted file${work.uncommitted.length === 1 ? '' : 's'}`;
		throw new OptionError('commit', option => `${job.name} has ${count} in ${tildify(worktree)}, which a merge would leave behind; commit them, or merge with ${option} (commits them as "${taskTitle(job, 50)}")`, 1, work.uncommitted.slice(0, 10).map(line => `  ${line}`));
	}

	if (work.commits.length === 0 && work.uncommitted.length === 0) throw new AoError(`${job.name} changed nothing since it left ${into} (no commits, no uncommitted files); nothing to merge`);
	const forecast = await review.mergeTree(repo, work.baseCommit, work.snapshot);
	if (!forecast.clean) await refuseConflict(forecast.files);
	await checkMainCheckout(job, repo, into, await review.changedFiles(repo, work.forkPoint, work.snapshot));
	await runPreMerge(config, job, worktree);
	const committed = work.uncommitted.length > 0 ? await review.commitAll(worktree, commitMessage(job)) : undefined;
	if (committed) work = await readWork(job, {baseRef: into, snapshot: false});
	const commit = await withRepoLock(paths, repo, async () => {
		// Again under the lock: the main checkout may have moved while the checks (and review.pre_merge) ran.
		await checkMainCheckout(job, repo, into, await review.changedFiles(repo, work.forkPoint, work.head));
		const conflicts = await review.mergeTree(repo, into, work.head);
		if (!conflicts.clean) await refuseConflict(conflicts.files);
		if (options.how === 'rebase') {
			if (!(await review.rebaseOnto(worktree, into))) throw new AoError(`rebasing ${job.branch} onto ${into} stopped on a conflict in one of its commits and was undone; merge without --rebase, or ao merge ${job.name} --ask-agent`);
			work = await readWork(job, {baseRef: into, snapshot: false});
		}

		await review.mergeBranch(repo, job.branch!, options.how === 'rebase' ? 'ff-only' : options.how, options.how === 'squash' ? commitMessage(job) : `Merge ${job.branch}: ${taskTitle(job)}`);
		return (await git.raw(repo, ['rev-parse', '--short', 'HEAD'])).trim();
	});
	const landing: Landed = {how: options.how, into, commit, head: work.head, at: new Date().toISOString()};
	const said = landedReason(options.how, into, commit);
	const updated = await store.update(job.id, () => transition.landed(landing, said, Boolean(options.keep)), 'cli');
	if (!options.keep) await cleanUp(paths, tmux, target);
	return {job: updated, into, commit, committed, cleaned: !options.keep, said};
}

/** After landing: the agent's window, its worktree, and the branch ao made for it go; the record stays (Completed). */
export async function cleanUp(paths: StatePaths, tmux: Tmux, target: Target): Promise<void> {
	const {job} = target;
	if (target.pane) await tmux.killWindow(target.pane.windowId).catch(() => undefined);
	if (!job.repo) return;
	await withRepoLock(paths, job.repo, () => git.removeWorktree(job.repo!, job.worktree));
	if (job.branch && job.createdBranch !== false) await git.deleteBranch(job.repo, job.branch);
}

/** `ao merge --ask-agent`: the agent is told to rebase onto the base and resolve the conflicts, then commit. */
export async function askAgentToResolve(paths: StatePaths, tmux: Tmux, config: Config, target: Target, into?: string): Promise<{files: string[]; base: string}> {
	const {job} = target;
	const {repo} = requireWorktree(job);
	const base = into ?? await baseOf(job);
	if (!base) throw new UsageError(`ao does not know which branch ${job.name} was dispatched from; give it with --into BRANCH`);
	if (!target.pane || target.pane.dead) throw new AoError(`the agent of ${job.name} is not running (${job.state}); ao respawn ${job.name}, then ao merge ${job.name} --ask-agent`);
	const work = await readWork(job, {baseRef: base});
	const {files} = await review.mergeTree(repo, work.baseCommit, work.snapshot);
	const where = files.length > 0 ? ` The files that conflict: ${files.join(', ')}.` : '';
	const first = work.uncommitted.length > 0 ? 'Please commit your work, then rebase' : 'Please rebase';
	await reply(paths, tmux, config, target, `${first} your branch onto ${base} (git rebase ${base}) and resolve the conflicts, keeping both sides' intent.${where} Commit when done; the work will be merged into ${base} after that.`);
	return {files, base};
}
