import {findTarget} from '../../core/jobs/control.js';
import {openPr} from '../../core/review/pr.js';
import {prText} from '../../core/review/words.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor, jobArg} from '../job-target.js';

export default defineCommand<[string], {draft?: boolean; json?: boolean}>({
	name: 'pr',
	description: 'push the job\'s branch and open a pull request onto its base (gh pr create, or review.pr_command)',
	args: [jobArg],
	options: [
		{flags: '--draft', description: 'open it as a draft'},
		{flags: '--json', description: 'print the pull request ({url, number, state}) as JSON'},
	],
	async run(io, [ref], options) {
		const ctx = context(io);
		const config = await configFor(ctx);
		const target = await findTarget(ctx.paths, ctx.tmux, ref);
		const {job, pr, remote, already} = await openPr(ctx.paths, config, target, {draft: options.draft});
		if (options.json) {
			io.json(pr);
			return;
		}

		io.out(already ? `${job.name} already has an open pull request: ${pr.url} (${prText(pr)})` : `pushed ${job.branch} to ${remote} and opened ${prText(pr)}${options.draft ? ' (draft)' : ''}: ${pr.url}`);
	},
});
