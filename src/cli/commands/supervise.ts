import {Supervisor} from '../../core/supervisor/supervisor.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

export default defineCommand<[], object>({
	name: 'supervise',
	hidden: true,
	description: 'the supervisor loop (runs in window 0 of the ao server)',
	async run(io) {
		const ctx = context(io);
		const supervisor = await Supervisor.create(ctx.paths, ctx.tmux);
		io.exitCode = await supervisor.run();
	},
});
