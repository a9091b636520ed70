import type {Config} from '../config/config-schema.js';
import {AoError} from '../errors.js';
import type {Job} from './job.js';
import {isLive} from './states.js';
import type {Target} from './control.js';
import {send} from './control.js';
import {resumePaused, unpause} from '../safety/pause.js';
import {StatePaths} from '../paths.js';
import {respawn, resumeIfIdle} from './respawn.js';
import {JobStore} from './store.js';
import type {Tmux} from '../tmux/tmux.js';
import {blockLifted} from './transitions.js';

/** What a reply did besides typing: brought back an idle-stopped agent, ended a pause, lifted a guard block. */
export interface ReplyResult {
	target: Target;
	resumed: boolean;
	unpaused: boolean;
	unblocked: boolean;
}

/**
 * Types the user's reply into the agent (the CLI's `ao send` and the dashboard's `r`): an agent the idle stop ended
 * is started again first, a pause ends (the user takes over), and a guard block is lifted (the user has seen it).
 */
export async function reply(paths: StatePaths, tmux: Tmux, config: Config, target: Target, text: string, enter = true): Promise<ReplyResult> {
	const resumed = target.job.state === 'stopped' && target.job.reason === 'idle';
	let current = await resumeIfIdle(paths, tmux, config, target);
	const unpaused = Boolean(current.job.paused);
	current = await unpause(paths, config, current);
	const unblocked = Boolean(current.job.block);
	if (unblocked) current = {...current, job: await new JobStore(paths).update(current.job.id, job => (job.block ? blockLifted(job, 'replied') : undefined), 'cli')};
	await send(tmux, current, text, enter);
	return {target: current, resumed, unpaused, unblocked};
}

/** `ao dismiss`: the user has seen the guard's block; the job shows what its agent did since. */
export async function dismissBlock(paths: StatePaths, target: Target): Promise<Target> {
	if (!target.job.block) throw new AoError(`job ${target.job.id} (${target.job.name}) has no guard block to dismiss (${target.job.state}${target.job.reason ? `: ${target.job.reason}` : ''})`);
	const job = await new JobStore(paths).update(target.job.id, current => (current.block ? blockLifted(current, 'guard block dismissed') : undefined), 'cli');
	return {...target, job};
}

/** What bringing a job back did: a pause ended, an idle-stopped agent started again, or it was respawned (or queued). */
export interface BroughtBack {
	how: 'unpaused' | 'resumed' | 'respawned' | 'queued';
	job: Job;
}

/**
 * `ao resume` and the dashboard's R: a paused job goes on (told `message`, or "continue"), an agent the idle stop
 * ended starts again in its session, and any other ended job is respawned in its worktree. A live job that is not
 * paused has nothing to bring back.
 */
export async function bringBack(paths: StatePaths, tmux: Tmux, config: Config, target: Target, message?: string): Promise<BroughtBack> {
	if (target.job.paused) return {how: 'unpaused', job: (await resumePaused(paths, tmux, config, target, message)).job};
	if (target.job.state === 'stopped' && target.job.reason === 'idle') return {how: 'resumed', job: (await resumeIfIdle(paths, tmux, config, target)).job};
	if (isLive(target.job.state)) {
		throw new AoError(`job ${target.job.id} (${target.job.name}) is ${target.job.state} and not paused; there is nothing to resume (ao send ${target.job.name} TEXT replies to it)`);
	}

	const [after] = await respawn(paths, tmux, config, [target]);
	return {how: after?.state === 'queued' ? 'queued' : 'respawned', job: after ?? target.job};
}

/** The agent's window to attach to: one the idle stop ended is started again first. */
export async function attachable(paths: StatePaths, tmux: Tmux, config: Config, target: Target): Promise<Target & {pane: NonNullable<Target['pane']>}> {
	const current = await resumeIfIdle(paths, tmux, config, target);
	if (!current.pane) throw new AoError(`job ${current.job.id} (${current.job.name}) has no window (${current.job.state}); ao respawn ${current.job.name} brings it back`);
	return current as Target & {pane: NonNullable<Target['pane']>};
}
