import {loadConfig} from '../core/config.js';
import {costReport} from '../core/cost.js';
import {totalOf} from '../core/usage.js';
import {context} from './context.js';
import {table} from './format.js';
import {out, printJson} from './io.js';

const count = (value: number | undefined) => (value === undefined ? '-' : value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : String(Math.round(value)));
const dollars = (value: number | undefined) => (value === undefined ? '-' : `~$${value.toFixed(2)}`);

function duration(minutes: number): string {
	if (!Number.isFinite(minutes)) return 'never at this rate';
	return minutes >= 120 ? `${(minutes / 60).toFixed(1)} h` : `${Math.round(minutes)} min`;
}

/** `ao cost [--json]`: tokens and an estimated cost per job, the burn rate, and the quota window projection. */
export async function run(options: {json?: boolean}): Promise<void> {
	const ctx = context();
	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
	const report = await costReport(ctx.paths, config);
	if (options.json) {
		printJson(report);
		return;
	}

	const rows = [['ID', 'NAME', 'AGENT', 'STATE', 'TOKENS', 'IN/OUT/CACHE', 'COST (est.)', 'TOK/MIN']];
	for (const job of report.jobs) {
		const parts = job.tokens ? `${count(job.tokens.input)}/${count(job.tokens.output)}/${count(job.tokens.cacheWrite + job.tokens.cacheRead)}` : '-';
		rows.push([job.id, job.name, job.agent, job.state, count(job.total), parts, dollars(job.costUsd), job.perMinute === undefined ? '-' : count(job.perMinute)]);
	}

	const lines = table(rows, process.stdout.columns || 160);
	lines.push('', `total ${count(totalOf(report.total))} tokens, ~$${report.costUsd.toFixed(2)} (an estimate from the prices table) · all live agents together burn ${count(report.burnRate)} tokens/min now`);
	if (report.windowMinutesLeft !== undefined) {
		lines.push(`${count(report.windowUsed)} of ${count(config.budget.window_tokens)} tokens of the ${config.budget.window_hours} h window used; at this rate the window runs out in ${duration(report.windowMinutesLeft)}`);
	}

	out(lines.join('\n'));
}
