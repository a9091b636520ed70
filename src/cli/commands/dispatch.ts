import fs from 'node:fs/promises';
import path from 'node:path';
import {envSources, type EnvSource} from '../../core/processes/agent-env.js';
import {dispatch} from '../../core/jobs/dispatch.js';
import {UsageError} from '../../core/errors.js';
import {parseTokens} from '../../core/cost/units.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import type {CommandIO} from '../io.js';

export interface DispatchOptions {
	task?: string;
	taskFile?: string;
	name?: string;
	/** -n, the old spelling of --name. */
	n?: string;
	agent?: string;
	cwd?: string;
	branch?: string;
	pr?: string;
	worktree: boolean;
	carry?: boolean;
	json?: boolean;
	/** What followed `--` on the command line (main.ts splits it off before commander sees it). */
	command?: string[];
	priority?: string;
	allowCi?: boolean;
	mode?: string;
	budget?: string;
	envFrom?: string;
}

async function taskText(io: CommandIO, words: string[], options: DispatchOptions): Promise<string> {
	const given = [words.length > 0, options.task !== undefined, options.taskFile !== undefined].filter(Boolean).length;
	if (given > 1) throw new UsageError('give the task one way: as words, with --task, or with --task-file');
	if (options.taskFile !== undefined) {
		return options.taskFile === '-' ? io.readAll() : fs.readFile(path.resolve(io.cwd, options.taskFile), 'utf8').catch(() => {
			throw new UsageError(`--task-file ${options.taskFile}: cannot read that file`);
		});
	}

	return options.task ?? words.join(' ');
}

export default defineCommand<[string[]], DispatchOptions>({
	name: 'dispatch',
	description: 'start a coding agent on a task in its own worktree and tmux window',
	usage: '[options] [task...] [-- command...]',
	args: [['[task...]', 'the task, passed to the agent as one argument, byte for byte']],
	options: [
		{flags: '--task <text>', description: 'the task as one argument (for text that starts with "-")'},
		{flags: '--task-file <file>', description: 'read the task from a file ("-" for stdin)'},
		{flags: '--name <name>', description: 'job name (default: from the task\'s first words)'},
		// -n meant --name here and --lines in peek; it stays for one release, unlisted.
		{flags: '-n <name>', hidden: true},
		{flags: '-a, --agent <preset>', description: 'agent preset (default: agent.default in config)'},
		{flags: '-C, --cwd <dir>', description: 'run as if ao were started in <dir>'},
		{flags: '-b, --branch <branch>', description: 'branch for the worktree (default ao/<name>; an existing branch is checked out)'},
		{flags: '--pr <number>', description: 'start from pull request NUMBER: its head (pull/N/head on the remote) in a new branch ao/pr-N'},
		{flags: '--no-worktree', description: 'run in the directory itself, without a worktree'},
		{flags: '--carry', description: 'bring the main checkout\'s uncommitted changes into the worktree'},
		{flags: '-p, --priority <n>', description: 'start before queued jobs of lower priority (default 0)'},
		{flags: '--allow-ci', description: 'dispatch even with CI=true (ao refuses there by default)'},
		{flags: '-m, --mode <mode>', description: 'permission mode: default, plan, acceptEdits, auto or bypass (auto and bypass need ao trust DIR --mode)'},
		{flags: '--budget <tokens>', description: 'pause the agent once it spent this many tokens (200k, 1.5M); ao resume grants as many again'},
		{flags: '--env-from <source>', description: 'the agent\'s environment: shell (this shell\'s, the default) or server (the ao tmux server\'s)'},
		{flags: '--json', description: 'print the job record as JSON'},
	],
	async run(io, [words], options) {
		const ctx = context(io);
		const priority = options.priority === undefined ? undefined : Number(options.priority);
		if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`--priority must be an integer, got ${JSON.stringify(options.priority)}`);
		const budget = options.budget === undefined ? undefined : parseTokens(options.budget);
		if (options.budget !== undefined && budget === undefined) throw new UsageError(`--budget must be a number of tokens like 200000, 200k or 1.5M; got ${JSON.stringify(options.budget)}`);
		const pr = options.pr === undefined ? undefined : Number(options.pr.replace(/^#/, ''));
		if (pr !== undefined && (!Number.isInteger(pr) || pr < 1)) throw new UsageError(`--pr takes a pull request number like 123; got ${JSON.stringify(options.pr)}`);
		if (pr !== undefined && !options.worktree) throw new UsageError('--pr starts the pull request in a new worktree; drop --no-worktree');
		const envFrom = options.envFrom ?? 'shell';
		if (!(envSources as readonly string[]).includes(envFrom)) throw new UsageError(`--env-from must be ${envSources.join(' or ')}; got ${JSON.stringify(options.envFrom)}`);
		const {job, warnings, queuePosition} = await dispatch({
			envFrom: envFrom as EnvSource,
			priority,
			budget,
			allowCi: options.allowCi,
			mode: options.mode,
			task: await taskText(io, words, options),
			name: options.name ?? options.n,
			agent: options.agent,
			cwd: options.cwd === undefined ? ctx.cwd : path.resolve(ctx.cwd, options.cwd),
			branch: options.branch,
			pr,
			noWorktree: !options.worktree,
			carry: options.carry,
			command: options.command ?? [],
			env: ctx.env,
		}, ctx.paths);
		for (const warning of warnings) io.warn(warning);
		if (options.json) {
			io.json(queuePosition === undefined ? job : {...job, queuePosition});
			return;
		}

		if (job.state === 'queued') {
			io.out(`queued ${io.paint('1', job.id)} (${job.name}) · ${queuePosition === undefined ? '' : `#${queuePosition} in the queue: `}${job.reason} · ao list`);
			return;
		}

		io.out(`dispatched ${io.paint('1', job.id)} (${job.name}) · ao peek ${job.id} · ao attach ${job.id}`);
	},
});
