import {describeBuild, sameBuild} from '../../core/supervisor/build.js';
import {restartServer, serverStatus, stopServer, type ServerStatus} from '../../core/supervisor/server-control.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor} from '../job-target.js';

function supervisorText(status: ServerStatus): string {
	if (!status.supervisorAlive) return 'NOT running (any ao command restarts it)';
	// Window 0 is alive but the supervisor has not written its pid file yet: it is still loading.
	return status.supervisorPid === undefined ? 'starting' : `pid ${status.supervisorPid}`;
}

const status = defineCommand<[], {json?: boolean}>({
	name: 'status',
	description: 'whether it runs, its pid, the supervisor, the agent windows, and which ao build each runs',
	options: [{flags: '--json', description: 'as JSON'}],
	async run(io, [], options) {
		const ctx = context(io);
		const status = await serverStatus(ctx.paths, ctx.tmux);
		if (options.json) {
			io.json(status);
			return;
		}

		if (!status.running) {
			io.out(`not running (socket "${status.socket}"); the next ao dispatch starts it`);
			return;
		}

		const jobs = Object.entries(status.jobs).map(([state, count]) => `${count} ${state}`).join(', ') || 'no jobs';
		io.out(`running: socket "${status.socket}", server pid ${status.serverPid}, supervisor ${supervisorText(status)}, ${status.windows} agent window(s); ${jobs}`);
		// A supervisor still loading has written neither its pid nor its build yet: nothing to compare.
		const differs = status.supervisorPid !== undefined && (!status.supervisorBuild || !sameBuild(status.supervisorBuild, status.build));
		io.out(differs
			? `the supervisor runs ao ${status.supervisorBuild ? describeBuild(status.supervisorBuild) : '0.1 or older'}, this is ao ${describeBuild(status.build)}: the next ao command restarts it on this one (agents keep running)`
			: `ao ${describeBuild(status.build)}`);
	},
});

const stop = defineCommand<[], object>({
	name: 'stop',
	description: 'end the server and every agent in it (ao respawn brings a job back)',
	async run(io) {
		const ctx = context(io);
		const stopped = await stopServer(ctx.paths, ctx.tmux);
		io.out(`stopped the ao server${stopped.length > 0 ? ` and ${stopped.length} agent(s); ao respawn <job> resumes one` : ''}`);
	},
});

const restart = defineCommand<[], object>({
	name: 'restart',
	description: 'start the server again from this shell (with its limits); running agents are resumed or queued',
	async run(io) {
		const ctx = context(io);
		const resumed = await restartServer(ctx.paths, ctx.tmux, await configFor(ctx));
		io.out(`restarted the ao server from this shell (it has this shell's limits); ${resumed.length} agent(s) resumed or queued`);
	},
});

export default defineCommand({
	name: 'server',
	description: 'the ao tmux server that holds every agent: status, stop, restart',
	subcommands: [status, stop, restart],
});
