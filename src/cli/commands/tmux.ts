import {UsageError} from '../../core/errors.js';
import {tildify} from '../../core/paths.js';
import {installPlugin, runShellLine} from '../../core/tmux/tmux-plugin.js';
import {registerUserServer, socketFromTmuxEnv} from '../../core/tmux/user-servers.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

const explanation = '# ao\'s tmux plugin: prefix + A (@ao-key) opens the ao dashboard, status-right shows ao\'s counts, and ao\'s notifications reach this tmux. Put the line below in ~/.tmux.conf, or run: ao tmux install --apply';

const install = defineCommand<[], {apply?: boolean}>({
	name: 'install',
	description: 'print the ~/.tmux.conf line that loads the plugin',
	options: [{flags: '--apply', description: 'append the line to ~/.tmux.conf unless it is there'}],
	async run(io, [], options) {
		if (!options.apply) {
			io.out(explanation);
			io.out(runShellLine());
			return;
		}

		const result = await installPlugin();
		const conf = tildify(result.confFile);
		io.out(result.appended ? `${result.created ? 'created' : 'appended to'} ${conf}: ${result.line}` : `${conf} already loads ao's tmux plugin (a line mentions its path); left it as it is`);
		io.out(`load it now with: tmux source-file ${conf} (or restart tmux)`);
	},
});

const register = defineCommand<[], object>({
	name: 'register',
	description: 'send ao\'s notifications to the tmux server this runs in (the plugin runs it)',
	async run(io) {
		const ctx = context(io);
		const socket = socketFromTmuxEnv(ctx.env.TMUX);
		if (!socket) throw new UsageError('ao tmux register registers the tmux server it runs in, and $TMUX is not set: run it in a tmux pane (the plugin does)');
		await registerUserServer(ctx.paths, socket);
		io.out(`registered the tmux server at ${socket}: ao's notifications show in its clients`);
	},
});

export default defineCommand({
	name: 'tmux',
	description: 'the tmux plugin: prefix + A opens the dashboard, ao\'s counts in the status line, notifications',
	subcommands: [install, register],
});
