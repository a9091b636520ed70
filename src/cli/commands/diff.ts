import {findTarget} from '../../core/jobs/control.js';
import {pagerCommand} from '../../core/git/review.js';
import {pageText} from '../../core/processes/processes.js';
import {diffJob} from '../../core/review/diff.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {jobArg} from '../job-target.js';

export default defineCommand<[string], {stat?: boolean; base?: string}>({
	name: 'diff',
	description: 'what the job changed since it branched: its commits, uncommitted and untracked files (paged on a terminal)',
	args: [jobArg],
	options: [
		{flags: '--stat', description: 'files and lines changed instead of the diff'},
		{flags: '--base <ref>', description: 'compare with REF instead of the branch the job was dispatched from'},
	],
	async run(io, [ref], options) {
		const ctx = context(io);
		const {job} = await findTarget(ctx.paths, ctx.tmux, ref);
		const report = await diffJob(job, {baseRef: options.base, stat: options.stat, color: io.color});
		const text = [...report.header.map(line => io.paint('1', line)), '', report.diff].join('\n').trimEnd() + '\n';
		// On a terminal through the pager git would use (core.pager, GIT_PAGER, PAGER, less); piped, plain text.
		if (io.interactive && io.stdout === process.stdout) await pageText(await pagerCommand(report.dir), text);
		else io.out(text);
	},
});
