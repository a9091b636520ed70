import {findTarget, rename} from '../../core/jobs/control.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {jobArg} from '../job-target.js';

export default defineCommand<[string, string], object>({
	name: 'rename',
	description: 'give the job a new name (its window follows)',
	args: [jobArg, ['<name>', 'the new name']],
	async run(io, [ref, name]) {
		const ctx = context(io);
		const job = await rename(ctx.paths, ctx.tmux, await findTarget(ctx.paths, ctx.tmux, ref), name);
		io.out(`renamed ${job.id} to ${job.name}`);
	},
});
