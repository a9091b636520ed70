import path from 'node:path';
import {packageRoot} from '../paths.js';

/**
 * What ao hands tmux, built without running it: the pane listing's format and its parse, argument escaping, the
 * agent's command line, message text. Pure. tmux.ts runs them.
 */

export const sessionName = 'ao';
export const supervisorWindow = `${sessionName}:0`;
export const launcherScript = path.join(packageRoot, 'tmux', 'launch.sh');
/** The pane's process: runs the agent as its child, so a SIGSTOP pause holds (see tmux/agent.sh). */
export const agentScript = path.join(packageRoot, 'tmux', 'agent.sh');

export const paneFields = ['#{window_id}', '#{window_index}', '#{pane_id}', '#{pane_pid}', '#{pane_dead}', '#{pane_dead_status}', '#{pane_dead_signal}', '#{pane_dead_time}', '#{window_activity}', '#{session_name}', '#{session_attached}', '#{window_active}', '#{pid}', '#{@ao_job}', '#{window_name}'];
export const paneFormat = paneFields.join('\t');

export interface PaneInfo {
	windowId: string;
	windowIndex: number;
	paneId: string;
	panePid: number;
	dead: boolean;
	/** Exit status of a dead pane (undefined while alive, or when it was killed by a signal). */
	deadStatus: number | undefined;
	deadSignal: number | undefined;
	/** Unix seconds when the pane died (tmux 3.3+). */
	deadTime: number | undefined;
	/** Unix seconds of the window's last output. */
	activity: number;
	/** The ao job this window runs, from the window option @ao_job. */
	jobId: string | undefined;
	/** Someone is looking at it: an attached client shows this window. */
	viewed: boolean;
	/** The tmux server's pid (the same on every row). */
	serverPid: number;
	windowName: string;
}

export const optionalNumber = (value: string | undefined): number | undefined => (value === '' || value === undefined ? undefined : Number(value));

/**
 * Parses `list-panes -a -F paneFormat` output, one entry per window. Attached clients view agents through grouped
 * sessions, which list the same windows again; only the `ao` session's rows count. Pure.
 */
export function parsePanes(output: string): PaneInfo[] {
	const rows = output.split('\n').filter(Boolean).map(line => line.split('\t'));
	const viewed = new Set(rows.filter(row => row[10] !== '0' && row[11] === '1').map(row => row[0]!));
	return rows.flatMap(row => {
		const [windowId, windowIndex, paneId, panePid, dead, deadStatus, deadSignal, deadTime, activity, session, _attached, _active, serverPid, jobId, ...name] = row;
		if (session !== sessionName) return [];
		return [{
			windowId: windowId!,
			windowIndex: Number(windowIndex),
			paneId: paneId!,
			panePid: Number(panePid),
			dead: dead === '1',
			deadStatus: dead === '1' && !deadSignal ? optionalNumber(deadStatus) : undefined,
			deadSignal: optionalNumber(deadSignal),
			deadTime: dead === '1' ? optionalNumber(deadTime) : undefined,
			activity: Number(activity),
			jobId: jobId || undefined,
			viewed: viewed.has(windowId!),
			serverPid: Number(serverPid),
			windowName: name.join('\t'),
		}];
	});
}

/** tmux ends a command at any argument that ends in ";"; a backslash before it keeps the ";" (see cmd-parse.c). */
export function escapeArgument(argument: string): string {
	return argument.endsWith(';') ? argument.slice(0, -1) + '\\;' : argument;
}

/** Separates commands in one tmux invocation. Only this object (never user text) becomes a bare ";". */
export const then = Symbol('tmux command separator');
export type Argument = string | typeof then;

/** tmux refuses a command message over 16 KB; above this many bytes ao starts the agent through launch.sh. */
export const maxCommandBytes = 12_000;

export function commandBytes(args: string[]): number {
	return args.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0);
}

/** Encodes an argv for tmux/launch.sh: one line per argument, every byte as a \ooo escape. Pure. */
export function encodeArgvForLauncher(argv: string[]): string {
	return argv.map(arg => [...Buffer.from(arg)].map(byte => '\\' + byte.toString(8).padStart(3, '0')).join('')).join('\n') + '\n';
}

/** Single-quotes a value for the few tmux options that take a shell command (pipe-pane, display-popup). */
export function shellQuote(value: string): string {
	return `'${value.replaceAll("'", String.raw`'\''`)}'`;
}

export function envArgs(env: Record<string, string>): string[] {
	return Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
}

/** How the pane's process (tmux/agent.sh) gives the agent its environment file. */
export interface AgentEnvFile {
	file: string;
	/** The file is the whole environment (the dispatching shell's); otherwise it is added to the server's. */
	exact: boolean;
}

/** The pane's command: tmux/agent.sh, which loads the environment file, then runs the agent as its child. Pure. */
export function agentCommand(env: AgentEnvFile, argv: string[]): string[] {
	return ['sh', agentScript, env.exact ? '--env-exact' : '--env-add', env.file, ...argv];
}

/**
 * display-message text that shows as written: tmux expands #{formats} and strftime %-sequences in it (so a job named
 * "100%-done" or a pane id like %3 would be mangled); both are doubled. Pure.
 */
export function literalMessage(text: string): string {
	return text.replaceAll('#', '##').replaceAll('%', '%%');
}

export function tmuxSupportsPopup(version: string): boolean {
	const match = /(\d+)\.(\d+)/.exec(version);
	return match !== null && (Number(match[1]) > 3 || (Number(match[1]) === 3 && Number(match[2]) >= 2));
}
