import {claimPid} from '../processes/claim.js';
import {UsageError} from '../errors.js';
import type {HookReading} from '../../agents/types.js';
import {jobIdPattern, type Job} from './job.js';
import {StatePaths} from '../paths.js';
import {isLive, type JobState} from './states.js';
import {JobStore} from './store.js';
import {guardAsked, guardBlocked, reported} from './transitions.js';

export const reportableStates: JobState[] = ['working', 'needs-input', 'ready'];

/** Wakes the supervisor so a reported change is seen (and notified) now, not at the next tick. */
export function wakeSupervisor(paths: StatePaths): void {
	try {
		const pid = claimPid(paths.supervisorPid);
		if (pid !== undefined) process.kill(pid, 'SIGUSR1');
	} catch {
		// No supervisor to wake: the next one reads the record anyway.
	}
}

/**
 * Records what an agent says about itself. An agent whose reports tell every state (`reportsAll`: ao report, Claude
 * Code's hooks) counts from then on as one that reports, and the supervisor no longer guesses its state from the
 * screen; others (Codex's notify, Gemini's hooks) say some states and leave the rest to the screen. A job that
 * already ended is never brought back by a late report.
 */
export async function report(paths: StatePaths, jobId: string | undefined, reading: HookReading, reportsAll = true): Promise<Job | undefined> {
	if (!jobId || !jobIdPattern.test(jobId)) throw new UsageError('ao report runs inside an agent started by ao (AO_JOB_ID is not set)');
	const {state, reason, transcriptPath, userPrompt = false} = reading;
	if (state && !reportableStates.includes(state)) throw new UsageError(`an agent reports ${reportableStates.join(', ')}; got "${state}"`);
	const at = new Date().toISOString();
	const job = await new JobStore(paths).update(jobId, current => {
		if (!isLive(current.state) || current.state === 'queued') return undefined;
		return reported(current, {state, reason, transcriptPath, userPrompt, at, reportsAll});
	}, 'report');
	wakeSupervisor(paths);
	return job;
}

/**
 * Records what the guard did to a job's tool call: a denial holds the job in needs input until the user acts (see
 * transitions.guardBlocked); a question is the job's state until the agent says more. Every one is in the timeline,
 * even when the job already showed this very reason.
 */
export async function reportGuard(paths: StatePaths, jobId: string, reason: string, denied: boolean): Promise<void> {
	const store = new JobStore(paths);
	const at = new Date().toISOString();
	const before = await store.read(jobId);
	const after = await store.update(jobId, job => {
		if (!isLive(job.state) || job.state === 'queued') return undefined;
		return denied ? guardBlocked(reason, at) : guardAsked(reason);
	}, 'guard');
	if (after.state === before.state && after.reason === before.reason) {
		await store.appendEvent(jobId, {at, from: before.state, to: before.state, reason, signal: 'guard'});
	}

	wakeSupervisor(paths);
}
