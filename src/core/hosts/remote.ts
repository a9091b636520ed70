import {mkdirSync} from 'node:fs';
import type {Config, HostConfig} from '../config/config-schema.js';
import {UsageError} from '../errors.js';
import type {StatePaths} from '../paths.js';
import {runInTerminal, runProgram, type ProgramResult} from '../processes/processes.js';
import {checkMasterArgv, controlDir, sshArgv, startMasterArgv} from './ssh.js';

/** The host named `name` in config, or a one-line error that lists the known ones. */
export function findHost(config: Config, name: string): HostConfig {
	const host = Object.hasOwn(config.hosts, name) ? config.hosts[name] : undefined;
	if (host) return host;
	const known = Object.keys(config.hosts);
	throw new UsageError(known.length > 0
		? `no host "${name}" in config; known: ${known.join(', ')}, and local (this machine)`
		: `no host "${name}": no hosts are configured; add one under hosts: in your config (docs/hosts.md)`);
}

/**
 * The host's master connection, up: checked (a few ms), else started apart with its stdio closed. When it cannot be
 * started (the host is down), the command runs anyway and ssh says why in the command's own words.
 */
async function ensureMaster(paths: StatePaths, host: HostConfig, env: NodeJS.ProcessEnv): Promise<void> {
	mkdirSync(controlDir(paths), {recursive: true, mode: 0o700});
	const [check, ...checkArgs] = checkMasterArgv(paths, host);
	if ((await runProgram(check!, checkArgs, {cwd: paths.home, env: {...env}, timeoutMs: 5000, stdio: 'ignore'})).exitCode === 0) return;
	const [start, ...startArgs] = startMasterArgv(paths, host);
	await runProgram(start!, startArgs, {cwd: paths.home, env: {...env}, timeoutMs: 15_000, stdio: 'ignore'});
}

/** Runs `args` with the host's ao on this terminal (its output streamed, `tty` for attach); resolves with the exit code. */
export async function runOnHostHere(paths: StatePaths, host: HostConfig, args: string[], env: NodeJS.ProcessEnv, tty: boolean): Promise<number> {
	await ensureMaster(paths, host, env);
	const [program, ...rest] = sshArgv(paths, host, args, {tty});
	return runInTerminal(program!, rest, env);
}

/** Runs `args` with the host's ao and keeps what it printed. */
export async function runOnHost(paths: StatePaths, host: HostConfig, args: string[] | {line: string}, env: NodeJS.ProcessEnv, timeoutMs = 0): Promise<ProgramResult> {
	await ensureMaster(paths, host, env);
	const [program, ...rest] = sshArgv(paths, host, args);
	return runProgram(program!, rest, {cwd: paths.home, env: {...env}, timeoutMs});
}

/** What ssh's failure (exit 255) says, in one line. Pure. */
export function sshProblem(result: Pick<ProgramResult, 'stderr' | 'exitCode'>): string {
	const line = result.stderr.split('\n').map(text => text.trim()).filter(Boolean).at(-1);
	return line ?? (result.exitCode === undefined ? 'no answer in time' : `ssh exit ${result.exitCode}`);
}
