import type {Config} from './config-schema.js';
import {AoError} from './errors.js';
import type {Target} from './control.js';
import {send} from './control.js';
import {unpause} from './pause.js';
import {StatePaths} from './paths.js';
import {resumeIfIdle} from './respawn.js';
import {JobStore} from './store.js';
import type {Tmux} from './tmux.js';
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
