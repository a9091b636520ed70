import {readFileSync, statSync} from 'node:fs';
import {writeFileAtomic} from '../processes/atomic-file.js';
import {sameBuild, thisBuild, buildOnDisk, type BuildInfo} from './build.js';
import os from 'node:os';
import {claimPid, isAlive} from '../processes/claim.js';
import {serverLauncher} from './logind.js';
import type {Config} from '../config/config-schema.js';
import {aoBin, socketName, StatePaths, supervisorConfFile} from '../paths.js';
import {type PaneInfo, Tmux} from '../tmux/tmux.js';

/** The environment the supervisor (and every ao it runs) needs to find the same state dir, server and config. */
export function aoEnv(paths: StatePaths, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
	const result: Record<string, string> = {AO_HOME: paths.home, AO_SOCKET: socketName(env), PATH: env.PATH ?? '/usr/bin:/bin'};
	if (env.AO_CONFIG) result.AO_CONFIG = env.AO_CONFIG;
	return result;
}

/**
 * Window 0's command: the supervisor under a small shell loop that starts it again a second after it dies by a
 * crash or kill -9 (a clean exit ends the loop: the server is going away, or another supervisor already runs). tmux's
 * pane-died hook alone is not enough: tmux 3.3a sometimes never reaps a pane's process, and then never fires it.
 * Node and bin/ao are passed as $0 and $1, never pasted into the script.
 */
export function supervisorCommand(): string[] {
	return ['sh', '-c', 'while :; do "$0" "$1" supervise && break; sleep 1; done', process.execPath, aoBin];
}

/** What a supervisor writes beside its pid file as it starts: which ao it runs, and in which pane. */
export interface SupervisorInfo extends BuildInfo {
	pid: number;
	/** Its pane's process (the restart loop in window 0): a respawned window 0 has another. */
	panePid: number;
	startedAt: string;
}

export async function writeSupervisorInfo(paths: StatePaths): Promise<void> {
	const info: SupervisorInfo = {pid: process.pid, panePid: process.ppid, ...thisBuild(), startedAt: new Date().toISOString()};
	await writeFileAtomic(paths.supervisorInfo, JSON.stringify(info) + '\n');
}

export function readSupervisorInfo(paths: StatePaths): SupervisorInfo | undefined {
	try {
		return JSON.parse(readFileSync(paths.supervisorInfo, 'utf8')) as SupervisorInfo;
	} catch {
		return undefined;
	}
}

/**
 * The supervisor in `pane` runs another ao than this command, which runs the build on disk (so a long-running
 * process of an older build, a dashboard left open, never drags the supervisor back). A supervisor of ao 0.1 wrote
 * no info: its pid file is then older than any new supervisor takes to write it.
 */
export function supervisorOutdated(paths: StatePaths, pane: PaneInfo): boolean {
	const info = readSupervisorInfo(paths);
	if (info) {
		if (info.panePid !== pane.panePid || sameBuild(info, thisBuild())) return false;
	} else if (!legacySupervisor(paths)) {
		return false;
	}

	return sameBuild(thisBuild(), buildOnDisk());
}

/**
 * A live supervisor holds the pid file but wrote no info beside it: either it is still starting (it claims the pid
 * file, then writes the info a moment later) or it is an ao 0.1, which never writes one. Only a pid file older than
 * any start takes tells them apart.
 */
export function legacySupervisor(paths: StatePaths): boolean {
	let age = 0;
	try {
		age = Date.now() - statSync(paths.supervisorPid).mtimeMs;
	} catch {}

	return age >= 10_000 && supervisorPid(paths) !== undefined;
}

/** Waits (up to `waitMs`) for `pid` to end, then SIGKILL if it has not. */
async function awaitExit(pid: number, waitMs: number): Promise<void> {
	const deadline = Date.now() + waitMs;
	while (isAlive(pid) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 25));
	try {
		if (isAlive(pid)) process.kill(pid, 'SIGKILL');
	} catch {}
}

/** SIGTERM, then SIGKILL if `pid` is still there after `waitMs`; returns once it is gone. */
export async function endProcess(pid: number, waitMs: number): Promise<void> {
	try {
		process.kill(pid, 'SIGTERM');
	} catch {
		return;
	}

	await awaitExit(pid, waitMs);
}

/** The running supervisor's pid (from its pid file), if that process is alive. */
export function supervisorPid(paths: StatePaths): number | undefined {
	const pid = claimPid(paths.supervisorPid);
	return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/**
 * Ends the tmux server and waits (up to `waitMs`) until its supervisor has finished its last tick and let go of its
 * pid file: "stopped" means nothing of the old server writes to the state dir any more, and a server started right
 * after gets a supervisor of its own instead of one that exits because the old one still holds the pid file.
 */
export async function killServerAndSupervisor(tmux: Tmux, paths: StatePaths, waitMs = 10_000): Promise<void> {
	const pid = supervisorPid(paths);
	await tmux.killServer();
	if (pid !== undefined) await awaitExit(pid, waitMs);
}

export function supervisorPane(panes: PaneInfo[]): PaneInfo | undefined {
	return panes.find(pane => pane.windowIndex === 0 && !pane.jobId);
}

/**
 * Restarts the supervisor if its pane died (kill -9, a crash), or on this command's code when it runs another build
 * (ao was upgraded: the agents, in their own windows, go on); a no-op otherwise. Cheap: uses panes already read and
 * one small file. `upgrade: false` leaves an outdated supervisor as it is (ao server status shows both builds).
 */
export async function reviveSupervisor(tmux: Tmux, paths: StatePaths, panes: PaneInfo[] | undefined, env: NodeJS.ProcessEnv = process.env, upgrade = true): Promise<void> {
	if (!panes) return;
	const supervisor = supervisorPane(panes);
	const options = {env: aoEnv(paths, env), cwd: os.homedir(), command: supervisorCommand()};
	if (!supervisor) await tmux.startSupervisorWindow(options);
	else if (supervisor.dead || (upgrade && supervisorOutdated(paths, supervisor))) await tmux.respawnSupervisor(options);
}

/**
 * Makes sure the ao tmux server runs with the supervisor alive in window 0, starting or reviving what is missing.
 * tmux daemonises the server, so it outlives the terminal or SSH session that started it.
 */
export async function ensureServer(tmux: Tmux, paths: StatePaths, config: Config, env: NodeJS.ProcessEnv = process.env): Promise<PaneInfo[]> {
	let panes = await tmux.listPanes();
	if (!panes) {
		await tmux.startServer({
			confFile: supervisorConfFile, windowSize: config.tmux.window_size, env: aoEnv(paths, env), cwd: os.homedir(), command: supervisorCommand(),
			launcher: await serverLauncher(tmux.socket),
		});
		panes = (await tmux.listPanes()) ?? [];
	}

	await reviveSupervisor(tmux, paths, panes, env);
	return panes;
}
