import type {Config} from '../config/config-schema.js';
import type {Job} from '../jobs/job.js';
import {observe} from '../jobs/observe.js';
import {StatePaths} from '../paths.js';
import {thisBuild, type BuildInfo} from './build.js';
import {ensureServer, killServerAndSupervisor, legacySupervisor, readSupervisorInfo, supervisorPane, supervisorPid} from './server.js';
import {runningJobs, startQueued} from '../jobs/start.js';
import {JobStore} from '../jobs/store.js';
import type {Tmux} from '../tmux/tmux.js';
import * as transition from '../jobs/transitions.js';

export interface ServerStatus {
	running: boolean;
	socket: string;
	serverPid?: number;
	supervisorPid?: number;
	supervisorAlive: boolean;
	windows: number;
	jobs: Record<string, number>;
	/** The ao this command runs, and the one the supervisor runs (undefined: not known, a supervisor of ao 0.1). */
	build: BuildInfo;
	supervisorBuild?: BuildInfo;
}

export async function serverStatus(paths: StatePaths, tmux: Tmux): Promise<ServerStatus> {
	// Read-only: an outdated supervisor is shown as such here, and replaced by the next other command.
	const {jobs, panes} = await observe(paths, tmux, {upgrade: false});
	const counts: Record<string, number> = {};
	for (const job of jobs) counts[job.state] = (counts[job.state] ?? 0) + 1;
	const supervisor = panes ? supervisorPane(panes) : undefined;
	const info = readSupervisorInfo(paths);
	const pid = supervisor && !supervisor.dead ? supervisorPid(paths) : undefined;
	// Between claiming its pid file and writing its info a new supervisor is still starting, not an ao 0.1.
	const started = pid !== undefined && (info?.pid === pid || legacySupervisor(paths));
	return {
		running: panes !== undefined,
		socket: tmux.socket,
		serverPid: panes ? await tmux.serverPid() : undefined,
		supervisorPid: started ? pid : undefined,
		supervisorAlive: Boolean(supervisor && !supervisor.dead),
		windows: panes ? panes.filter(pane => pane.jobId).length : 0,
		jobs: counts,
		build: thisBuild(),
		...(info && info.pid === pid ? {supervisorBuild: {version: info.version, build: info.build, bin: info.bin}} : {}),
	};
}

/** Ends the server and every agent in it; the jobs are recorded as stopped, resumable with ao respawn. */
export async function stopServer(paths: StatePaths, tmux: Tmux, reason = 'server stopped'): Promise<Job[]> {
	const {jobs} = await observe(paths, tmux);
	const store = new JobStore(paths);
	const live = runningJobs(jobs);
	const stopped = await Promise.all(live.map(job => store.update(job.id, () => transition.stopped(reason), 'server')));
	await killServerAndSupervisor(tmux, paths);
	return stopped;
}

/**
 * A new server started from this shell (so it inherits this shell's limits, e.g. after `ulimit -n 65536`), with
 * the agents that were running resumed in their worktrees, behind the caps.
 */
export async function restartServer(paths: StatePaths, tmux: Tmux, config: Config): Promise<Job[]> {
	const {jobs} = await observe(paths, tmux);
	const store = new JobStore(paths);
	const live = runningJobs(jobs);
	await killServerAndSupervisor(tmux, paths);
	for (const job of live) {
		await store.update(job.id, current => transition.requeued(current, 'server restart'), 'server');
	}

	await ensureServer(tmux, paths, config);
	await startQueued(paths, tmux, config);
	return Promise.all(live.map(job => store.read(job.id)));
}
