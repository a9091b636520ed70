import {findTarget, setPinned} from '../../core/jobs/control.js';
import {defineCommand, type CommandSpec} from '../command.js';
import {context} from '../context.js';
import {jobArg} from '../job-target.js';

/** `ao pin` and `ao unpin`: one command each, the same work. */
export function pinCommand(pinned: boolean): CommandSpec {
	return defineCommand<[string], object>({
		name: pinned ? 'pin' : 'unpin',
		description: pinned ? 'show the job first, in the Pinned group' : 'return the job to its state\'s group',
		args: [jobArg],
		async run(io, [ref]) {
			const ctx = context(io);
			const job = await setPinned(ctx.paths, (await findTarget(ctx.paths, ctx.tmux, ref)).job, pinned);
			io.out(`${pinned ? 'pinned' : 'unpinned'} ${job.id} (${job.name})`);
		},
	});
}

export default pinCommand(true);
