import {listJobs, type JobView} from '../core/jobs/list.js';
import {groups} from '../core/jobs/states.js';
import {usageLine} from '../core/supervisor/status-line.js';
import {formatBytes, formatCpu, formatTokens} from '../core/cost/units.js';
import {age, table} from '../ui/format.js';
import {rowDetail} from '../ui/dashboard/view-model.js';
import {context} from './context.js';
import {out, paint, printJson, warn} from './io.js';

export interface ListOptions {
	json?: boolean;
	all?: boolean;
	cwd?: string;
}

const stateColor: Record<string, string> = {'needs-input': '1;33', ready: '1;32', working: '36', queued: '2', failed: '31', stopped: '2', completed: '2'};

function row(job: JobView, withTokens: boolean, withResources: boolean): string[] {
	const state = paint(stateColor[job.state] ?? '0', job.state) + (job.runaway ? paint('1;31', ' runaway') : '');
	const detail = rowDetail(job);
	const resources = withResources ? [formatCpu(job.resources?.cpuPercent), formatBytes(job.resources?.rssBytes)] : [];
	return ['  ' + job.id, job.name, job.agent, state, age(job.stateSince), ...(withTokens ? [formatTokens(job.tokens)] : []), ...resources, job.branch ?? '-', detail];
}

export async function run(options: ListOptions): Promise<void> {
	const ctx = context();
	const listing = await listJobs(ctx.paths, ctx.tmux, {all: options.all, cwd: options.cwd});
	for (const problem of listing.problems) warn(`skipped job ${problem.id}: ${problem.message}`);
	if (options.json) {
		printJson(listing.jobs);
		return;
	}

	if (listing.jobs.length === 0) {
		out(listing.hidden > 0 ? `no jobs to show (${listing.hidden} completed: ao list --all)` : 'no jobs; start one with: ao dispatch "your task"');
		return;
	}

	// One table for all rows, so columns line up across groups; group headers go between.
	// The token column appears once some agent keeps a usage record ao reads ("-" for the others).
	const withTokens = listing.jobs.some(job => job.tokens !== undefined);
	// CPU and memory columns appear once the supervisor measured a live agent.
	const withResources = listing.jobs.some(job => job.resources !== undefined);
	const rows = table(listing.jobs.map(job => row(job, withTokens, withResources)), process.stdout.columns || 160);
	const lines: string[] = [];
	for (const group of groups) {
		const members = listing.jobs.flatMap((job, index) => (job.group === group ? [rows[index]!] : []));
		if (members.length === 0) continue;
		lines.push(paint('1', `${group} (${members.length})`), ...members);
	}

	if (listing.hidden > 0) lines.push(paint('2', `${listing.hidden} completed job(s) hidden: ao list --all`));
	const usage = usageLine(listing.usage);
	if (usage) lines.push(paint('2', `${usage} · ao cost`));
	if (!listing.serverUp) lines.push(paint('2', 'the ao tmux server is not running, so jobs that were running show as failed (lost)'));
	out(lines.join('\n'));
}
