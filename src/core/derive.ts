import type {Job} from './job.js';
import {isLive, type JobState} from './states.js';
import type {PaneInfo} from './tmux.js';

export interface StateChange {
	state: JobState;
	reason: string;
	exitCode?: number;
	/** Which signal decided: process (pane dead or gone). */
	signal: 'process';
}

/**
 * What the process signal says about a job: its pane died (exit status -> completed or failed) or its window is
 * gone (failed, lost). Undefined when nothing changes. Jobs that cannot change, and queued jobs that have no window
 * yet, are left alone. Pure.
 */
/** How long a dead pane may go without an exit status before ao stops waiting for one. */
export const exitStatusGraceSeconds = 5;

export function deriveFromProcess(job: Job, pane: PaneInfo | undefined, nowSeconds = Date.now() / 1000): StateChange | undefined {
	if (!isLive(job.state) || !job.windowId) return undefined;
	if (!pane) return job.state === 'failed' ? undefined : {state: 'failed', reason: 'lost', signal: 'process'};
	if (!pane.dead) return undefined;
	if (pane.deadSignal !== undefined) return {state: 'failed', reason: `killed by signal ${pane.deadSignal}`, signal: 'process'};
	// tmux marks a pane dead when its terminal closes, and fills in the exit status a moment later, when it
	// reaps the process: until then the outcome is unknown, and a later look decides.
	if (pane.deadStatus === undefined) {
		const waited = pane.deadTime === undefined ? Infinity : nowSeconds - pane.deadTime;
		return waited < exitStatusGraceSeconds ? undefined : {state: 'failed', reason: 'exited, status unknown', signal: 'process'};
	}

	const exitCode = pane.deadStatus;
	return exitCode === 0
		? {state: 'completed', reason: 'exit 0', exitCode, signal: 'process'}
		: {state: 'failed', reason: `exit ${exitCode}`, exitCode, signal: 'process'};
}

/** The job as it is now: its record with what the process signal says applied. Pure. */
export function currentView(job: Job, pane: PaneInfo | undefined, nowSeconds = Date.now() / 1000): Job {
	const change = deriveFromProcess(job, pane, nowSeconds);
	if (!change) return job;
	const {signal: _signal, ...fields} = change;
	return {...job, ...fields};
}
