import {execFile, spawn} from 'node:child_process';
import fs from 'node:fs/promises';
import {AoError} from '../errors.js';
import {zombieExitStatus} from '../processes/processes.js';
import {agentCommand, commandBytes, encodeArgvForLauncher, envArgs, escapeArgument, launcherScript, literalMessage, maxCommandBytes, paneFormat, parsePanes, sessionName, shellQuote, supervisorWindow, then, type AgentEnvFile, type Argument, type PaneInfo} from './args.js';

export * from './args.js';
import {idleShell, useShells} from './shell.js';

export interface Outcome {
	exitCode: number;
	stdout: string;
	stderr: string;
	missing: boolean;
}

/**
 * Every tmux client ao starts says it speaks UTF-8 (`-u`). Without it, a client in a login with no UTF-8 locale
 * (no LANG or LC_*, LANG=C: common over SSH, in containers and minimal images) gets every tab and non-ASCII byte
 * of command output replaced by "_", so `list-panes` rows no longer split into their fields and ao took the
 * server for empty ("create window failed: index 0 in use"). The server itself always runs in a UTF-8 locale.
 */
export const clientFlags = ['-u'];

/**
 * Runs tmux. Plain child_process rather than execa: importing execa costs about 100 ms here, more than the whole
 * budget of `ao list`, and a tmux call needs none of what it adds.
 */
function runTmux(args: string[], launcher: string[] = []): Promise<Outcome> {
	const [program, ...argv] = [...launcher, 'tmux', ...clientFlags, ...args];
	// A command line holds one request: an argument with a newline goes the usual way.
	const helper = launcher.length === 0 && !argv.some(arg => arg.includes('\n')) ? idleShell() : undefined;
	if (helper) return helper.run([program!, ...argv]).then(outcome => outcome ?? forkTmux(program!, argv));
	return forkTmux(program!, argv);
}

function forkTmux(program: string, argv: string[]): Promise<Outcome> {
	return new Promise(resolve => {
		execFile(program!, argv, {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
			const code = (error as NodeJS.ErrnoException | null)?.code;
			resolve({exitCode: error ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr, missing: code === 'ENOENT'});
		});
	});
}

/** From now on this process runs tmux through shells of its own (shell.ts): for the supervisor. */
export function runTmuxThroughShell(): void {
	useShells(args => spawn('sh', args, {stdio: ['pipe', 'pipe', 'ignore']}));
}

const notInstalled = 'tmux is not installed; install it (apt-get install tmux, brew install tmux) and try again';

/** A dead pane whose process tmux has not reaped gets its exit status from the kernel. */
function withZombieStatus(pane: PaneInfo): PaneInfo {
	if (!pane.dead || pane.deadStatus !== undefined || pane.deadSignal !== undefined) return pane;
	const status = zombieExitStatus(pane.panePid);
	return status ? {...pane, deadStatus: status.exitCode, deadSignal: status.signal} : pane;
}

export interface NewWindowOptions {
	jobId: string;
	name: string;
	cwd: string;
	env: AgentEnvFile;
	argv: string[];
	logFile: string;
	/** Where to write the encoded argv if it is too long for one tmux command. */
	argvFile: string;
}

/**
 * Opens an agent in the user's own tmux (the one $TMUX points at, never the ao server): a popup on tmux 3.2+, else
 * a new window. Its client cannot switch to another server, so a nested client runs in there with TMUX unset.
 */
export async function openInUserTmux(attachArgv: string[], options: {popup: boolean; popupSize: string; title: string}): Promise<void> {
	const command = ['env', '-u', 'TMUX', ...attachArgv].map(shellQuote).join(' ');
	const args = options.popup
		? ['display-popup', '-E', '-w', options.popupSize, '-h', options.popupSize, '-T', options.title, command]
		: ['new-window', '-n', options.title, command];
	const result = await runTmux(args.map(escapeArgument));
	if (result.exitCode !== 0) throw new AoError(`tmux ${args[0]} in your tmux: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}

/** A message in every client of another tmux server (a user's, by socket path); quiet if it is gone. */
export async function displayMessageOnServer(socketPath: string, text: string): Promise<void> {
	await messageEveryClient(['-S', socketPath], text);
}

/** Shows `text` for 4 s in the status line of every client of the server `server` (-L name or -S path) names. */
async function messageEveryClient(server: string[], text: string): Promise<void> {
	const clients = await runTmux([...server, 'list-clients', '-F', '#{client_name}']);
	if (clients.exitCode !== 0) return;
	for (const client of clients.stdout.split('\n').filter(Boolean)) {
		await runTmux([...server, 'display-message', '-c', client, '-d', '4000', escapeArgument(literalMessage(text))]);
	}
}

export class ServerNotRunning extends AoError {
	constructor(socket: string) {
		super(`the ao tmux server (socket "${socket}") is not running; any "ao dispatch" starts it`);
	}
}

function isNoServer(stderr: string): boolean {
	return /no server running|error connecting to|failed to connect to server/i.test(stderr);
}

/** Everything ao says to tmux goes through here, always with -L <socket>, so the user's own server is never touched. */
export class Tmux {
	readonly socket: string;

	constructor(socket: string) {
		this.socket = socket;
	}

	/** `launcher`: a program that runs tmux (systemd-run, to start the server outside the login session). */
	async run(args: Argument[], launcher?: string[]): Promise<string> {
		const result = await runTmux(['-L', this.socket, ...args.map(arg => (arg === then ? ';' : escapeArgument(arg)))], launcher);
		if (result.missing) throw new AoError(notInstalled);
		if (result.exitCode !== 0) {
			const stderr = result.stderr.trim();
			if (isNoServer(stderr)) throw new ServerNotRunning(this.socket);
			throw new AoError(`tmux ${args.find(arg => typeof arg === 'string')}: ${stderr || `exit ${result.exitCode}`}`);
		}

		return result.stdout;
	}

	/** Every pane of the server in one call, or undefined when the server is not running. */
	async listPanes(): Promise<PaneInfo[] | undefined> {
		try {
			return parsePanes(await this.run(['list-panes', '-a', '-F', paneFormat])).map(withZombieStatus);
		} catch (error) {
			if (error instanceof ServerNotRunning) return undefined;
			throw error;
		}
	}

	async serverPid(): Promise<number | undefined> {
		try {
			return Number((await this.run(['display-message', '-p', '-t', supervisorWindow, '#{pid}'])).trim());
		} catch (error) {
			if (error instanceof ServerNotRunning) return undefined;
			throw error;
		}
	}

	/**
	 * Starts the server with its config and the supervisor in window 0. Returns false if another caller won the race.
	 * With a `launcher` that fails (systemd-run without a user manager), the server starts without it.
	 */
	async startServer(options: {confFile: string; windowSize: string; env: Record<string, string>; cwd: string; command: string[]; launcher?: string[]}): Promise<boolean> {
		const [width, height] = options.windowSize.split('x');
		const env = envArgs(options.env);
		try {
			// The environment is also set on the server, so the pane-died hook's respawn of the supervisor has it.
			const globalEnv = Object.entries(options.env).flatMap(([key, value]): Argument[] => [then, 'set-environment', '-g', key, value]);
			const args: Argument[] = ['-f', options.confFile, 'new-session', '-d', '-s', sessionName, '-n', 'supervisor', '-x', width!, '-y', height!, '-c', options.cwd, ...env, '--', ...options.command,
				then, 'set-option', '-g', 'default-size', options.windowSize, ...globalEnv];
			if (options.launcher?.length) {
				const launched = await this.run(args, options.launcher).then(() => true, (error: unknown) => {
					if (error instanceof AoError && /duplicate session/.test(error.message)) throw error;
					return false;
				});
				if (launched) return true;
			}

			await this.run(args);
			return true;
		} catch (error) {
			if (error instanceof AoError && /duplicate session/.test(error.message)) return false;
			throw error;
		}
	}

	async startSupervisorWindow(options: {env: Record<string, string>; cwd: string; command: string[]}): Promise<void> {
		const env = envArgs(options.env);
		await this.run(['new-window', '-d', '-t', supervisorWindow, '-n', 'supervisor', '-c', options.cwd, ...env, '--', ...options.command]);
	}

	async respawnSupervisor(options: {env: Record<string, string>; cwd: string; command: string[]}): Promise<void> {
		const env = envArgs(options.env);
		await this.run(['respawn-pane', '-k', '-t', supervisorWindow, '-c', options.cwd, ...env, '--', ...options.command]);
	}

	async setGlobalOption(name: string, value: string): Promise<void> {
		await this.run(['set-option', '-g', name, value]);
	}

	/**
	 * Opens the agent's window and starts piping its output to the log in the same tmux command, so the first bytes
	 * the agent prints are in the log too (tmux reads the pane only after the whole command list ran).
	 */
	async newWindow(options: NewWindowOptions): Promise<{windowId: string; panePid: number}> {
		const placeholder = `ao-starting-${options.jobId}`;
		const target = `${sessionName}:=${placeholder}`;
		let command = agentCommand(options.env, options.argv);
		if (commandBytes([...command, options.cwd]) > maxCommandBytes) {
			await fs.writeFile(options.argvFile, encodeArgvForLauncher(options.argv), {mode: 0o600});
			command = agentCommand(options.env, ['sh', launcherScript, options.argvFile]);
		}

		const output = await this.run([
			'new-window', '-d', '-P', '-F', '#{window_id}\t#{pane_pid}', '-t', `${sessionName}:`, '-n', placeholder, '-c', options.cwd, '--', ...command,
			then, 'set-option', '-w', '-t', target, '@ao_job', options.jobId,
			then, 'pipe-pane', '-o', '-t', target, `cat >> ${shellQuote(options.logFile)}`,
			then, 'rename-window', '-t', target, options.name,
		]);
		const [windowId, panePid] = output.trim().split('\t');
		return {windowId: windowId!, panePid: Number(panePid)};
	}

	/** The visible screen of a pane (plus `history` lines above it), with colours when `ansi`. */
	async capture(target: string, options: {ansi?: boolean; history?: number} = {}): Promise<string> {
		const args = ['capture-pane', '-p', '-t', target];
		if (options.ansi) args.push('-e');
		if (options.history) args.push('-S', String(-options.history));
		return this.run(args);
	}

	/**
	 * The visible screens of several panes in ONE tmux call (each preceded by a marker line), so the supervisor
	 * never starts a process per job. A pane that vanished meanwhile ends the batch; the rest waits for the next tick.
	 */
	async captureScreens(paneIds: string[]): Promise<Map<string, string>> {
		const screens = new Map<string, string>();
		if (paneIds.length === 0) return screens;
		const marker = `ao-screen-${process.pid}-${Date.now()}`;
		const args: Argument[] = [];
		for (const paneId of paneIds) {
			if (args.length > 0) args.push(then);
			// The pane id comes from the #{pane_id} format: as literal text, tmux's strftime pass would mangle "%3".
			args.push('display-message', '-p', '-t', paneId, `${marker} #{pane_id}`, then, 'capture-pane', '-p', '-J', '-t', paneId);
		}

		const result = await runTmux(['-L', this.socket, ...args.map(arg => (arg === then ? ';' : escapeArgument(arg)))]);
		let current: string | undefined;
		let lines: string[] = [];
		for (const line of `${result.stdout}\n${marker} end`.split('\n')) {
			if (line.startsWith(`${marker} `)) {
				if (current) screens.set(current, lines.join('\n'));
				current = line.slice(marker.length + 1);
				lines = [];
			} else {
				lines.push(line);
			}
		}

		return screens;
	}

	async respawnPane(paneId: string, options: {cwd: string; env: AgentEnvFile; argv: string[]; logFile: string}): Promise<number> {
		// The old pipe outlives the old process but no longer carries output: close it, then open a new one.
		const output = await this.run(['respawn-pane', '-k', '-t', paneId, '-c', options.cwd, '--', ...agentCommand(options.env, options.argv),
			then, 'pipe-pane', '-t', paneId,
			then, 'pipe-pane', '-o', '-t', paneId, `cat >> ${shellQuote(options.logFile)}`,
			then, 'display-message', '-p', '-t', paneId, '#{pane_pid}']);
		return Number(output.trim().split('\n').at(-1));
	}

	/** A short message in the status line of every client attached to the ao server. */
	async displayMessage(text: string): Promise<void> {
		await messageEveryClient(['-L', this.socket], text);
	}

	async clientTtys(): Promise<string[]> {
		return (await this.run(['list-clients', '-F', '#{client_tty}'])).split('\n').filter(Boolean);
	}

	async killServer(): Promise<void> {
		await this.run(['kill-server']).catch(error => {
			if (!(error instanceof ServerNotRunning)) throw error;
		});
	}

	/**
	 * Types `text` literally (never read as key names), in pieces small enough for tmux, then Enter if asked, after
	 * `enterAfterMs` (an agent that takes a burst of keys for a paste would read an Enter in it as a new line).
	 */
	async sendText(target: string, text: string, enter: boolean, enterAfterMs = 0): Promise<void> {
		const characters = [...text];
		for (let start = 0; start < characters.length; start += 2000) {
			await this.run(['send-keys', '-l', '-t', target, '--', characters.slice(start, start + 2000).join('')]);
		}

		if (!enter) return;
		if (enterAfterMs > 0 && text !== '') await new Promise(resolve => setTimeout(resolve, enterAfterMs));
		await this.run(['send-keys', '-t', target, 'Enter']);
	}

	/** Presses keys by their tmux names (Escape, C-c, Enter), in one call. */
	async sendKeys(target: string, keys: string[]): Promise<void> {
		if (keys.length > 0) await this.run(['send-keys', '-t', target, ...keys]);
	}

	async killWindow(target: string): Promise<void> {
		await this.run(['kill-window', '-t', target]);
	}

	async renameWindow(target: string, name: string): Promise<void> {
		await this.run(['rename-window', '-t', target, name]);
	}

	/** Binds the key that leaves an agent (root table, no prefix) and shows it in the status line. */
	async bindDetachKey(key: string): Promise<void> {
		await this.run(['set-option', '-g', '@ao-detach-key', key, then, 'bind-key', '-n', key, 'detach-client']);
	}

	/**
	 * The argv of a client that shows one agent window. Each client gets its own session grouped with `ao` (gone
	 * when it detaches), so two people can watch two agents without moving each other's view.
	 */
	attachArgv(windowId: string): string[] {
		const view = `ao-view-${process.pid}-${Date.now().toString(36)}`;
		return ['tmux', ...clientFlags, '-L', this.socket, 'new-session', '-t', sessionName, '-s', view, ';', 'set-option', '-t', view, 'destroy-unattached', 'on', ';', 'select-window', '-t', `${view}:${windowId}`];
	}

	/** Attaches this terminal to an agent's window until the user detaches. */
	async attachHere(attachArgv: string[]): Promise<number> {
		const [program, ...args] = attachArgv;
		const code = await new Promise<number>(resolve => {
			spawn(program!, args, {stdio: 'inherit'}).on('close', exit => resolve(exit ?? 1)).on('error', () => resolve(1));
		});
		// destroy-unattached removes the view session as its client leaves; a client that was killed instead (its
		// terminal closed under it) can leave it behind on a busy server, so it goes here too.
		const view = args[args.indexOf('-s') + 1];
		if (view?.startsWith('ao-view-')) await this.run(['kill-session', '-t', `=${view}`]).catch(() => undefined);
		return code;
	}

	async version(): Promise<string> {
		const result = await runTmux(['-V']);
		if (result.exitCode !== 0) throw new AoError(notInstalled);
		return result.stdout.trim();
	}
}
