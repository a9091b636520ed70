/** The one place for state names, their dashboard groups and the order groups are shown in. */
export const states = ['queued', 'working', 'needs-input', 'ready', 'completed', 'failed', 'stopped'] as const;
export type JobState = (typeof states)[number];

export const groups = ['Pinned', 'Needs input', 'Ready for review', 'Working', 'Queued', 'Stopped', 'Failed', 'Completed'] as const;
export type Group = (typeof groups)[number];

const groupOfState: Record<JobState, Group> = {
	queued: 'Queued',
	working: 'Working',
	'needs-input': 'Needs input',
	ready: 'Ready for review',
	completed: 'Completed',
	failed: 'Failed',
	stopped: 'Stopped',
};

export function groupOf(state: JobState, pinned: boolean): Group {
	return pinned ? 'Pinned' : groupOfState[state];
}

/** States in which an agent process is (or is about to be) alive and must be watched. */
export function isLive(state: JobState): boolean {
	return state === 'queued' || state === 'working' || state === 'needs-input' || state === 'ready';
}

export function isState(value: unknown): value is JobState {
	return typeof value === 'string' && (states as readonly string[]).includes(value);
}
