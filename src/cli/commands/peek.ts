import {peek} from '../../core/jobs/control.js';
import {UsageError} from '../../core/errors.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {jobArg, resumable} from '../job-target.js';

export default defineCommand<[string], {lines?: string; ansi?: boolean}>({
	name: 'peek',
	description: 'print the agent\'s current screen',
	args: [jobArg],
	options: [
		{flags: '-n, --lines <n>', description: 'only the last <n> lines'},
		{flags: '--ansi', description: 'keep colours'},
	],
	async run(io, [ref], options) {
		const lines = options.lines === undefined ? undefined : Number(options.lines);
		if (lines !== undefined && (!Number.isInteger(lines) || lines < 1)) throw new UsageError(`--lines must be a positive number of lines, got ${JSON.stringify(options.lines)}`);
		const ctx = context(io);
		const target = await resumable(io, ctx, ref);
		io.out(await peek(ctx.tmux, target, {lines, ansi: options.ansi}));
	},
});
