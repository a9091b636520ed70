import {findTarget, stop} from '../../core/jobs/control.js';
import {AoError, UsageError} from '../../core/errors.js';
import {listJobs} from '../../core/jobs/list.js';
import {isLive} from '../../core/jobs/states.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

export default defineCommand<[string | undefined], {all?: boolean; allRunning?: boolean}>({
	name: 'stop',
	description: 'end the agent, keeping its window, worktree and record',
	args: [['[job]', 'id, unique id prefix or name']],
	options: [
		{flags: '--all-running', description: 'stop every running job'},
		{flags: '--all', hidden: true},
	],
	async run(io, [ref], options) {
		const all = options.allRunning ?? options.all;
		if (Boolean(ref) === Boolean(all)) throw new UsageError('give one job to stop, or --all-running');
		const ctx = context(io);
		const refs = all
			? (await listJobs(ctx.paths, ctx.tmux)).jobs.filter(job => isLive(job.state)).map(job => job.id)
			: [ref!];
		if (refs.length === 0) io.out('no running jobs to stop');
		const results = await Promise.allSettled(refs.map(async id => stop(ctx.paths, ctx.tmux, await findTarget(ctx.paths, ctx.tmux, id))));
		const failures = results.flatMap(result => (result.status === 'rejected' ? [result.reason as Error] : []));
		for (const result of results) if (result.status === 'fulfilled') io.out(`stopped ${result.value.id} (${result.value.name}); its window and worktree stay`);
		if (failures.length === 1) throw failures[0];
		if (failures.length > 1) throw new AoError(`${failures.length} jobs could not be stopped: ${failures.map(failure => failure.message).join('; ')}`);
	},
});
