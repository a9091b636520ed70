import {setTimeout as sleep} from 'node:timers/promises';
import {strategyOf} from '../../agents/index.js';
import {AoError} from '../errors.js';
import type {Job} from './job.js';
import {checkName} from './names.js';
import {StatePaths} from '../paths.js';
import {signalTree} from '../processes/processes.js';
import {resolveJob} from './resolve.js';
import {observe} from './observe.js';
import {isLive} from './states.js';
import {JobStore} from './store.js';
import {ServerNotRunning, type PaneInfo, type Tmux} from '../tmux/tmux.js';
import * as transition from './transitions.js';

/** A job found by what the user typed, with its pane (if its window exists) and its current state. */
export interface Target {
	job: Job;
	pane: PaneInfo | undefined;
}

export async function findTarget(paths: StatePaths, tmux: Tmux, ref: string): Promise<Target> {
	const {jobs, paneByJob, problems} = await observe(paths, tmux);
	// A job whose record cannot be read is named by its id: say what is wrong with it, not that it does not exist.
	const unreadable = problems.find(problem => problem.id === ref);
	if (unreadable && !jobs.some(job => job.id === ref)) throw new AoError(unreadable.message);
	const job = resolveJob(ref, jobs);
	return {job, pane: paneByJob.get(job.id)};
}

function requirePane(target: Target): PaneInfo {
	if (!target.pane) {
		throw new AoError(`job ${target.job.id} (${target.job.name}) has no window (${target.job.state}${target.job.reason ? `: ${target.job.reason}` : ''}); its output is in: ao logs ${target.job.id}`);
	}

	return target.pane;
}

/** The pane's screen as text: trailing blank lines dropped, the last `lines` kept when given. */
export async function peek(tmux: Tmux, target: Target, options: {lines?: number; ansi?: boolean} = {}): Promise<string> {
	const pane = requirePane(target);
	const screen = await tmux.capture(pane.paneId, {ansi: options.ansi});
	const rows = screen.replace(/\n$/, '').split('\n');
	while (rows.length > 0 && rows.at(-1)!.trim() === '') rows.pop();
	return (options.lines ? rows.slice(-options.lines) : rows).join('\n');
}

export async function send(tmux: Tmux, target: Target, text: string, enter: boolean): Promise<void> {
	const pane = requirePane(target);
	if (pane.dead) throw new AoError(`job ${target.job.id} (${target.job.name}) is not running (${target.job.state}); there is nothing to type into`);
	await tmux.sendText(pane.paneId, text, enter, strategyOf(target.job).enterAfterMs);
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		try {
			process.kill(pid, signal);
			return true;
		} catch {
			return false;
		}
	}
}

/**
 * Ends the agent but keeps its window (dead, so the last screen stays) and its worktree; the state becomes
 * stopped first, so the supervisor does not read the exit as a failure. SIGTERM to the pane's process group,
 * SIGKILL after `graceMs`.
 */
export async function stop(paths: StatePaths, tmux: Tmux, target: Target, reason = 'stopped by user', graceMs = 3000): Promise<Job> {
	const {job} = target;
	if (!isLive(job.state)) throw new AoError(`job ${job.id} (${job.name}) is already ${job.state}`);
	const stopped = await new JobStore(paths).update(job.id, () => transition.stopped(reason), reason === 'idle' ? 'idle' : 'cli');
	const pane = target.pane;
	// A process held with SIGSTOP (a budget pause) acts on SIGTERM only once it runs again.
	if (pane && !pane.dead && job.paused?.how === 'sigstop') signalTree(pane.panePid, 'SIGCONT');
	if (pane && !pane.dead && signalGroup(pane.panePid, 'SIGTERM')) {
		const deadline = Date.now() + graceMs;
		while (Date.now() < deadline) {
			const now = (await tmux.listPanes().catch(() => undefined))?.find(candidate => candidate.paneId === pane.paneId);
			if (!now || now.dead) return stopped;
			await sleep(50);
		}

		signalGroup(pane.panePid, 'SIGKILL');
	}

	return stopped;
}

export async function setPinned(paths: StatePaths, job: Job, pinned: boolean): Promise<Job> {
	return new JobStore(paths).update(job.id, () => (job.pinned === pinned ? undefined : {pinned}));
}

export async function rename(paths: StatePaths, tmux: Tmux, target: Target, name: string): Promise<Job> {
	checkName(name);
	const store = new JobStore(paths);
	const holder = await store.claimName(name, target.job.id);
	if (holder) throw new AoError(`the name "${name}" is taken by job ${holder}; pick another`);
	let previous = target.job.name;
	const renamed = await store.update(target.job.id, current => {
		previous = current.name;
		return {name};
	}).catch(async error => {
		await store.releaseName(name, target.job.id);
		throw error;
	});
	if (previous !== name) await store.releaseName(previous, target.job.id);
	if (target.pane) {
		await tmux.renameWindow(target.pane.windowId, name).catch(error => {
			if (!(error instanceof ServerNotRunning)) throw error;
		});
	}

	return renamed;
}
