import {readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import {envSources, type EnvSource} from '../core/processes/agent-env.js';
import {dispatch} from '../core/jobs/dispatch.js';
import {UsageError} from '../core/errors.js';
import {parseTokens} from '../core/cost/units.js';
import {context} from './context.js';
import {out, paint, printJson, warn} from './io.js';

export interface DispatchOptions {
	words: string[];
	task?: string;
	taskFile?: string;
	name?: string;
	agent?: string;
	cwd?: string;
	branch?: string;
	worktree: boolean;
	carry?: boolean;
	json?: boolean;
	command: string[];
	priority?: string;
	allowCi?: boolean;
	mode?: string;
	budget?: string;
	envFrom?: string;
}

async function taskText(options: DispatchOptions): Promise<string> {
	const given = [options.words.length > 0, options.task !== undefined, options.taskFile !== undefined].filter(Boolean).length;
	if (given > 1) throw new UsageError('give the task one way: as words, with --task, or with --task-file');
	if (options.taskFile !== undefined) {
		return options.taskFile === '-' ? readFileSync(0, 'utf8') : fs.readFile(options.taskFile, 'utf8').catch(() => {
			throw new UsageError(`--task-file ${options.taskFile}: cannot read that file`);
		});
	}

	return options.task ?? options.words.join(' ');
}

export async function run(options: DispatchOptions): Promise<void> {
	const ctx = context();
	const priority = options.priority === undefined ? undefined : Number(options.priority);
	if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`--priority must be an integer, got ${JSON.stringify(options.priority)}`);
	const budget = options.budget === undefined ? undefined : parseTokens(options.budget);
	if (options.budget !== undefined && budget === undefined) throw new UsageError(`--budget must be a number of tokens like 200000, 200k or 1.5M; got ${JSON.stringify(options.budget)}`);
	const envFrom = options.envFrom ?? 'shell';
	if (!(envSources as readonly string[]).includes(envFrom)) throw new UsageError(`--env-from must be ${envSources.join(' or ')}; got ${JSON.stringify(options.envFrom)}`);
	const {job, warnings, queuePosition} = await dispatch({
		envFrom: envFrom as EnvSource,
		priority,
		budget,
		allowCi: options.allowCi,
		mode: options.mode,
		task: await taskText(options),
		name: options.name,
		agent: options.agent,
		cwd: options.cwd ?? ctx.cwd,
		branch: options.branch,
		noWorktree: !options.worktree,
		carry: options.carry,
		command: options.command,
		env: ctx.env,
	}, ctx.paths);
	for (const warning of warnings) warn(warning);
	if (options.json) {
		printJson(queuePosition === undefined ? job : {...job, queuePosition});
		return;
	}

	if (job.state === 'queued') {
		out(`queued ${paint('1', job.id)} (${job.name}) · ${queuePosition === undefined ? '' : `#${queuePosition} in the queue: `}${job.reason} · ao list`);
		return;
	}

	out(`dispatched ${paint('1', job.id)} (${job.name}) · ao peek ${job.id} · ao attach ${job.id}`);
}
