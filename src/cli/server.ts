import {describeBuild, sameBuild} from '../core/supervisor/build.js';
import {loadConfig} from '../core/config/config.js';
import {UsageError} from '../core/errors.js';
import {restartServer, serverStatus, stopServer, type ServerStatus} from '../core/supervisor/server-control.js';
import {context} from './context.js';
import {out, printJson} from './io.js';

export async function run(action: string, options: {json?: boolean}): Promise<void> {
	const ctx = context();
	switch (action) {
		case 'status': {
			const status = await serverStatus(ctx.paths, ctx.tmux);
			if (options.json) {
				printJson(status);
				return;
			}

			if (!status.running) {
				out(`not running (socket "${status.socket}"); the next ao dispatch starts it`);
				return;
			}

			const jobs = Object.entries(status.jobs).map(([state, count]) => `${count} ${state}`).join(', ') || 'no jobs';
			out(`running: socket "${status.socket}", server pid ${status.serverPid}, supervisor ${supervisorText(status)}, ${status.windows} agent window(s); ${jobs}`);
			// A supervisor still loading has written neither its pid nor its build yet: nothing to compare.
			const differs = status.supervisorPid !== undefined && (!status.supervisorBuild || !sameBuild(status.supervisorBuild, status.build));
			if (differs) {
				out(`the supervisor runs ao ${status.supervisorBuild ? describeBuild(status.supervisorBuild) : '0.1 or older'}, this is ao ${describeBuild(status.build)}: the next ao command restarts it on this one (agents keep running)`);
			} else {
				out(`ao ${describeBuild(status.build)}`);
			}

			return;
		}

		case 'stop': {
			const stopped = await stopServer(ctx.paths, ctx.tmux);
			out(`stopped the ao server${stopped.length > 0 ? ` and ${stopped.length} agent(s); ao respawn <job> resumes one` : ''}`);
			return;
		}

		case 'restart': {
			const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
			const resumed = await restartServer(ctx.paths, ctx.tmux, config);
			out(`restarted the ao server from this shell (it has this shell's limits); ${resumed.length} agent(s) resumed or queued`);
			return;
		}

		default:
			throw new UsageError(`ao server takes status, stop or restart; got "${action}"`);
	}
}

function supervisorText(status: ServerStatus): string {
	if (!status.supervisorAlive) return 'NOT running (any ao command restarts it)';
	// Window 0 is alive but the supervisor has not written its pid file yet: it is still loading.
	return status.supervisorPid === undefined ? 'starting' : `pid ${status.supervisorPid}`;
}
