/** One ao world for a benchmark section: its own tmux socket, state dir and config, removed afterwards. */
import {randomBytes} from 'node:crypto';
import {mkdtempSync, readFileSync, realpathSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const aoBin = path.join(root, 'bin', 'ao');
export const fixtureAgent = path.join(root, 'test', 'fixtures', 'agent.js');

export class World {
	readonly dir: string;
	readonly socket: string;
	readonly home: string;
	readonly repo: string;
	readonly configFile: string;
	readonly env: Record<string, string>;
	private readonly config: string;

	constructor(name: string, config = '', env: Record<string, string> = {}, private readonly defaultAgent = 'shell') {
		this.dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), `ao-bench-${name}-`)));
		this.socket = `ao-bench-${name}-${randomBytes(3).toString('hex')}`;
		this.home = path.join(this.dir, 'state');
		this.repo = path.join(this.dir, 'repo');
		this.configFile = path.join(this.dir, 'config.yaml');
		this.env = {
			AO_HOME: this.home, AO_SOCKET: this.socket, AO_CONFIG: this.configFile, XDG_CONFIG_HOME: path.join(this.dir, 'xdg'),
			GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@ao.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@ao.invalid',
			NO_COLOR: '1', CI: '', AO_DISABLE: '', ...env,
		};
		this.config = config;
	}

	/** A git repository with `files` files in 100 directories, one commit. */
	async init(files = 1): Promise<void> {
		await fs.writeFile(this.configFile, [
			'agent:', `  default: ${this.defaultAgent}`,
			'agents:', '  fixture:', `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixtureAgent)}, "{task}"]`,
			'concurrency:', '  max_running: 200',
			'limits: {per_agent_nofile: 8, per_agent_procs: 8, per_agent_inotify: 8, per_agent_mem_mb: 1}',
			this.config,
		].join('\n') + '\n');
		await fs.mkdir(this.repo, {recursive: true});
		for (let index = 0; index < files; index++) {
			const sub = path.join(this.repo, `dir-${index % 100}`);
			await fs.mkdir(sub, {recursive: true});
			await fs.writeFile(path.join(sub, `file-${index}.txt`), `content of file ${index}\n`.repeat(20));
		}

		await execa('git', ['init', '-q', '-b', 'main'], {cwd: this.repo});
		await execa('git', ['add', '-A'], {cwd: this.repo, env: this.env});
		await execa('git', ['commit', '-qm', 'init'], {cwd: this.repo, env: this.env});
	}

	async ao(args: string[], options: {cwd?: string; env?: Record<string, string>} = {}): Promise<string> {
		return String((await execa(process.execPath, [aoBin, ...args], {cwd: options.cwd ?? this.repo, env: {...this.env, ...options.env}})).stdout);
	}

	async tmux(args: string[]): Promise<string> {
		return String((await execa('tmux', ['-u', '-L', this.socket, ...args], {reject: false})).stdout);
	}

	supervisorPid(): number {
		return Number.parseInt(readFileSync(path.join(this.home, 'supervisor.pid'), 'utf8'), 10);
	}

	async serverPid(): Promise<number> {
		return Number((await this.tmux(['display-message', '-p', '#{pid}'])).trim());
	}

	/** The `sh tmux/agent.sh` processes: one per agent, the pane's own process, holding the agent. */
	async agentShells(): Promise<number[]> {
		return (await this.tmux(['list-panes', '-a', '-F', '#{pane_pid} #{@ao_job}'])).split('\n').filter(line => / \S+$/.test(line)).map(line => Number(line.split(' ')[0]));
	}

	async cleanup(): Promise<void> {
		await execa('tmux', ['-u', '-L', this.socket, 'kill-server'], {reject: false});
		await fs.rm(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), {force: true});
		await new Promise(resolve => setTimeout(resolve, 300));
		await fs.rm(this.dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 100});
	}
}
