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
	// Records first, windows second (never both at once): a job started in between must not look lost.
	const {jobs, problems} = await store.list(options);
	const panes = await tmux.listPanes();
	await reviveSupervisor(tmux, paths, panes, process.env, options.upgrade ?? true);
	const paneByJob = new Map((panes ?? []).filter(pane => pane.jobId).map(pane => [pane.jobId!, pane] as [string, PaneInfo]));
	const current = await Promise.all(jobs.map(async job => {
		if (!deriveFromProcess(job, paneByJob.get(job.id))) return job;
		return store.update(job.id, fresh => {
			const change = deriveFromProcess(fresh, paneByJob.get(fresh.id));
			if (!change) return undefined;
			const {signal: _signal, ...fields} = change;
			return fields;
		}, 'process').catch(() => job);
	}));
	return {jobs: current, problems, panes, paneByJob};
}
