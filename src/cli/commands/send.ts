import {findTarget} from '../../core/jobs/control.js';
import {reply} from '../../core/jobs/actions.js';
import {UsageError} from '../../core/errors.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor, jobArg} from '../job-target.js';

export default defineCommand<[string, string[]], {enter: boolean}>({
	name: 'send',
	description: 'type text into the agent without attaching',
	args: [jobArg, ['[text...]', 'the text, typed literally']],
	options: [{flags: '--no-enter', description: 'do not press Enter after the text'}],
	async run(io, [ref, words], options) {
		// No text at all is a slip (it would answer a [y/N] with its default); an explicit '' presses Enter alone.
		if (words.length === 0) throw new UsageError('nothing to send: give the text to type (ao send <job> \'\' presses Enter alone)');
		const text = words.join(' ');
		if (text === '' && options.enter === false) throw new UsageError('nothing to send: give the text to type');
		const ctx = context(io);
		const config = await configFor(ctx);
		const target = await findTarget(ctx.paths, ctx.tmux, ref);
		if (target.job.state === 'stopped' && target.job.reason === 'idle') io.note(`resuming ${target.job.name} (stopped while idle); the first reply takes a moment`);
		const result = await reply(ctx.paths, ctx.tmux, config, target, text, options.enter);
		if (result.unpaused) io.note(`${target.job.name} was paused; it goes on with your reply`);
		if (result.unblocked) io.note(`${target.job.name}: the guard's block is lifted by your reply`);
		io.out(`sent to ${target.job.id} (${target.job.name})`);
	},
});
