import {mkdirSync} from 'node:fs';
import type {Config, HostConfig} from '../config/config-schema.js';
import {UsageError} from '../errors.js';
import type {StatePaths} from '../paths.js';
import {runInTerminal, runProgram, type ProgramResult} from '../processes/processes.js';
import {controlDir, sshArgv} from './ssh.js';

/** The host named `name` in config, or a one-line error that lists the known ones. */
export function findHost(config: Config, name: string): HostConfig {
	const host = Object.hasOwn(config.hosts, name) ? config.hosts[name] : undefined;
	if (host) return host;
	const known = Object.keys(config.hosts);
	throw new UsageError(known.length > 0
		? `no host "${name}" in config; known: ${known.join(', ')}, and local (this machine)`
		: `no host "${name}": no hosts are configured; add one under hosts: in your config (docs/hosts.md)`);
}

function ensureControlDir(paths: StatePaths): void {
	mkdirSync(controlDir(paths), {recursive: true, mode: 0o700});
}

/** Runs `args` with the host's ao on this terminal (its output streamed, `tty` for attach); resolves with the exit code. */
export async function runOnHostHere(paths: StatePaths, host: HostConfig, args: string[], env: NodeJS.ProcessEnv, tty: boolean): Promise<number> {
	ensureControlDir(paths);
	const [program, ...rest] = sshArgv(paths, host, args, {tty});
	return runInTerminal(program!, rest, env);
}

/** Runs `args` with the host's ao and keeps what it printed. */
export async function runOnHost(paths: StatePaths, host: HostConfig, args: string[] | {line: string}, env: NodeJS.ProcessEnv, timeoutMs = 0): Promise<ProgramResult> {
	ensureControlDir(paths);
	const [program, ...rest] = sshArgv(paths, host, args);
	return runProgram(program!, rest, {cwd: paths.home, env: {...env}, timeoutMs});
}

/** What ssh's failure (exit 255) says, in one line. Pure. */
export function sshProblem(result: Pick<ProgramResult, 'stderr' | 'exitCode'>): string {
	const line = result.stderr.split('\n').map(text => text.trim()).filter(Boolean).at(-1);
	return line ?? (result.exitCode === undefined ? 'no answer in time' : `ssh exit ${result.exitCode}`);
}
