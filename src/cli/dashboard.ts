import path from 'node:path';
import {loadConfig} from '../core/config/config.js';
import {UsageError} from '../core/errors.js';
import {context} from './context.js';

/** `ao dashboard [--cwd DIR]`: blessed loads here only, never in the other commands. */
export async function run(options: {cwd?: string}): Promise<void> {
	if (!process.stdout.isTTY || !process.stdin.isTTY) throw new UsageError('ao dashboard needs a terminal; for scripts use ao list --json');
	const ctx = context();
	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
	const {Dashboard} = await import('../ui/dashboard/app.js');
	const dashboard = new Dashboard({paths: ctx.paths, tmux: ctx.tmux, config, cwd: ctx.cwd, scope: options.cwd ? path.resolve(options.cwd) : undefined, env: ctx.env});
	await dashboard.start();
}
