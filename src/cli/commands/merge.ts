import {findTarget} from '../../core/jobs/control.js';
import {UsageError} from '../../core/errors.js';
import {askAgentToResolve, mergeJob, type MergeStrategy} from '../../core/review/merge.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor, jobArg} from '../job-target.js';

interface MergeFlags {
	squash?: boolean;
	rebase?: boolean;
	ffOnly?: boolean;
	into?: string;
	keep?: boolean;
	commit?: boolean;
	askAgent?: boolean;
}

function strategyOf(flags: MergeFlags): MergeStrategy {
	const chosen = (['squash', 'rebase', 'ffOnly'] as const).filter(flag => flags[flag]);
	if (chosen.length > 1) throw new UsageError('give one of --squash, --rebase and --ff-only');
	return chosen[0] === 'ffOnly' ? 'ff-only' : chosen[0] ?? 'merge';
}

export default defineCommand<[string], MergeFlags>({
	name: 'merge',
	description: 'land the job\'s branch on the branch it was dispatched from, in the main checkout; then its worktree, window and branch go',
	args: [jobArg],
	options: [
		{flags: '--squash', description: 'one commit on the base, with the task as its message'},
		{flags: '--rebase', description: 'rebase the job\'s commits onto the base, then fast-forward'},
		{flags: '--ff-only', description: 'only if the base can fast-forward to the job\'s branch'},
		{flags: '--into <branch>', description: 'land on BRANCH instead of the branch the job was dispatched from'},
		{flags: '--keep', description: 'keep the worktree, window and branch (the agent goes on)'},
		{flags: '--commit', description: 'commit the worktree\'s uncommitted work first, with the task as the message'},
		{flags: '--ask-agent', description: 'instead: tell the agent to rebase onto the base and resolve the conflicts'},
	],
	async run(io, [ref], flags) {
		const how = strategyOf(flags);
		const ctx = context(io);
		const config = await configFor(ctx);
		const target = await findTarget(ctx.paths, ctx.tmux, ref);
		if (flags.askAgent) {
			const {files, base} = await askAgentToResolve(ctx.paths, ctx.tmux, config, target, flags.into);
			io.out(`told ${target.job.name} to rebase onto ${base} and resolve ${files.length > 0 ? `the conflicts in ${files.join(', ')}` : 'any conflicts'}; ao merge ${target.job.name} once it is ready`);
			return;
		}

		const result = await mergeJob(ctx.paths, ctx.tmux, config, target, {how, into: flags.into, keep: flags.keep, commit: flags.commit});
		if (result.committed) io.out(`committed the uncommitted work of ${result.job.name} as ${result.committed}`);
		io.out(`${result.job.name}: ${result.said}${result.cleaned ? '; its worktree, window and branch are gone (ao list --all shows the job)' : '; its worktree, window and branch stay (--keep)'}`);
	},
});
