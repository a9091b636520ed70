import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {ensurePrivateDir} from '../processes/atomic-file.js';
import type {Config} from '../config/config-schema.js';
import {errorMessage} from '../errors.js';
import type {Job} from './job.js';
import {withLock} from '../processes/lock.js';
import {StatePaths, tildify} from '../paths.js';
import {quotaBlock, readUsageSummary} from '../cost/cost.js';
import {readLimits} from '../processes/processes.js';
import {checkResources, measuredNeeds, readResourceSnapshot, type ResourceSnapshot} from '../safety/resources.js';
import {ensureServer} from '../supervisor/server.js';
import {isLive} from './states.js';
import {JobStore} from './store.js';
import type {AgentEnvFile, PaneInfo, Tmux} from '../tmux/tmux.js';
import {writeAgentEnv} from '../processes/agent-env.js';
import * as transition from './transitions.js';

/** Queued jobs waiting for a window, in the order they start: higher --priority first, then oldest first. Pure. */
export function queueOrder(jobs: Job[]): Job[] {
	return jobs
		.filter(job => job.state === 'queued' && !job.windowId && !job.preparing)
		.sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Jobs whose agent holds a slot: live, with a window. Pure. */
export function runningJobs(jobs: Job[]): Job[] {
	return jobs.filter(job => isLive(job.state) && job.state !== 'queued' && job.windowId);
}

/** Why `job` may not start now because of the caps, or undefined if a slot is free. Pure. */
export function capBlock(job: Job, running: Job[], concurrency: Config['concurrency']): string | undefined {
	if (running.length >= concurrency.max_running) {
		return `waiting for a slot: ${running.length} of ${concurrency.max_running} agents running (concurrency.max_running)`;
	}

	if (concurrency.per_repo > 0 && job.repo) {
		const inRepo = running.filter(other => other.repo === job.repo).length;
		if (inRepo >= concurrency.per_repo) return `waiting for a slot: ${inRepo} of ${concurrency.per_repo} agents running in ${path.basename(job.repo)} (concurrency.per_repo)`;
	}

	return undefined;
}

/** The job's environment file; a record of ao before 0.2 kept its environment in state.json, written out here. */
async function agentEnvFile(paths: StatePaths, tmux: Tmux, job: Job): Promise<AgentEnvFile> {
	const file = paths.envFile(job.id);
	if (!existsSync(file)) {
		await writeAgentEnv(paths, job.id, job.env ?? {PATH: process.env.PATH ?? '', AO_JOB_ID: job.id, AO_HOME: paths.home, AO_SOCKET: tmux.socket});
		if (job.env) await new JobStore(paths).update(job.id, () => ({env: undefined}), 'start');
	}

	return {file, exact: job.envFrom === 'shell'};
}

/** Starts (or restarts, in its old window) one job's agent now, whatever the caps say. The server must be up. */
export async function startJob(paths: StatePaths, tmux: Tmux, job: Job, oldPane: PaneInfo | undefined): Promise<Job> {
	const store = new JobStore(paths);
	if (!existsSync(job.worktree)) {
		return store.update(job.id, () => transition.failed(`its worktree ${tildify(job.worktree)} is gone; ao rm ${job.id} clears the job`), 'start');
	}

	const resuming = Boolean(job.resumeNext && job.resumeArgv);
	const argv = resuming ? job.resumeArgv! : job.argv;
	const env = await agentEnvFile(paths, tmux, job);
	// tmux's pipe-pane would make it with the server's umask; what an agent prints can be as private as its env.
	await fs.appendFile(paths.outputLog(job.id), '', {mode: 0o600});
	// Written before the agent starts: its first hook (SessionStart) may run before a write after the start would,
	// and a hook is ignored for a job still queued.
	await store.update(job.id, () => transition.started(resuming, new Date().toISOString()), 'start');
	let windowId: string;
	let pid: number;
	try {
		if (oldPane) {
			windowId = oldPane.windowId;
			pid = await tmux.respawnPane(oldPane.paneId, {cwd: job.worktree, env, argv, logFile: paths.outputLog(job.id)});
		} else {
			({windowId, panePid: pid} = await tmux.newWindow({
				jobId: job.id, name: job.name, cwd: job.worktree, env, argv, logFile: paths.outputLog(job.id), argvFile: path.join(paths.jobDir(job.id), 'argv'),
			}));
		}
	} catch (error) {
		await store.update(job.id, () => transition.startFailed(errorMessage(error), resuming), 'start').catch(() => undefined);
		throw error;
	}

	return store.update(job.id, () => transition.windowMade(windowId, pid), 'start');
}

export interface StartResult {
	started: Job[];
	/** Jobs still queued, in queue order, with why. */
	waiting: Job[];
}

/**
 * Starts queued jobs while the caps, the stagger and the resource checks allow, in queue order; the rest keep
 * waiting with the reason in their record. Decided under one lock, so concurrent dispatches never exceed a cap.
 */
export async function startQueued(paths: StatePaths, tmux: Tmux, config: Config, log: (line: string) => Promise<void> = async () => undefined, lockWaitMs?: number): Promise<StartResult> {
	await ensurePrivateDir(path.dirname(paths.startLock));
	return withLock(paths.startLock, async () => {
		const store = new JobStore(paths);
		const {jobs} = await store.list();
		const queue = queueOrder(jobs);
		if (queue.length === 0) return {started: [], waiting: []};
		const panes = (await ensureServer(tmux, paths, config)) ?? [];
		const paneByJob = new Map(panes.filter(pane => pane.jobId).map(pane => [pane.jobId!, pane]));
		const running = runningJobs(jobs).filter(job => paneByJob.get(job.id) && !paneByJob.get(job.id)!.dead);
		const started: Job[] = [];
		const waiting: Job[] = [];
		let lastStart = Math.max(0, ...jobs.map(job => (job.startedAt ? Date.parse(job.startedAt) : 0)));
		let limits: Awaited<ReturnType<typeof readLimits>> | undefined;
		let snapshot: ResourceSnapshot | null | undefined;
		const quota = config.budget.window_tokens > 0 ? quotaBlock((await readUsageSummary(paths))?.window, config.budget) : undefined;
		for (const job of queue) {
			let block = quota ?? capBlock(job, running, config.concurrency);
			if (!block && config.concurrency.stagger_ms > 0 && Date.now() - lastStart < config.concurrency.stagger_ms) {
				block = `starting soon: agents start ${config.concurrency.stagger_ms} ms apart (concurrency.stagger_ms)`;
			}

			if (!block) {
				limits ??= await readLimits(panes[0]?.serverPid);
				snapshot ??= readResourceSnapshot(paths) ?? null;
				const measured = measuredNeeds(snapshot ?? undefined, running, job.agent);
				const failed = checkResources(limits, config.limits, running.length + 1, measured).find(check => !check.ok);
				if (failed) block = `resource check failed: ${failed.detail}`;
			}

			if (block) {
				if (job.reason !== block) {
					waiting.push(await store.update(job.id, () => transition.waiting(block), 'queue'));
					await log(`${job.id} stays queued: ${block}`);
				} else {
					waiting.push(job);
				}

				continue;
			}

			const now = await startJob(paths, tmux, job, paneByJob.get(job.id));
			await log(`${job.id} ${now.reason === 'resumed' ? 'resumed' : 'started'} (${running.length + 1} running)`);
			started.push(now);
			if (now.windowId && isLive(now.state)) running.push(now);
			lastStart = Date.now();
		}

		return {started, waiting};
	}, lockWaitMs);
}
