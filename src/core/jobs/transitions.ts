import type {Conflict, Job, Landed, PullRequest} from './job.js';
import type {JobState} from './states.js';

/**
 * The patches that move a job from one state to another, each naming the fields it sets and clears, so every writer
 * (the supervisor, the CLI, hooks, the dashboard) makes the same change the same way. Pure: they build patches for
 * JobStore.update; they never write.
 */

/**
 * A call the guard stopped: the job needs the user, and stays so, whatever the agent reports next (it ends its turn
 * a moment later), until the user replies (`ao send`, a prompt typed in the agent) or dismisses it (`ao dismiss`).
 */
export function guardBlocked(reason: string, at: string): Partial<Job> {
	return {state: 'needs-input', reason, block: {reason, at}, afterBlock: undefined};
}

/**
 * The guard asked the user before a call runs: the agent shows its own prompt for it. Not a block: the user answers
 * in the agent, and what the agent says next moves the job on.
 */
export function guardAsked(reason: string): Partial<Job> {
	return {state: 'needs-input', reason, said: {state: 'needs-input', reason}};
}

/** The block is over: the job takes the state its agent reported meanwhile (ready when it said nothing). */
export function blockLifted(job: Job, why: string): Partial<Job> {
	return {block: undefined, afterBlock: undefined, state: job.afterBlock?.state ?? 'ready', reason: job.afterBlock?.reason ?? why};
}

/**
 * What an agent's own report (a hook, `ao report`) changes: the state it says, unless A pause (budget, runaway) or a guard block holds the
 * state: the report is kept for when it ends. A prompt the user typed into the agent ends both.
 */
export function reported(current: Job, report: {state?: JobState; reason: string; transcriptPath?: string; userPrompt: boolean; at: string; reportsAll?: boolean}): Partial<Job> | undefined {
	// An agent whose reports tell every state is trusted from now on, and its screen no longer read.
	const patch: Partial<Job> = {reportedAt: report.at};
	if (report.reportsAll !== false) patch.reports = true;
	if (report.transcriptPath) patch.transcriptPath = report.transcriptPath;
	if (report.userPrompt) {
		if (current.paused) Object.assign(patch, {paused: undefined, runaway: undefined, budgetReset: true});
		if (current.block) Object.assign(patch, {block: undefined, afterBlock: undefined});
	} else if (current.paused) {
		// Kept for the resume: an agent that ended its turn while held needs no "continue" (it would start a new turn).
		if (report.state) patch.said = {state: report.state, reason: report.reason};
		return patch;
	} else if (current.block) {
		if (report.state) patch.afterBlock = {state: report.state, reason: report.reason};
		return patch;
	}

	// The agent's prompt for a call the guard asks about says less than the guard did: the guard's reason stays.
	const guardQuestion = current.state === 'needs-input' && current.reason.startsWith('guard: asks') && report.state === 'needs-input';
	if (guardQuestion) return patch;
	if (report.state && (report.state !== current.state || report.reason !== current.reason)) {
		Object.assign(patch, {state: report.state, reason: report.reason, said: {state: report.state, reason: report.reason}});
	}

	return patch;
}

/** A queued job is ready to wait its turn: its dispatch has made the worktree and is done with it. */
export function prepared(): Partial<Job> {
	return {preparing: false, dispatchPid: undefined, reason: 'queued'};
}

/** Why a queued job still waits (a cap, the stagger, resources, quota, a busy start pass). */
export function waiting(reason: string): Partial<Job> {
	return {reason};
}

/** The agent's window is being made: the job works from now on. */
export function started(resuming: boolean, at: string): Partial<Job> {
	return {state: 'working', reason: resuming ? 'resumed' : 'started', resumeNext: false, startedAt: at};
}

/** Its window is made: which window, which process. */
export function windowMade(windowId: string, pid: number | undefined): Partial<Job> {
	return {windowId, pid, exitCode: undefined};
}

/** A start that failed goes back in the queue, to be tried again, with why. */
export function startFailed(reason: string, resuming: boolean): Partial<Job> {
	return {state: 'queued', reason: `could not start: ${reason}`, resumeNext: resuming};
}

/** A job that cannot run any more, and why (its worktree is gone, say). */
export function failed(reason: string): Partial<Job> {
	return {state: 'failed', reason};
}

/** The user (or the idle stop, or a server stop) ended the agent; window, worktree and record stay. */
export function stopped(reason: string): Partial<Job> {
	return {state: 'stopped', reason, paused: undefined};
}

/**
 * Back in the queue, to start in its worktree (with its preset's resume command when it has one): `ao respawn`, a
 * server restart. What belonged to its last window is cleared.
 */
export function requeued(job: Job, reason: string): Partial<Job> {
	return {state: 'queued', reason, windowId: undefined, pid: undefined, exitCode: undefined, resumeNext: Boolean(job.resumeArgv), preparing: false, paused: undefined};
}

/** A window found running the job's agent without a record of it (a dispatch killed after making it): adopted. */
export function adopted(windowId: string, pid: number): Partial<Job> {
	return {state: 'working', reason: 'started', windowId, pid, resumeNext: false};
}

/** Held in needs-input by a budget or a runaway: `ao resume` or a reply lets it go on. */
export function paused(reason: string, pause: NonNullable<Job['paused']>): Partial<Job> {
	return {state: 'needs-input', reason, paused: pause};
}

/**
 * A pause is over: the budget counts again from `spent`, the runaway flag is cleared (the user has looked), and the
 * job is back where it was (one held at the end of its turn is ready: its turn was over).
 */
export function unpaused(job: Job, spent: number | undefined): Partial<Job> {
	const after = job.paused?.how === 'idle' || turnEndedWhilePaused(job) ? {state: 'ready' as const, reason: 'finished its turn'} : {state: 'working' as const, reason: 'resumed'};
	return {paused: undefined, runaway: undefined, budgetBase: spent ?? job.budgetBase, ...after};
}

/**
 * The agent reported the end of its turn after ao paused it: the keys that interrupt a turn came when it was already
 * over (its usage was recorded a moment before its own report), so there is nothing to go on with. Pure.
 */
export function turnEndedWhilePaused(job: Pick<Job, 'paused' | 'said' | 'reportedAt'>): boolean {
	return Boolean(job.paused && job.said?.state === 'ready' && job.reportedAt && job.reportedAt >= job.paused.at);
}

/** The runaway flag set (what the watchdog saw) or cleared (undefined). */
export function runawayFlag(flag: string | undefined): Partial<Job> {
	return {runaway: flag};
}

/** The budget counts from `tokens` spent (a prompt the user typed granted as many again). */
export function budgetRebased(tokens: number): Partial<Job> {
	return {budgetReset: undefined, budgetBase: tokens};
}

/** The work landed: the agent is done (its window goes unless kept), and nothing of the job is unsaved. */
export function landed(landing: Landed, reason: string, keepRunning: boolean): Partial<Job> {
	const done: Partial<Job> = keepRunning ? {} : {state: 'completed', reason, paused: undefined, block: undefined, afterBlock: undefined};
	return {...done, landed: landing, conflicts: [], behind: 0};
}

/** A merge that would conflict was refused: the job says with what, until the next forecast or merge. */
export function mergeRefused(conflict: Conflict): Partial<Job> {
	return {conflicts: [conflict]};
}

/** What the conflict forecast found for the job's work now. */
export function forecast(result: {changes: NonNullable<Job['changes']>; behind: number; conflicts: Conflict[]}): Partial<Job> {
	return {changes: result.changes, behind: result.behind, conflicts: result.conflicts};
}

/** A pull request opened for the job, or what the forge says of it now. */
export function pullRequest(pr: PullRequest): Partial<Job> {
	return {pr};
}
