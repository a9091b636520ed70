import {readUsageSummary} from '../../core/cost/cost.js';
import {formatStatusLine, statusCounts} from '../../core/supervisor/status-line.js';
import {JobStore} from '../../core/jobs/store.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor} from '../job-target.js';

/** `ao status [--json]`: counts by group from the job records (no tmux call at all). */
export default defineCommand<[], {json?: boolean}>({
	name: 'status',
	description: 'counts by group for a status line: "ao 2? 1! 3* 4+" (needs input, ready, working, done)',
	options: [
		{flags: '--json', description: 'the counts as JSON'},
		// --tmux changed nothing (the plugin reads the supervisor's copy with tmux/status.sh); accepted for one release.
		{flags: '--tmux', hidden: true},
	],
	async run(io, [], options) {
		const ctx = context(io);
		const counts = statusCounts((await new JobStore(ctx.paths).list()).jobs);
		if (options.json) {
			io.json(counts);
			return;
		}

		const config = await configFor(ctx);
		io.out(formatStatusLine(counts, config.status.glyphs, await readUsageSummary(ctx.paths)));
	},
});
