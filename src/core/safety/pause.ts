import type {Config} from '../config/config-schema.js';
import {send, type Target} from '../jobs/control.js';
import {readJobUsage, readUsageSummary} from '../cost/cost.js';
import {AoError} from '../errors.js';
import type {Job, Pause} from '../jobs/job.js';
import {StatePaths} from '../paths.js';
import {presetNamed} from '../config/presets.js';
import {signalTree} from '../processes/processes.js';
import {JobStore} from '../jobs/store.js';
import type {Tmux} from '../tmux/tmux.js';
import {formatTokens} from '../cost/units.js';
import {sumTokens, totalOf} from '../cost/usage.js';
import * as transition from '../jobs/transitions.js';

/** What a paused agent is told when `ao resume` lets it go on without a message of the user's. */
export const defaultResumeText = 'continue';

/** Tokens the job may spend from its last resume: its own --budget, else budget.per_job_tokens (0: no limit). Pure. */
export function allowance(job: Pick<Job, 'budget'>, config: Config): number {
	return job.budget ?? config.budget.per_job_tokens;
}

/** The pause reason when the job spent its budget since it was last resumed; undefined while within it. Pure. */
export function overBudget(job: Pick<Job, 'budget' | 'budgetBase' | 'paused' | 'name'>, tokens: number, config: Config): string | undefined {
	const limit = allowance(job, config);
	if (limit <= 0 || job.paused) return undefined;
	const spent = tokens - (job.budgetBase ?? 0);
	if (spent < limit) return undefined;
	return `budget: spent ${formatTokens(spent)} of ${formatTokens(limit)} tokens; ao resume ${job.name} grants as many again`;
}

/**
 * Holds the agent: its preset's pause_keys interrupt the turn (Claude Code: Escape), else every process of the agent
 * (below the pane's shell) gets SIGSTOP. An agent that had already finished its turn (ready) is only held there:
 * there is nothing to interrupt, and nothing to tell it when it is resumed. The job moves to needs-input with
 * `reason` and stays there (screen and silence are not read) until it is resumed.
 */
export async function pauseJob(paths: StatePaths, tmux: Tmux, config: Config, target: Target, why: 'budget' | 'runaway', reason: string): Promise<Job> {
	const {job, pane} = target;
	if (!pane || pane.dead) throw new AoError(`job ${job.id} (${job.name}) is not running; there is nothing to pause`);
	const keys = presetNamed(config, job.agent)?.pause_keys ?? [];
	let how: Pause['how'] = 'idle';
	if (job.state !== 'ready') {
		how = keys.length > 0 ? 'keys' : 'sigstop';
		if (keys.length > 0) await tmux.sendKeys(pane.paneId, keys);
		// Not the pane's own process (tmux/agent.sh): tmux would send its process group SIGCONT at once.
		else signalTree(pane.panePid, 'SIGSTOP', {below: true});
	}

	const paused: Pause = {why, how, at: new Date().toISOString()};
	return new JobStore(paths).update(job.id, () => transition.paused(reason, paused), why === 'budget' ? 'budget' : 'watchdog');
}

/** Tokens the job has spent so far, read from its agent's records (undefined: it keeps none ao can read). */
export async function tokensSpent(paths: StatePaths, config: Config, job: Job): Promise<number | undefined> {
	const cache = await readJobUsage(paths, config, job);
	if (cache) return totalOf(sumTokens(Object.values(cache.byModel)));
	// No usage record read yet in this process: what the supervisor counted last (it paused the job on it), so a
	// resume does not keep the old base and pause the job again at once.
	return (await readUsageSummary(paths, {anyAge: true}))?.jobs[job.id]?.tokens;
}

/**
 * Lets a paused agent go on: SIGCONT for one that was stopped; the budget counts again from what it has spent now
 * (as many tokens again). The runaway flag is cleared: the user has looked. A no-op for a job that is not paused.
 */
export async function unpause(paths: StatePaths, config: Config, target: Target): Promise<Target> {
	const {job, pane} = target;
	if (!job.paused) return target;
	if (job.paused.how === 'sigstop' && pane && !pane.dead) signalTree(pane.panePid, 'SIGCONT');
	const spent = await tokensSpent(paths, config, job);
	const resumed = await new JobStore(paths).update(job.id, current => transition.unpaused(current, spent), 'cli');
	return {job: resumed, pane};
}

/**
 * `ao resume` of a paused agent: it goes on, told `text` (or "continue") when its turn was interrupted; an agent that
 * was only stopped (SIGSTOP) is told something only when `text` is given.
 */
export async function resumePaused(paths: StatePaths, tmux: Tmux, config: Config, target: Target, text?: string): Promise<Target> {
	const how = target.job.paused?.how;
	const interrupted = how === 'keys' && !transition.turnEndedWhilePaused(target.job);
	const resumed = await unpause(paths, config, target);
	const message = text ?? (interrupted ? defaultResumeText : undefined);
	if (message !== undefined) await send(tmux, resumed, message, true);
	return resumed;
}
