import {findTarget} from '../../core/jobs/control.js';
import {dismissBlock} from '../../core/jobs/actions.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {jobArg} from '../job-target.js';

/** `ao dismiss <job>`: the guard's block has been seen; the job shows what its agent did since. */
export default defineCommand<[string], object>({
	name: 'dismiss',
	description: 'clear the guard\'s block from a job once you have seen it (a reply clears it too)',
	args: [jobArg],
	async run(io, [ref]) {
		const ctx = context(io);
		const {job} = await dismissBlock(ctx.paths, await findTarget(ctx.paths, ctx.tmux, ref));
		io.out(`dismissed the guard's block on ${job.id} (${job.name}); it is ${job.state}${job.reason ? `: ${job.reason}` : ''}`);
	},
});
