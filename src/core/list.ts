import path from 'node:path';
import {currentView} from './derive.js';
import type {Job} from './job.js';
import {lastOutputLine} from './output-log.js';
import {StatePaths} from './paths.js';
import {reviveSupervisor} from './server.js';
import {groupOf, groups, type Group} from './states.js';
import {JobStore, type JobProblem} from './store.js';
import type {PaneInfo, Tmux} from './tmux.js';

export interface JobView extends Job {
	group: Group;
	lastLine: string;
}

export interface Listing {
	jobs: JobView[];
	/** Completed jobs left out without --all. */
	hidden: number;
	problems: JobProblem[];
	serverUp: boolean;
}

export interface ListOptions {
	all?: boolean;
	/** Only jobs dispatched in this directory or below it. */
	cwd?: string;
}

function isUnder(dir: string, parent: string): boolean {
	const relative = path.relative(parent, dir);
	return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Jobs as they are now: each record with what tmux says applied, its group and its last line of output. */
export async function listJobs(paths: StatePaths, tmux: Tmux, options: ListOptions = {}): Promise<Listing> {
	const [{jobs, problems}, panes] = await Promise.all([new JobStore(paths).list(), tmux.listPanes()]);
	await reviveSupervisor(tmux, paths, panes);
	const paneByJob = new Map((panes ?? []).filter(pane => pane.jobId).map(pane => [pane.jobId!, pane] as [string, PaneInfo]));
	const scoped = options.cwd ? jobs.filter(job => isUnder(job.cwd, path.resolve(options.cwd!))) : jobs;
	const current = scoped.map(job => currentView(job, paneByJob.get(job.id)));
	const shown = options.all ? current : current.filter(job => job.state !== 'completed');
	const views = shown.map(job => ({...job, group: groupOf(job.state, job.pinned), lastLine: lastOutputLine(paths.outputLog(job.id))}));
	return {jobs: sortByGroup(views), hidden: current.length - shown.length, problems, serverUp: panes !== undefined};
}

/** Orders jobs by dashboard group, oldest first within a group. Pure. */
export function sortByGroup<T extends {group: Group; createdAt: string}>(jobs: T[]): T[] {
	return [...jobs].sort((a, b) => groups.indexOf(a.group) - groups.indexOf(b.group) || a.createdAt.localeCompare(b.createdAt));
}
