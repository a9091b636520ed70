import path from 'node:path';
import type {HostConfig} from '../config/config-schema.js';
import type {StatePaths} from '../paths.js';

/**
 * How ao reaches another host: the ssh command line, pure. One multiplexed connection per host (ControlMaster), kept a
 * minute after its last use, in ao's state dir; never a question (BatchMode); a host that does not answer is given up
 * on within seconds (ConnectTimeout, ServerAlive).
 */

/** The socket directory of the multiplexed connections. `%C` (a hash of the destination) keeps paths short. */
export function controlDir(paths: StatePaths): string {
	return path.join(paths.home, 'ssh');
}

/**
 * The options of every ssh ao runs. Commands use the host's master connection and never become one (ControlMaster
 * no): a master that ssh starts on its own keeps the stderr of the command that started it open until it exits
 * (OpenSSH's ControlPersist keeps stderr), which holds any caller reading that stderr. ensureMaster starts it apart.
 */
export function sshOptions(paths: StatePaths): string[] {
	return [
		'-o', 'ControlMaster=no',
		'-o', `ControlPath=${path.join(controlDir(paths), '%C')}`,
		'-o', 'ControlPersist=60',
		'-o', 'BatchMode=yes',
		'-o', 'ConnectTimeout=5',
		'-o', 'ServerAliveInterval=5',
		'-o', 'ServerAliveCountMax=2',
	];
}

/**
 * The remote command line that runs `args` with the host's ao. The arguments travel as base64url JSON, a text every
 * shell leaves alone, so a task reaches the remote agent byte for byte whatever its quotes, `$`, newlines or bytes.
 */
export function remoteCommand(host: HostConfig, args: string[]): string {
	return `${host.ao ?? 'ao'} --argv64 ${Buffer.from(JSON.stringify(args), 'utf8').toString('base64url')}`;
}

/** The whole ssh argv for running `args` on the host (`tty` for attach: ssh -t), or a remote command line of ao's own. */
export function sshArgv(paths: StatePaths, host: HostConfig, args: string[] | {line: string}, options: {tty?: boolean} = {}): string[] {
	const line = Array.isArray(args) ? remoteCommand(host, args) : args.line;
	return ['ssh', ...sshOptions(paths), ...(host.ssh_args ?? []), ...(options.tty ? ['-t'] : ['-T']), host.ssh, line];
}

/** What another host's ao is asked for its jobs: its list as JSON in an envelope with its version, one round trip. */
export function listArgs(all: boolean): string[] {
	return ['list', '--json', '--envelope', '--host', 'local', ...(all ? ['--all'] : [])];
}

/** `ssh -O check`: is the host's master connection up? */
export function checkMasterArgv(paths: StatePaths, host: HostConfig): string[] {
	return ['ssh', ...sshOptions(paths), ...(host.ssh_args ?? []), '-O', 'check', host.ssh];
}

/** The host's master connection, started in the background with nothing of the caller's (`-f -N`, stdio closed). */
export function startMasterArgv(paths: StatePaths, host: HostConfig): string[] {
	return ['ssh', ...sshOptions(paths).map(option => (option === 'ControlMaster=no' ? 'ControlMaster=yes' : option)), ...(host.ssh_args ?? []), '-f', '-N', host.ssh];
}
