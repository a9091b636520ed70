import {findTarget} from '../../core/jobs/control.js';
import {tildify} from '../../core/paths.js';
import {removeJob} from '../../core/jobs/remove.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {jobArg} from '../job-target.js';

export default defineCommand<[string], {force?: boolean}>({
	name: 'rm',
	description: 'remove a job: agent, window, worktree, branch and record (refuses to lose work)',
	args: [jobArg],
	options: [{flags: '-f, --force', description: 'archive unsaved work to refs/ao/archive/<id>, then remove'}],
	async run(io, [ref], options) {
		const ctx = context(io);
		const target = await findTarget(ctx.paths, ctx.tmux, ref);
		const result = await removeJob(ctx.paths, ctx.tmux, target, Boolean(options.force));
		for (const note of result.notes) io.out(`note: ${note}`);
		if (result.archivedTo) {
			io.out(`saved its unsaved work to ${result.archivedTo} in ${tildify(result.job.repo!)}; get it back with: git -C ${tildify(result.job.repo!)} checkout -b ${result.job.branch ?? 'recovered'} ${result.archivedTo}`);
		}

		io.out(`removed ${result.job.id} (${result.job.name})`);
	},
});
