import type {Job} from './job.js';
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
