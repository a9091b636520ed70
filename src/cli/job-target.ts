import {loadConfig} from '../core/config/config.js';
import type {Config} from '../core/config/config-schema.js';
import {findTarget, type Target} from '../core/jobs/control.js';
import {resumeIfIdle} from '../core/jobs/respawn.js';
import type {Context} from './context.js';
import type {CommandIO} from './io.js';

/** The help of every `<job>` operand. */
export const jobArg: [string, string] = ['<job>', 'id, unique id prefix or name'];

/** The job, resumed first if the idle stop ended it: looking at it or talking to it means the user is back. */
export async function resumable(io: CommandIO, ctx: Context, ref: string, config?: Config): Promise<Target> {
	const target = await findTarget(ctx.paths, ctx.tmux, ref);
	if (target.job.state !== 'stopped' || target.job.reason !== 'idle') return target;
	io.note(`resuming ${target.job.name} (stopped while idle); the first reply takes a moment`);
	return resumeIfIdle(ctx.paths, ctx.tmux, config ?? (await loadConfig({cwd: ctx.cwd, paths: ctx.paths, env: ctx.env})).config, target);
}

/** The effective config for a command run in ctx.cwd. */
export async function configFor(ctx: Context): Promise<Config> {
	return (await loadConfig({cwd: ctx.cwd, paths: ctx.paths, env: ctx.env})).config;
}
