import {deriveFromProcess} from './derive.js';
import type {Job} from './job.js';
import {StatePaths} from '../paths.js';
import {reviveSupervisor} from '../supervisor/server.js';
import {JobStore, type JobProblem} from './store.js';
import type {PaneInfo, Tmux} from '../tmux/tmux.js';

export interface Observed {
	jobs: Job[];
	problems: JobProblem[];
	/** Undefined when the ao server is not running. */
	panes: PaneInfo[] | undefined;
	paneByJob: Map<string, PaneInfo>;
}

/**
 * What every command sees first: the records and the panes (one tmux call), with what the process signal says
 * written down right away, so a job whose server is gone is recorded failed (lost) by the first command that
 * notices, not only shown so. A dead supervisor is restarted on the way, and so is one of another build.
 */
export async function observe(paths: StatePaths, tmux: Tmux, options: {nonBlocking?: boolean; upgrade?: boolean} = {}): Promise<Observed> {
	const store = new JobStore(paths);
	// The windows are asked for while the records are read (tmux answers in its own process). A record names only
	// windows made before it was written, so one written before the question went out has its window in the answer
	// unless the window is gone; one written after (a job started meanwhile) may not, and then tmux is asked again.
	let asked = Date.now();
	const panesAnswer = tmux.listPanes();
	const {jobs, problems} = await store.list(options);
	let panes = await panesAnswer;
	const newer = (job: Job) => Date.parse(job.updatedAt) >= asked;
	if (jobs.some(newer)) {
		asked = Date.now();
		panes = await tmux.listPanes();
	}

	await reviveSupervisor(tmux, paths, panes, process.env, options.upgrade ?? true);
	const paneByJob = new Map((panes ?? []).filter(pane => pane.jobId).map(pane => [pane.jobId!, pane] as [string, PaneInfo]));
	const current = await Promise.all(jobs.map(async job => {
		if (!deriveFromProcess(job, paneByJob.get(job.id))) return job;
		return store.update(job.id, fresh => {
			// Rewritten since the windows were asked for: what they said may be older than this record.
			if (newer(fresh)) return undefined;
			const change = deriveFromProcess(fresh, paneByJob.get(fresh.id));
			if (!change) return undefined;
			const {signal: _signal, ...fields} = change;
			return fields;
		}, 'process').catch(() => job);
	}));
	return {jobs: current, problems, panes, paneByJob};
}
