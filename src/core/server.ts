import {readFileSync} from 'node:fs';
import os from 'node:os';
import {isAlive} from './lock.js';
import type {Config} from './config-schema.js';
import {aoBin, socketName, StatePaths, supervisorConfFile} from './paths.js';
import {type PaneInfo, Tmux} from './tmux.js';

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

/** The running supervisor's pid (from its pid file), if that process is alive. */
export function supervisorPid(paths: StatePaths): number | undefined {
	try {
		const pid = Number(readFileSync(paths.supervisorPid, 'utf8'));
		return pid > 0 && isAlive(pid) ? pid : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Ends the tmux server and waits (up to `waitMs`) until its supervisor has finished its last tick and let go of its
 * pid file: "stopped" means nothing of the old server writes to the state dir any more, and a server started right
 * after gets a supervisor of its own instead of one that exits because the old one still holds the pid file.
 */
export async function killServerAndSupervisor(tmux: Tmux, paths: StatePaths, waitMs = 10_000): Promise<void> {
	const pid = supervisorPid(paths);
	await tmux.killServer();
	if (pid === undefined) return;
	const deadline = Date.now() + waitMs;
	while (isAlive(pid) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 25));
	try {
		if (isAlive(pid)) process.kill(pid, 'SIGKILL');
	} catch {}
}

export function supervisorPane(panes: PaneInfo[]): PaneInfo | undefined {
	return panes.find(pane => pane.windowIndex === 0 && !pane.jobId);
}

/** Restarts the supervisor if its pane died (kill -9, a crash); a no-op otherwise. Cheap: uses panes already read. */
export async function reviveSupervisor(tmux: Tmux, paths: StatePaths, panes: PaneInfo[] | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
	if (!panes) return;
	const supervisor = supervisorPane(panes);
	const options = {env: aoEnv(paths, env), cwd: os.homedir(), command: supervisorCommand()};
	if (!supervisor) await tmux.startSupervisorWindow(options);
	else if (supervisor.dead) await tmux.respawnSupervisor(options);
}

/**
 * Makes sure the ao tmux server runs with the supervisor alive in window 0, starting or reviving what is missing.
 * tmux daemonises the server, so it outlives the terminal or SSH session that started it.
 */
export async function ensureServer(tmux: Tmux, paths: StatePaths, config: Config, env: NodeJS.ProcessEnv = process.env): Promise<PaneInfo[]> {
	let panes = await tmux.listPanes();
	if (!panes) {
		await tmux.startServer({confFile: supervisorConfFile, windowSize: config.tmux.window_size, env: aoEnv(paths, env), cwd: os.homedir(), command: supervisorCommand()});
		panes = (await tmux.listPanes()) ?? [];
	}

	await reviveSupervisor(tmux, paths, panes, env);
	return panes;
}
