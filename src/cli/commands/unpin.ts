import {findTarget, setPinned} from '../../core/jobs/control.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {jobArg} from '../job-target.js';

export default defineCommand<[string], object>({
	name: 'unpin',
	description: 'return the job to its state\'s group',
	args: [jobArg],
	async run(io, [ref]) {
		const ctx = context(io);
		const job = await setPinned(ctx.paths, (await findTarget(ctx.paths, ctx.tmux, ref)).job, false);
		io.out(`unpinned ${job.id} (${job.name})`);
	},
});
