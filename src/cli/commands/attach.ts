import {attach} from '../../core/tmux/attach.js';
import {UsageError} from '../../core/errors.js';
import {registerUserServer, socketFromTmuxEnv} from '../../core/tmux/user-servers.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor, jobArg, resumable} from '../job-target.js';

export default defineCommand<[string], object>({
	name: 'attach',
	description: 'show the agent\'s window in this terminal (or a popup inside your tmux)',
	args: [jobArg],
	async run(io, [ref]) {
		const ctx = context(io);
		// Outside tmux this terminal becomes the agent's; `ssh box ao attach x` has none, and tmux would only say "not a terminal".
		if (!ctx.env.TMUX && !io.interactive) {
			throw new UsageError(`ao attach needs a terminal and this command has none; log in with ssh -t (or run it in a terminal), or use ao peek ${ref} and ao send ${ref} TEXT`);
		}

		const config = await configFor(ctx);
		const target = await resumable(io, ctx, ref, config);
		const userServer = socketFromTmuxEnv(ctx.env.TMUX);
		if (userServer) await registerUserServer(ctx.paths, userServer);
		const result = await attach(ctx.tmux, target, config, ctx.env);
		if (result.mode !== 'terminal') io.out(`opened ${target.job.name} in a tmux ${result.mode}; ${config.attach.detach_key} leaves it`);
		io.exitCode = result.exitCode;
	},
});
