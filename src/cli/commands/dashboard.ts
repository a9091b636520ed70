import {UsageError} from '../../core/errors.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {existingDir, underOptions} from '../dir-option.js';
import {configFor} from '../job-target.js';

/** `ao dashboard [--under DIR]`: blessed loads here only, never in the other commands. */
export default defineCommand<[], {under?: string; cwd?: string; host?: string}>({
	name: 'dashboard',
	aliases: ['agents', 'view'],
	description: 'the dashboard: every agent by group, with a live peek; reply, attach, stop and delete from it',
	options: [...underOptions, {flags: '--host <name>', description: 'local: only this machine\'s jobs (ao --host NAME dashboard opens another host\'s over ssh -t)'}],
	async run(io, [], options) {
		const scope = existingDir('--under', options.under ?? options.cwd, io.cwd);
		if (!io.interactive) throw new UsageError('ao dashboard needs a terminal; for scripts use ao list --json');
		const ctx = context(io);
		const config = await configFor(ctx);
		const {Dashboard} = await import('../../ui/dashboard/app.js');
		const dashboard = new Dashboard({paths: ctx.paths, tmux: ctx.tmux, config, cwd: ctx.cwd, scope, env: ctx.env, localOnly: options.host === 'local'});
		await dashboard.start();
	},
});
