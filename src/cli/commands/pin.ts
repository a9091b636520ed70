import {findTarget, setPinned} from '../../core/jobs/control.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {jobArg} from '../job-target.js';

export default defineCommand<[string], object>({
	name: 'pin',
	description: 'show the job first, in the Pinned group',
	args: [jobArg],
	async run(io, [ref]) {
		const ctx = context(io);
		const job = await setPinned(ctx.paths, (await findTarget(ctx.paths, ctx.tmux, ref)).job, true);
		io.out(`pinned ${job.id} (${job.name})`);
	},
});
