import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa, type ResultPromise} from 'execa';
import {descendants, processTable} from '../../src/core/processes/processes.js';
import {aoBin, isAlive, type AoResult, type AoSandbox} from './ao.js';

const sshdBin = '/usr/sbin/sshd';
/** What the ssh client and sshd themselves run with: nothing of the test runner's environment reaches a login. */
const bareEnv = {PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'};

export interface SshOptions {
	/** Kills ssh and throws when the command has not ended after this long; 20 s unless told. */
	timeoutMs?: number;
}

/**
 * A real sshd on 127.0.0.1 that lets the current user in with a key of its own, everything in `dir`.
 * Its logins get what sshd gives a session (USER, HOME, SHELL, sshd's PATH; no locale, no TERM without a tty),
 * then whatever the user's login shell reads at startup.
 */
export class SshServer {
	readonly port: number;
	readonly destination = `${os.userInfo().username}@127.0.0.1`;
	readonly logFile: string;
	/** ssh's options, without the destination: `ssh ...clientArgs destination command`. */
	readonly clientArgs: string[];
	private readonly daemon: ResultPromise;

	private constructor(dir: string, port: number, daemon: ResultPromise) {
		this.port = port;
		this.logFile = path.join(dir, 'sshd.log');
		this.daemon = daemon;
		this.clientArgs = [
			'-F', '/dev/null',
			'-i', path.join(dir, 'client-key'),
			'-p', String(port),
			'-o', 'IdentitiesOnly=yes',
			'-o', 'StrictHostKeyChecking=no',
			'-o', 'UserKnownHostsFile=/dev/null',
			'-o', 'BatchMode=yes',
			'-o', 'LogLevel=ERROR',
		];
	}

	/** Starts sshd with the keys of `dir` (made when missing), on `port` (a free one unless given: a restart). */
	static async start(dir: string, port?: number): Promise<SshServer> {
		await fs.mkdir(dir, {recursive: true});
		const hostKey = path.join(dir, 'host-key');
		const clientKey = path.join(dir, 'client-key');
		await generateKey(hostKey);
		await generateKey(clientKey);
		const authorizedKeys = path.join(dir, 'authorized_keys');
		await fs.copyFile(`${clientKey}.pub`, authorizedKeys);
		port ??= await freePort();
		const config = path.join(dir, 'sshd_config');
		await fs.writeFile(config, sshdConfig({port, hostKey, authorizedKeys, pidFile: path.join(dir, 'sshd.pid')}));
		// sshd refuses to start as root without its privilege separation directory, which only its package's unit makes.
		if (process.getuid?.() === 0 && !existsSync('/run/sshd')) await fs.mkdir('/run/sshd', {mode: 0o755});
		const daemon = execa(sshdBin, ['-D', '-e', '-f', config], {
			env: bareEnv,
			extendEnv: false,
			stdin: 'ignore',
			stdout: 'ignore',
			stderr: {file: path.join(dir, 'sshd.log')},
			reject: false,
		});
		const server = new SshServer(dir, port, daemon);
		try {
			await server.waitUntilReady();
		} catch (error) {
			await server.stop();
			throw error;
		}

		return server;
	}

	/** Runs `command` as a shell command line in a login of the user, without a tty; never throws on a non-zero exit. */
	async ssh(command: string, options: SshOptions = {}): Promise<AoResult> {
		const result = await execa('ssh', [...this.clientArgs, this.destination, command], {
			env: bareEnv,
			extendEnv: false,
			stdin: 'ignore',
			reject: false,
			timeout: options.timeoutMs ?? 20_000,
		});
		if (result.timedOut) throw new Error(`ssh ${command} did not end within ${options.timeoutMs ?? 20_000} ms; it printed: ${String(result.stdout)}${String(result.stderr)}`);
		return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr)};
	}

	/**
	 * The pids of the sessions this sshd serves now: per connection a monitor (a child of the listening sshd) and the
	 * process that holds the connection under it (which an ended monitor does not always take along: it would keep
	 * the connection, and a client's master, alive).
	 */
	sessions(): number[] {
		const pid = this.daemon.pid;
		if (pid === undefined) return [];
		const table = processTable();
		return descendants(pid, table).filter(session => session !== pid && table.get(session)?.state !== 'Z');
	}

	/** Ends this sshd and the sessions it still serves, and waits for them to exit. */
	async stop(): Promise<void> {
		const pid = this.daemon.pid;
		if (pid === undefined) return;
		// A session outlives the listening sshd, so the sessions are ended first, the listener stopped meanwhile: a
		// connection it accepted after the sessions were counted (a client's poll) would outlive it and keep a master
		// connection alive. Each round ends the processes under a monitor before the monitor, so none is orphaned.
		signal(pid, 'SIGSTOP');
		const ended: number[] = [];
		for (let round = 0; round < 5; round++) {
			const sessions = this.sessions().reverse();
			if (sessions.length === 0) break;
			for (const session of sessions) signal(session, 'SIGTERM');
			ended.push(...sessions);
			await sleep(50);
		}

		signal(pid, 'SIGTERM');
		signal(pid, 'SIGCONT');
		await this.daemon;
		for (let i = 0; i < 50 && ended.some(session => isAlive(session)); i++) await sleep(50);
	}

	async log(): Promise<string> {
		return fs.readFile(this.logFile, 'utf8').catch(() => '');
	}

	private async waitUntilReady(): Promise<void> {
		const deadline = Date.now() + 15_000;
		let last = '';
		while (Date.now() < deadline) {
			if (this.daemon.exitCode !== null) throw new Error(`sshd exited with ${this.daemon.exitCode}:\n${await this.log()}`);
			if (await accepts(this.port)) {
				const result = await this.ssh('true', {timeoutMs: 5000}).catch((error: Error) => ({exitCode: 1, stdout: '', stderr: error.message}));
				if (result.exitCode === 0) return;
				last = result.stderr;
			}

			await sleep(100);
		}

		throw new Error(`sshd on port ${this.port} did not let the user in within 15 s (ssh said: ${last.trim()})\nsshd log:\n${await this.log()}`);
	}
}

export async function startSshd(dir: string): Promise<SshServer> {
	return SshServer.start(dir);
}

/** An sshd in the sandbox's temp dir, stopped when the test ends (before the sandbox removes the dir). */
export async function useSshd(t: {teardown: (fn: () => Promise<void>) => void}, sandbox: AoSandbox): Promise<SshServer> {
	const server = await startSshd(path.join(sandbox.dir, 'sshd'));
	t.teardown(() => server.stop());
	return server;
}

/** Quotes a value for a POSIX shell: single quotes, each ' written as '\''. */
export function shellQuote(value: string): string {
	return `'${value.replaceAll('\'', '\'\\\'\'')}'`;
}

/**
 * The shell command line that runs this checkout's ao as the sandbox does, for a remote shell that has none of the
 * sandbox's environment: `cd <repo> && AO_HOME=... <node> <bin/ao> args`.
 */
export function aoCommandLine(sandbox: AoSandbox, args: string[], options: {cwd?: string} = {}): string {
	const assignments = Object.entries(sandbox.env).map(([key, value]) => `${key}=${shellQuote(value)}`);
	const argv = [process.execPath, aoBin, ...args].map(arg => shellQuote(arg));
	return `cd ${shellQuote(options.cwd ?? sandbox.repo)} && ${[...assignments, ...argv].join(' ')}`;
}

function sshdConfig(options: {port: number; hostKey: string; authorizedKeys: string; pidFile: string}): string {
	return [
		'ListenAddress 127.0.0.1',
		`Port ${options.port}`,
		`HostKey ${options.hostKey}`,
		`AuthorizedKeysFile ${options.authorizedKeys}`,
		`PidFile ${options.pidFile}`,
		// The temp dir's modes are the test runner's, not what StrictModes wants of a home directory.
		'StrictModes no',
		'UsePAM no',
		'PasswordAuthentication no',
		'KbdInteractiveAuthentication no',
		'PermitRootLogin prohibit-password',
		'AllowAgentForwarding yes',
		'PermitUserEnvironment no',
		// No AcceptEnv line: sshd then accepts no variable from the client (Debian's own config accepts LANG and LC_*).
		'Subsystem sftp internal-sftp',
		'LogLevel ERROR',
		'',
	].join('\n');
}

async function generateKey(file: string): Promise<void> {
	if (existsSync(file)) return;
	await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ao-test', '-f', file], {stdin: 'ignore'});
}

/** A port nobody listens on now (the kernel's pick for port 0); sshd may still lose it to a race, rarely. */
async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as net.AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
}

async function accepts(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect({host: '127.0.0.1', port});
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

function signal(pid: number, name: NodeJS.Signals): void {
	try {
		process.kill(pid, name);
	} catch {
		// Gone already.
	}
}

