import {randomBytes} from 'node:crypto';
import {mkdtempSync, realpathSync, writeFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {execa, type Result} from 'execa';
import {runAo} from '../../src/cli/program.js';
import {descendants, processTable} from '../../src/core/processes/processes.js';
import {capturedIO} from '../../src/cli/io.js';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const aoBin = path.join(root, 'bin', 'ao');
export const fixtureAgent = path.join(root, 'test', 'fixtures', 'agent.js');

export interface AoResult {
	exitCode: number;
	stdout: string;
	stderr: string;
}

/**
 * One test's world: a private tmux socket, a temp state dir, a temp config home with a `fixture` agent preset,
 * and a temp git repository. `cleanup` kills only this test's tmux server and removes only its temp dir.
 */
export class AoSandbox {
	readonly dir: string;
	readonly home: string;
	readonly socket: string;
	readonly repo: string;
	readonly configFile: string;
	readonly env: Record<string, string>;

	constructor() {
		this.dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ao-test-')));
		this.home = path.join(this.dir, 'state');
		this.socket = `ao-test-${randomBytes(4).toString('hex')}`;
		this.repo = path.join(this.dir, 'repo');
		this.configFile = path.join(this.dir, 'config.yaml');
		writeFileSync(this.configFile, [
			'agent:',
			'  default: fixture',
			'agents:',
			'  fixture:',
			`    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixtureAgent)}, "{task}"]`,
			'    env: {FIXTURE_MARK: from-preset}',
			'supervisor:',
			'  tick_ms: 200',
			'  debounce_ms: 200',
			'  idle_after_s: 600',
			'concurrency:',
			'  max_running: 50',
			// Small per-agent needs, so 50 agents pass the resource checks on any machine; tests of the checks raise them.
			'limits: {per_agent_nofile: 8, per_agent_procs: 8, per_agent_inotify: 8, per_agent_mem_mb: 1}',
			'',
		].join('\n'));
		this.env = {
			AO_HOME: this.home,
			AO_SOCKET: this.socket,
			AO_CONFIG: this.configFile,
			AO_DEMO_DELAY_MS: '20',
			XDG_CONFIG_HOME: path.join(this.dir, 'xdg-config'),
			GIT_AUTHOR_NAME: 'ao test',
			GIT_AUTHOR_EMAIL: 'test@ao.invalid',
			GIT_COMMITTER_NAME: 'ao test',
			GIT_COMMITTER_EMAIL: 'test@ao.invalid',
			NO_COLOR: '1',
			// CI runs with CI=true, where ao dispatch refuses without --allow-ci; these tests are not that run's agents.
			CI: '',
			AO_DISABLE: '',
		};
	}

	/** Makes `this.repo` a git repository with one commit. */
	async initRepo(files: Record<string, string> = {'README.md': '# test repo\n'}): Promise<string> {
		await fs.mkdir(this.repo, {recursive: true});
		for (const [file, content] of Object.entries(files)) {
			await fs.mkdir(path.dirname(path.join(this.repo, file)), {recursive: true});
			await fs.writeFile(path.join(this.repo, file), content);
		}

		await this.git(['init', '-q', '-b', 'main']);
		await this.git(['add', '-A']);
		await this.git(['commit', '-q', '-m', 'initial']);
		return this.repo;
	}

	async git(args: string[], cwd = this.repo): Promise<string> {
		const result = await execa('git', args, {cwd, env: this.env});
		return String(result.stdout);
	}

	/** Runs bin/ao with this sandbox's environment; never throws on a non-zero exit. */
	async ao(args: string[], options: {cwd?: string; env?: Record<string, string>; input?: string} = {}): Promise<AoResult> {
		const result: Result = await execa(process.execPath, [aoBin, ...args], {
			cwd: options.cwd ?? this.repo,
			env: {...this.env, ...options.env},
			extendEnv: true,
			reject: false,
			input: options.input,
			stdin: options.input === undefined ? 'ignore' : undefined,
		});
		return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr)};
	}

	/**
	 * Runs an ao command inside this test's process, as bin/ao would run it with this sandbox's environment: its output
	 * is read back from memory. For what needs no terminal of its own (the agents still run in the sandbox's tmux).
	 */
	async aoInProcess(args: string[], options: {cwd?: string; env?: Record<string, string>; stdin?: string; tty?: boolean; columns?: number} = {}): Promise<AoResult> {
		const memory = capturedIO({env: {...process.env, ...this.env, ...options.env}, cwd: options.cwd ?? this.repo, stdin: options.stdin, tty: options.tty, columns: options.columns});
		const exitCode = await runAo(args, memory.io);
		return {exitCode, stdout: memory.stdout(), stderr: memory.stderr()};
	}

	/**
	 * Runs bin/ao with only `env` and this sandbox's ao variables (AO_HOME, AO_SOCKET, AO_CONFIG, XDG_CONFIG_HOME),
	 * nothing of the test runner's environment: a bare login as `env -i` makes it.
	 */
	async aoBare(args: string[], env: Record<string, string>, options: {cwd?: string} = {}): Promise<AoResult> {
		const own = {AO_HOME: this.home, AO_SOCKET: this.socket, AO_CONFIG: this.configFile, XDG_CONFIG_HOME: this.env.XDG_CONFIG_HOME!};
		const result: Result = await execa(process.execPath, [aoBin, ...args], {cwd: options.cwd ?? this.repo, env: {...own, ...env}, extendEnv: false, reject: false, stdin: 'ignore'});
		return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr)};
	}

	/** Like `ao` but fails the test helper when the command fails, and parses --json output. */
	async aoJson<T = unknown>(args: string[], options: {cwd?: string} = {}): Promise<T> {
		const result = await this.ao([...args, '--json'], options);
		if (result.exitCode !== 0) throw new Error(`ao ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}`);
		return JSON.parse(result.stdout) as T;
	}

	async tmux(args: string[]): Promise<string> {
		const result = await execa('tmux', ['-u', '-L', this.socket, ...args], {reject: false});
		return String(result.stdout);
	}

	async cleanup(): Promise<void> {
		await killTmuxServer(this.socket);
		// The supervisor writes its last log line as it exits; let it go before the state dir is removed.
		const pid = Number.parseInt(await fs.readFile(path.join(this.home, 'supervisor.pid'), 'utf8').catch(() => ''), 10);
		for (let i = 0; pid > 0 && i < 50 && isAlive(pid); i++) await sleep(50);
		await fs.rm(this.dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 100});
	}
}

/**
 * Ends a tmux server this test started and removes its socket file, which tmux 3.3 leaves behind in
 * $TMUX_TMPDIR/tmux-<uid>/ (a thousand test runs would otherwise leave a thousand files).
 */
export async function killTmuxServer(socket: string): Promise<void> {
	// The programs in its panes get SIGHUP and end on their own time; some (Claude Code) still write files as they
	// go, so wait for them before the test's temp dir is removed.
	// The pane's process is tmux/agent.sh; the agent is its child and may outlive it by a moment: wait for the whole tree.
	const panePids = String((await execa('tmux', ['-u', '-L', socket, 'list-panes', '-a', '-F', '#{pane_pid}'], {reject: false})).stdout).split('\n').filter(Boolean).map(Number);
	const table = processTable();
	const pids = panePids.flatMap(pid => descendants(pid, table));
	await execa('tmux', ['-u', '-L', socket, 'kill-server'], {reject: false});
	for (let i = 0; i < 100 && pids.some(pid => isAlive(pid)); i++) await sleep(50);
	await fs.rm(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), {force: true});
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value) return value;
			last = value;
		} catch (error) {
			last = error;
		}

		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
		await sleep(100);
	}
}

/** States in which the agent runs (the fixture asks [y/N], so it soon shows as needs-input). */
export const runningStates = ['working', 'needs-input', 'ready'];

export interface JobJson {
	id: string;
	name: string;
	agent: string;
	state: string;
	group: string;
	reason: string;
	cwd: string;
	worktree: string;
	branch?: string;
	repo?: string;
	createdAt: string;
	updatedAt: string;
	pid?: number;
	exitCode?: number;
	pinned: boolean;
	windowId?: string;
	lastLine: string;
	task: string;
}

/** A sandbox that is cleaned up when the test ends, pass or fail. */
export function useSandbox(t: {teardown: (fn: () => Promise<void>) => void}): AoSandbox {
	const sandbox = new AoSandbox();
	t.teardown(() => sandbox.cleanup());
	return sandbox;
}

/** Dispatches and returns the job record (--json); throws with stderr when the dispatch fails. */
export async function dispatchJson(sandbox: AoSandbox, args: string[], options: {env?: Record<string, string>} = {}): Promise<JobJson> {
	const result = await sandbox.ao(['dispatch', '--json', ...args], options);
	if (result.exitCode !== 0) throw new Error(`dispatch failed (${result.exitCode}): ${result.stderr}`);
	return JSON.parse(result.stdout) as JobJson;
}

/** Waits until `ao list --all` shows the job in `state` (and, if given, with a reason matching `reason`). */
export async function waitForState(sandbox: AoSandbox, id: string, state: string, reason?: RegExp, timeoutMs?: number): Promise<JobJson> {
	let seen: JobJson | undefined;
	return waitFor(`job ${id} to be ${state}${reason ? ` (${reason})` : ''}`, async () => {
		const job = (await sandbox.aoJson<JobJson[]>(['list', '--all'])).find(item => item.id === id);
		seen = job ?? seen;
		return job && job.state === state && (!reason || reason.test(job.reason)) ? job : false;
	}, timeoutMs).catch(async (error: Error) => {
		throw new Error(`${error.message}\nlast listed: ${seen ? `${seen.state} (${seen.reason})` : 'not listed'}\n${await explainJob(sandbox, id)}`);
	});
}

/** What a user would look at next when a job does not do what was awaited: its screen and what the supervisor said of it. */
export async function explainJob(sandbox: AoSandbox, id: string): Promise<string> {
	const peek = await sandbox.ao(['peek', id, '-n', '8']).catch(() => undefined);
	const log = await fs.readFile(path.join(sandbox.home, 'supervisor.log'), 'utf8').catch(() => '');
	const said = log.split('\n').filter(line => line.includes(id) || /supervisor|tick/.test(line)).slice(-12).join('\n');
	return `screen:\n${peek?.stdout ?? ''}${peek?.stderr ?? ''}\nsupervisor.log:\n${said}`;
}

/**
 * Edits the config the running supervisor reads, the way a careful editor saves (temp file, rename), and waits until
 * the supervisor says it reloaded it: what the test does next then meets the new config.
 */
export async function editConfig(sandbox: AoSandbox, edit: (text: string) => string): Promise<void> {
	const log = path.join(sandbox.home, 'supervisor.log');
	const logText = async () => fs.readFile(log, 'utf8').catch(() => '');
	const reloads = async () => (await logText()).split('config changed: reloaded').length;
	// The supervisor reads the config before it logs 'started': an edit made before that is its first read, not a reload.
	await waitFor('the supervisor to start', async () => / started: ao /.test(await logText()));
	const before = await reloads();
	const temp = `${sandbox.configFile}.tmp`;
	await fs.writeFile(temp, edit(await fs.readFile(sandbox.configFile, 'utf8')));
	await fs.rename(temp, sandbox.configFile);
	await waitFor('the supervisor to reload the config', async () => (await reloads()) > before);
}
