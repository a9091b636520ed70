import {findTarget} from '../../core/jobs/control.js';
import {bringBack} from '../../core/jobs/actions.js';
import {tildify} from '../../core/paths.js';
import {allowance} from '../../core/safety/pause.js';
import {formatTokens} from '../../core/cost/units.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor, jobArg} from '../job-target.js';

/** `ao resume <job> [message]`: a paused agent goes on (told the message, or "continue"); a stopped one respawns. */
export default defineCommand<[string, string[]], object>({
	name: 'resume',
	description: 'let a paused job (over budget, a runaway) go on, told MESSAGE or "continue"; a stopped job is respawned',
	args: [jobArg, ['[message...]', 'what to tell the agent as it goes on']],
	async run(io, [ref, words]) {
		const ctx = context(io);
		const config = await configFor(ctx);
		const target = await findTarget(ctx.paths, ctx.tmux, ref);
		const text = words.length > 0 ? words.join(' ') : undefined;
		const {how, job} = await bringBack(ctx.paths, ctx.tmux, config, target, text);
		if (how === 'unpaused') {
			const limit = allowance(job, config);
			io.out(`resumed ${job.id} (${job.name})${limit > 0 ? `; it may spend ${formatTokens(limit)} more tokens before the next pause` : ''}`);
			return;
		}

		if (text !== undefined && how !== 'queued') io.note(`${job.name} was ${target.job.state}; it was ${how}, and the message was not sent (ao send it once it is up)`);
		io.out(how === 'queued' ? `queued ${job.id} (${job.name}): ${job.reason}` : `${how} ${target.job.id} (${target.job.name}) in ${tildify(target.job.worktree)}`);
	},
});
