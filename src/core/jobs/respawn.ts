import {existsSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Config} from '../config/config-schema.js';
import type {Target} from './control.js';
import {AoError} from '../errors.js';
import type {Job} from './job.js';
import {observe} from './observe.js';
import {StatePaths, tildify} from '../paths.js';
import {ensureServer} from '../supervisor/server.js';
import {startJob, startQueued} from './start.js';
import {isLive} from './states.js';
import {JobStore} from './store.js';
import type {Tmux} from '../tmux/tmux.js';
import * as transition from './transitions.js';

/** Puts an ended job back in the queue, to start in its worktree with its preset's resume command. */
async function requeue(paths: StatePaths, job: Job, reason: string): Promise<Job> {
	if (isLive(job.state)) throw new AoError(`job ${job.id} (${job.name}) is ${job.state}; only a stopped, failed or completed job can be respawned`);
	if (job.repo && !existsSync(job.repo)) throw new AoError(`job ${job.id} (${job.name}): its repository ${tildify(job.repo)} is gone (moved or deleted), so its worktree no longer works; dispatch again from where the repository is now, and ao rm ${job.id} clears this one`);
	if (!existsSync(job.worktree)) throw new AoError(`job ${job.id} (${job.name}): its worktree ${tildify(job.worktree)} is gone, so there is nothing to resume; ao rm ${job.id} clears it`);
	return new JobStore(paths).update(job.id, current => transition.requeued(current, reason), 'respawn');
}

/** `ao respawn`: the jobs go back in the queue (behind the caps) and start with their resume command. */
export async function respawn(paths: StatePaths, tmux: Tmux, config: Config, targets: Target[]): Promise<Job[]> {
	const requeued = [];
	for (const target of targets) requeued.push(await requeue(paths, target.job, 'respawn'));
	await startQueued(paths, tmux, config);
	const store = new JobStore(paths);
	return Promise.all(requeued.map(job => store.read(job.id)));
}

/** The jobs `ao respawn --all-lost` brings back: those lost with the tmux server (reboot, sleep, kill-server). */
export function lostJobs(jobs: Job[]): Job[] {
	return jobs.filter(job => job.state === 'failed' && job.reason === 'lost');
}

/**
 * Brings an agent that the idle stop ended back at once (the user is talking to it), bypassing the queue, and
 * waits until it printed something, so what is typed next reaches a running program.
 */
export async function resumeIfIdle(paths: StatePaths, tmux: Tmux, config: Config, target: Target): Promise<Target> {
	if (target.job.state !== 'stopped' || target.job.reason !== 'idle') return target;
	const queued = await requeue(paths, target.job, 'resuming after idle stop');
	await ensureServer(tmux, paths, config);
	const quietSince = target.pane?.activity ?? 0;
	const started = await startJob(paths, tmux, queued, target.pane);
	const deadline = Date.now() + 5000;
	for (;;) {
		const pane = (await observe(paths, tmux)).paneByJob.get(started.id);
		const printed = pane && !pane.dead && pane.activity > quietSince;
		if (printed || Date.now() > deadline) return {job: started, pane};
		await sleep(100);
	}
}
