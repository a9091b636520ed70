import {loadConfig} from '../core/config/config.js';
import {readUsageSummary} from '../core/cost/cost.js';
import {formatStatusLine, statusCounts} from '../core/supervisor/status-line.js';
import {JobStore} from '../core/jobs/store.js';
import {context} from './context.js';
import {out, printJson} from './io.js';

/** `ao status [--tmux|--json]`: counts by group from the job records (no tmux call at all). */
export async function run(options: {tmux?: boolean; json?: boolean}): Promise<void> {
	const ctx = context();
	const {jobs} = await new JobStore(ctx.paths).list();
	const counts = statusCounts(jobs);
	if (options.json) {
		printJson(counts);
		return;
	}

	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
	out(formatStatusLine(counts, config.status.glyphs, await readUsageSummary(ctx.paths)));
}
