import type {Job} from '../../src/core/jobs/job.js';
import type {PaneInfo} from '../../src/core/tmux/tmux.js';

/** The moment every record below is made at, unless told otherwise: 2024-05-01T12:00:00Z. */
export const recordTime = '2024-05-01T12:00:00.000Z';

/** A job record for pure tests: a working shell job in /tmp/repo with window @7, with `fields` on top. */
export function jobRecord(fields: Partial<Job> = {}): Job {
	return {
		id: 'abcd1234',
		name: 'fix',
		agent: 'shell',
		task: 'npm test',
		argv: ['sh', '-c', 'npm test'],
		state: 'working',
		reason: '',
		cwd: '/tmp/repo',
		worktree: '/tmp/repo',
		sessionId: 's',
		windowId: '@7',
		pid: 1234,
		pinned: false,
		createdAt: recordTime,
		updatedAt: recordTime,
		stateSince: recordTime,
		...fields,
	};
}

/** The live pane of that job (window @7, pane %9), last printing at `recordTime`, with `fields` on top. */
export function paneRecord(fields: Partial<PaneInfo> = {}): PaneInfo {
	return {
		windowId: '@7',
		windowIndex: 3,
		paneId: '%9',
		panePid: 1234,
		dead: false,
		deadStatus: undefined,
		deadSignal: undefined,
		deadTime: undefined,
		viewed: false,
		serverPid: 4000,
		activity: Date.parse(recordTime) / 1000,
		jobId: 'abcd1234',
		windowName: 'fix',
		...fields,
	};
}
