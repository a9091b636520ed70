import {lstatSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from './atomic-file.js';
import type {StatePaths} from '../paths.js';

/** Where an agent's environment comes from: the dispatching shell's (the default), or the ao tmux server's. */
export const envSources = ['shell', 'server'] as const;
export type EnvSource = (typeof envSources)[number];

/**
 * Variables that belong to the dispatching terminal or login, not to the work: an agent runs in a window of the ao
 * server, which sets TERM, TMUX, TMUX_PANE and TERM_PROGRAM for it, and outlives the terminal these describe.
 * PWD and OLDPWD describe the shell's directory (the agent starts in its worktree); SHLVL and _ the shell itself.
 */
export const terminalVariables: readonly string[] = [
	'TMUX', 'TMUX_PANE', 'TERM', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION', 'TERM_SESSION_ID', 'COLORTERM', 'WINDOWID',
	'SSH_TTY', 'STY', 'WINDOW', 'ITERM_SESSION_ID', 'KITTY_WINDOW_ID', 'ALACRITTY_WINDOW_ID', 'WEZTERM_PANE', 'WT_SESSION',
	'VTE_VERSION', 'KONSOLE_DBUS_SESSION', 'KONSOLE_DBUS_WINDOW', 'COLUMNS', 'LINES', 'PWD', 'OLDPWD', 'SHLVL', '_',
];

/** Only names a POSIX shell can export get through (an exported bash function, BASH_FUNC_x%%, does not). */
const exportableName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Read-only in bash (the /bin/sh of some systems), where exporting one would end agent.sh. */
const shellOwned = new Set(['BASHOPTS', 'SHELLOPTS', 'BASH_VERSINFO', 'EUID', 'PPID', 'UID']);
const passes = (name: string) => exportableName.test(name) && !shellOwned.has(name);

/**
 * The environment an agent starts with, in order: the dispatching shell's (less its terminal's variables), the
 * preset's `env`, then ao's own. With `server`, only the shell's PATH, the preset's and ao's: the rest comes from
 * the tmux server's global environment, as in ao before 0.2. `sshAuthSock` replaces the shell's SSH_AUTH_SOCK
 * (see sshAgentLink). Pure.
 */
export function agentEnvironment(options: {
	from: EnvSource;
	caller: NodeJS.ProcessEnv;
	preset: Record<string, string> | undefined;
	ao: Record<string, string>;
	sshAuthSock?: string;
}): Record<string, string> {
	const base: Record<string, string> = {};
	if (options.from === 'shell') {
		for (const [name, value] of Object.entries(options.caller)) {
			if (value !== undefined && passes(name) && !terminalVariables.includes(name)) base[name] = value;
		}

		if (options.sshAuthSock) base.SSH_AUTH_SOCK = options.sshAuthSock;
		else delete base.SSH_AUTH_SOCK;
	} else if (options.caller.PATH !== undefined) {
		base.PATH = options.caller.PATH;
	}

	const result = {...base, ...options.preset, ...options.ao};
	for (const name of Object.keys(result)) if (!passes(name)) delete result[name];
	return result;
}

/** One `export NAME='value'` line per variable, for tmux/agent.sh to source; any byte but NUL survives. Pure. */
export function serializeEnv(env: Record<string, string>): string {
	return Object.entries(env).map(([name, value]) => `export ${name}='${value.replaceAll("'", String.raw`'\''`)}'\n`).join('');
}

/** Writes the job's environment file (0600, atomically): it may hold secrets, and no command ever prints it. */
export async function writeAgentEnv(paths: StatePaths, id: string, env: Record<string, string>): Promise<void> {
	await writeFileAtomic(paths.envFile(id), serializeEnv(env));
}

function isSocket(file: string): boolean {
	try {
		return statSync(file).isSocket();
	} catch {
		return false;
	}
}

/**
 * An SSH agent socket dies with the SSH connection that made it, and agents outlive that connection. So agents get
 * a fixed path in the state dir, a symlink that every ao command run with a live SSH_AUTH_SOCK points at that
 * socket: after a reconnect, the first ao command (ao list will do) lets every agent reach the new connection's
 * ssh-agent. Returns the link, or undefined when there is no agent to reach (then agents get no SSH_AUTH_SOCK).
 */
export function sshAgentLink(paths: StatePaths, env: NodeJS.ProcessEnv): string | undefined {
	const link = paths.sshAgentLink;
	const socket = env.SSH_AUTH_SOCK;
	if (socket && socket !== link && path.isAbsolute(socket) && isSocket(socket)) {
		let current: string | undefined;
		try {
			current = readlinkSync(link);
		} catch {}

		if (current !== socket) {
			const temp = `${link}.${process.pid}.tmp`;
			try {
				rmSync(temp, {force: true});
				symlinkSync(socket, temp);
				renameSync(temp, link);
			} catch {
				rmSync(temp, {force: true});
				return undefined;
			}
		}

		return link;
	}

	try {
		return lstatSync(link).isSymbolicLink() ? link : undefined;
	} catch {
		return undefined;
	}
}
