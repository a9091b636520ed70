import {Supervisor} from '../../core/supervisor/supervisor.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {capturedIO} from '../io.js';
import {runAo} from '../program.js';

export default defineCommand<[], object>({
	name: 'supervise',
	hidden: true,
	description: 'the supervisor loop (runs in window 0 of the ao server)',
	async run(io) {
		const ctx = context(io);
		const supervisor = await Supervisor.create(ctx.paths, ctx.tmux);
		// bin/ao's list, peek and send run here, in-process, on the caller's directory and environment.
		io.exitCode = await supervisor.run(async request => {
			const captured = capturedIO({env: request.env, cwd: request.cwd, tty: request.stdoutTTY, columns: request.columns});
			const exitCode = await runAo(request.argv, captured.io);
			return {stdout: captured.stdout(), stderr: captured.stderr(), exitCode};
		});
	},
});
