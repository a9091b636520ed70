import type {Config} from '../../core/config/config-schema.js';
import {findTarget, setPinned, stop} from '../../core/jobs/control.js';
import {bringBack, dismissBlock, reply} from '../../core/jobs/actions.js';
import {removeJob, UnsavedWorkError} from '../../core/jobs/remove.js';
import type {JobView} from '../../core/jobs/list.js';
import type {StatePaths} from '../../core/paths.js';
import {diffJob} from '../../core/review/diff.js';
import {askAgentToResolve, mergeJob, type MergeStrategy} from '../../core/review/merge.js';
import {openPr} from '../../core/review/pr.js';
import {baseOf} from '../../core/review/work.js';
import {prText} from '../../core/review/words.js';
import type {Tmux} from '../../core/tmux/tmux.js';

/** What the dashboard's key actions need of it. */
export interface KeyContext {
	paths: StatePaths;
	tmux: Tmux;
	config: Config;
	ask(label: string): Promise<string | undefined>;
	show(label: string, text: string): Promise<void>;
	/** Says what happened and refreshes. */
	done(message: string): Promise<void>;
	note(message: string): void;
}

const strategies: Record<string, MergeStrategy> = {'': 'merge', merge: 'merge', squash: 'squash', rebase: 'rebase', 'ff-only': 'ff-only'};

/** D: the job's whole diff since it branched, scrollable. */
export async function showDiff(context: KeyContext, job: JobView): Promise<void> {
	context.note(`reading the diff of ${job.name}…`);
	const report = await diffJob(job, {});
	await context.show(`diff of ${job.name}`, [...report.header, '', report.diff || '(no changes)'].join('\n'));
	context.note('');
}

/** M: merge into the base, after a confirmation that also picks the strategy. */
export async function mergeSelected(context: KeyContext, job: JobView): Promise<void> {
	const base = await baseOf(job) ?? '?';
	const answer = await context.ask(`merge ${job.name} into ${base}? Enter merges (or type squash, rebase or ff-only; add commit to commit its uncommitted work first); Esc cancels`);
	if (answer === undefined) return;
	const words = answer.trim().split(/\s+/).filter(Boolean);
	const commit = words.includes('commit');
	const chosen = words.filter(word => word !== 'commit');
	const how = chosen.length <= 1 ? strategies[chosen[0] ?? ''] : undefined;
	if (!how) {
		await context.done(`not merged: "${answer.trim()}" is not merge, squash, rebase or ff-only (with commit or without)`);
		return;
	}

	context.note(`merging ${job.name}…`);
	const {paths, tmux, config} = context;
	const result = await mergeJob(paths, tmux, config, await findTarget(paths, tmux, job.id), {how, commit});
	await context.done(`${job.name}: ${result.said}; its worktree, window and branch are gone`);
}

/** P: push the branch and open a pull request. */
export async function openPrSelected(context: KeyContext, job: JobView): Promise<void> {
	context.note(`pushing ${job.branch ?? job.name} and opening a pull request…`);
	const {paths, tmux, config} = context;
	const {pr, already} = await openPr(paths, config, await findTarget(paths, tmux, job.id), {});
	await context.done(`${already ? 'already open' : 'opened'}: ${prText(pr)} ${pr.url}`);
}

/** A: tell the agent to rebase onto its base and resolve the conflicts. */
export async function askToResolve(context: KeyContext, job: JobView): Promise<void> {
	const {paths, tmux, config} = context;
	const {files, base} = await askAgentToResolve(paths, tmux, config, await findTarget(paths, tmux, job.id));
	await context.done(`told ${job.name} to rebase onto ${base} and resolve ${files.length > 0 ? files.join(', ') : 'any conflicts'}`);
}

/** The second d: ao rm's safety, unsaved work is named and only an explicit "force" archives it, then deletes. */
export async function deleteJob(context: KeyContext, job: JobView): Promise<void> {
	const {paths, tmux} = context;
	try {
		await removeJob(paths, tmux, await findTarget(paths, tmux, job.id), false);
		await context.done(`deleted ${job.name}`);
	} catch (error) {
		if (!(error instanceof UnsavedWorkError)) throw error;
		context.note(`${job.name} has unsaved work: ${error.details.map(line => line.trim()).slice(0, 3).join(', ')}${error.details.length > 3 ? ', …' : ''}`);
		const answer = await context.ask(`${job.name} has unsaved work (see below). Type force to archive it to refs/ao/archive/${job.id} and delete; Esc keeps it`);
		if (answer?.trim() !== 'force') {
			await context.done(`kept ${job.name}`);
			return;
		}

		const result = await removeJob(paths, tmux, await findTarget(paths, tmux, job.id), true);
		await context.done(`deleted ${job.name}; its work is in ${result.archivedTo}`);
	}
}

/** r: a line typed to the agent without attaching. */
export async function replyTo(context: KeyContext, job: JobView): Promise<void> {
	const text = await context.ask(`reply to ${job.name} (Enter sends, Esc cancels)`);
	if (text === undefined) return;
	const {paths, tmux, config} = context;
	const result = await reply(paths, tmux, config, await findTarget(paths, tmux, job.id), text);
	await context.done(`sent to ${job.name}${result.unblocked ? ' (guard block lifted)' : result.unpaused ? ' (pause ended)' : ''}`);
}

/** x: the guard's block has been seen; the job shows what its agent did since. */
export async function dismissJob(context: KeyContext, job: JobView): Promise<void> {
	const {job: after} = await dismissBlock(context.paths, await findTarget(context.paths, context.tmux, job.id));
	await context.done(`dismissed the guard's block on ${job.name}: ${after.state}`);
}

export async function togglePin(context: KeyContext, job: JobView): Promise<void> {
	await setPinned(context.paths, job, !job.pinned);
	await context.done(`${job.pinned ? 'unpinned' : 'pinned'} ${job.name}`);
}

export async function stopJob(context: KeyContext, job: JobView): Promise<void> {
	context.note(`stopping ${job.name}…`);
	await stop(context.paths, context.tmux, await findTarget(context.paths, context.tmux, job.id));
	await context.done(`stopped ${job.name}; its window and worktree stay (R respawns it)`);
}

/** R: a paused job goes on, an idle-stopped one resumes, a stopped, failed or lost one is respawned (or queued). */
export async function bringBackJob(context: KeyContext, job: JobView): Promise<void> {
	const {paths, tmux, config} = context;
	const target = await findTarget(paths, tmux, job.id);
	const {how, job: after} = await bringBack(paths, tmux, config, target);
	const said = {unpaused: `resumed ${job.name} (paused: ${target.job.paused?.why ?? ''})`, resumed: `resumed ${job.name}`, respawned: `respawned ${job.name}`, queued: `queued ${job.name}: ${after.reason}`};
	await context.done(said[how]);
}
