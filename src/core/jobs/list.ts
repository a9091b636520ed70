import path from 'node:path';
import {strategyOf} from '../../agents/index.js';
import {readUsageSummary, summaryMaxAgeMs, type UsageSummary} from '../cost/cost.js';
import type {Job} from './job.js';
import {lastOutputLine, lastOutputLineLater} from './output-log.js';
import {StatePaths} from '../paths.js';
import {observe} from './observe.js';
import {queueOrder} from './start.js';
import {readResourceSnapshot} from '../safety/resources.js';
import {groupOf, groups, isLive, type Group} from './states.js';
import type {JobProblem} from './store.js';
import type {Tmux} from '../tmux/tmux.js';

export interface JobView extends Job {
	group: Group;
	lastLine: string;
	/** 1 for the next queued job to start. */
	queuePosition?: number;
	/** Tokens spent so far, and per minute now; undefined when its agent keeps no record ao can read. */
	tokens?: number;
	perMinute?: number;
	/** What its process tree takes now (live agents the supervisor measured in the last minute). */
	resources?: {cpuPercent: number; rssBytes: number; processes: number; openFiles?: number; inotifyWatches?: number};
}

export interface Listing {
	jobs: JobView[];
	/** Completed jobs left out without --all. */
	hidden: number;
	problems: JobProblem[];
	serverUp: boolean;
	/** All live agents' burn rate and the quota window, while the supervisor keeps them current. */
	usage?: Pick<UsageSummary, 'burnRate' | 'window'>;
}

export interface ListOptions {
	all?: boolean;
	/** Only jobs dispatched in this directory or below it. */
	cwd?: string;
	/** Read files without blocking the process (the dashboard); commands read them synchronously, which is faster. */
	nonBlocking?: boolean;
}

function isUnder(dir: string, parent: string): boolean {
	const relative = path.relative(parent, dir);
	return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Jobs as they are now: each record with what tmux says applied, its group and its last line of output. */
export async function listJobs(paths: StatePaths, tmux: Tmux, options: ListOptions = {}): Promise<Listing> {
	const {jobs, problems, panes} = await observe(paths, tmux, {nonBlocking: options.nonBlocking});
	const scoped = options.cwd ? jobs.filter(job => isUnder(job.cwd, path.resolve(options.cwd!))) : jobs;
	const shown = options.all ? scoped : scoped.filter(job => job.state !== 'completed');
	const queue = queueOrder(jobs);
	const summary = await readUsageSummary(paths, {anyAge: true});
	const measured = readResourceSnapshot(paths);
	const views = await Promise.all(shown.map(async job => {
		const position = queue.indexOf(job);
		// A full-screen agent's log is cursor moves and redraws: its "last line" would be debris ("Esctocancel·Tab...").
		const lastLine = strategyOf(job).fullScreen ? ''
			: options.nonBlocking ? await lastOutputLineLater(paths.outputLog(job.id)) : lastOutputLine(paths.outputLog(job.id));
		const usage = summary?.jobs[job.id];
		// A record of ao before 0.2 may still hold the agent's environment until its next start: never shown.
		const {env: _env, ...record} = job;
		const resources = isLive(job.state) && job.state !== 'queued' ? measured?.jobs[job.id] : undefined;
		return {
			...record, group: groupOf(job.state, job.pinned), lastLine,
			...(position === -1 ? {} : {queuePosition: position + 1}),
			...(usage ? {tokens: usage.tokens, perMinute: usage.perMinute} : {}),
			...(resources ? {resources} : {}),
		};
	}));
	// Nothing to say about usage when no agent keeps a record ao reads and no quota window is set.
	const fresh = summary && Date.now() - Date.parse(summary.at) < summaryMaxAgeMs && (Object.keys(summary.jobs).length > 0 || summary.window);
	return {
		jobs: sortByGroup(views), hidden: scoped.length - shown.length, problems, serverUp: panes !== undefined,
		...(fresh ? {usage: {burnRate: summary.burnRate, ...(summary.window ? {window: summary.window} : {})}} : {}),
	};
}

/** Orders jobs by dashboard group, oldest first within a group. Pure. */
export function sortByGroup<T extends {group: Group; createdAt: string}>(jobs: T[]): T[] {
	return [...jobs].sort((a, b) => groups.indexOf(a.group) - groups.indexOf(b.group) || a.createdAt.localeCompare(b.createdAt));
}
