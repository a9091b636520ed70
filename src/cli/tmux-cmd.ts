import {UsageError} from '../core/errors.js';
import {tildify} from '../core/paths.js';
import {installPlugin, runShellLine} from '../core/tmux/tmux-plugin.js';
import {registerUserServer, socketFromTmuxEnv} from '../core/tmux/user-servers.js';
import {context} from './context.js';
import {out} from './io.js';

const explanation = '# ao\'s tmux plugin: prefix + A (@ao-key) opens the ao dashboard, status-right shows ao\'s counts, and ao\'s notifications reach this tmux. Put the line below in ~/.tmux.conf, or run: ao tmux install --apply';

async function install(options: {apply?: boolean}): Promise<void> {
	if (!options.apply) {
		out(explanation);
		out(runShellLine());
		return;
	}

	const result = await installPlugin();
	const conf = tildify(result.confFile);
	if (result.appended) out(`${result.created ? 'created' : 'appended to'} ${conf}: ${result.line}`);
	else out(`${conf} already loads ao's tmux plugin (a line mentions its path); left it as it is`);
	out(`load it now with: tmux source-file ${conf} (or restart tmux)`);
}

async function register(): Promise<void> {
	const ctx = context();
	const socket = socketFromTmuxEnv(ctx.env.TMUX);
	if (!socket) throw new UsageError('ao tmux register registers the tmux server it runs in, and $TMUX is not set: run it in a tmux pane (the plugin does)');
	await registerUserServer(ctx.paths, socket);
	out(`registered the tmux server at ${socket}: ao's notifications show in its clients`);
}

/** `ao tmux install [--apply]`, `ao tmux register`. */
export async function run(action: string, options: {apply?: boolean} = {}): Promise<void> {
	switch (action) {
		case 'install': {
			await install(options);
			return;
		}

		case 'register': {
			await register();
			return;
		}

		default:
			throw new UsageError(`ao tmux takes install or register; got "${action}"`);
	}
}
