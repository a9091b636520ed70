import {findTarget} from '../../core/jobs/control.js';
import {UsageError} from '../../core/errors.js';
import {listJobs} from '../../core/jobs/list.js';
import {tildify} from '../../core/paths.js';
import {lostJobs, respawn} from '../../core/jobs/respawn.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor} from '../job-target.js';

export default defineCommand<[string | undefined], {all?: boolean; allLost?: boolean}>({
	name: 'respawn',
	description: 'bring back a stopped, failed or lost job in its worktree with its preset\'s resume command',
	args: [['[job]', 'id, unique id prefix or name']],
	options: [
		{flags: '--all-lost', description: 'every job lost with the tmux server (reboot, sleep, kill-server)'},
		{flags: '--all', hidden: true},
	],
	async run(io, [ref], options) {
		const all = options.allLost ?? options.all;
		if (Boolean(ref) === Boolean(all)) throw new UsageError('give one job to respawn, or --all-lost for every job lost with the tmux server');
		const ctx = context(io);
		const config = await configFor(ctx);
		const targets = all
			? lostJobs((await listJobs(ctx.paths, ctx.tmux, {all: true})).jobs).map(job => ({job, pane: undefined}))
			: [await findTarget(ctx.paths, ctx.tmux, ref!)];
		if (targets.length === 0) {
			io.out('no lost jobs to respawn');
			return;
		}

		for (const job of await respawn(ctx.paths, ctx.tmux, config, targets)) {
			io.out(job.state === 'queued' ? `queued ${job.id} (${job.name}): ${job.reason}` : `respawned ${job.id} (${job.name}) in ${tildify(job.worktree)}`);
		}
	},
});
