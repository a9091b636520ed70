import {listJobs, type JobView} from '../../core/jobs/list.js';
import {groups} from '../../core/jobs/states.js';
import {usageLine} from '../../core/supervisor/status-line.js';
import {formatBytes, formatCpu, formatTokens} from '../../core/cost/units.js';
import {age, table} from '../../ui/format.js';
import {rowDetail} from '../../ui/dashboard/view-model.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {existingDir, underOptions} from '../dir-option.js';
import type {CommandIO} from '../io.js';

export interface ListOptions {
	json?: boolean;
	all?: boolean;
	under?: string;
	cwd?: string;
}

const stateColor: Record<string, string> = {'needs-input': '1;33', ready: '1;32', working: '36', queued: '2', failed: '31', stopped: '2', completed: '2'};

function row(io: CommandIO, job: JobView, withTokens: boolean, withResources: boolean): string[] {
	const state = io.paint(stateColor[job.state] ?? '0', job.state) + (job.runaway ? io.paint('1;31', ' runaway') : '');
	const resources = withResources ? [formatCpu(job.resources?.cpuPercent), formatBytes(job.resources?.rssBytes)] : [];
	return ['  ' + job.id, job.name, job.agent, state, age(job.stateSince), ...(withTokens ? [formatTokens(job.tokens)] : []), ...resources, job.branch ?? '-', rowDetail(job)];
}

/** The jobs under `under` (all with `all`), as the table `ao list` prints or as JSON. */
export async function printList(io: CommandIO, options: {json?: boolean; all?: boolean; under?: string}): Promise<void> {
	const ctx = context(io);
	const listing = await listJobs(ctx.paths, ctx.tmux, {all: options.all, cwd: options.under});
	for (const problem of listing.problems) io.warn(`skipped job ${problem.id}: ${problem.message}`);
	if (options.json) {
		io.json(listing.jobs);
		return;
	}

	if (listing.jobs.length === 0) {
		io.out(listing.hidden > 0 ? `no jobs to show (${listing.hidden} completed: ao list --all)` : 'no jobs; start one with: ao dispatch "your task"');
		return;
	}

	// One table for all rows, so columns line up across groups; group headers go between.
	// The token column appears once some agent keeps a usage record ao reads ("-" for the others).
	const withTokens = listing.jobs.some(job => job.tokens !== undefined);
	// CPU and memory columns appear once the supervisor measured a live agent.
	const withResources = listing.jobs.some(job => job.resources !== undefined);
	const rows = table(listing.jobs.map(job => row(io, job, withTokens, withResources)), io.columns);
	const lines: string[] = [];
	for (const group of groups) {
		const members = listing.jobs.flatMap((job, index) => (job.group === group ? [rows[index]!] : []));
		if (members.length === 0) continue;
		lines.push(io.paint('1', `${group} (${members.length})`), ...members);
	}

	if (listing.hidden > 0) lines.push(io.paint('2', `${listing.hidden} completed job(s) hidden: ao list --all`));
	const usage = usageLine(listing.usage);
	if (usage) lines.push(io.paint('2', `${usage} · ao cost`));
	if (!listing.serverUp) lines.push(io.paint('2', 'the ao tmux server is not running, so jobs that were running show as failed (lost)'));
	io.out(lines.join('\n'));
}

export default defineCommand<[], ListOptions>({
	name: 'list',
	aliases: ['ls'],
	description: 'list jobs grouped by state',
	options: [
		{flags: '--json', description: 'print a JSON array'},
		{flags: '--all', description: 'include completed jobs'},
		...underOptions,
	],
	async run(io, [], options) {
		await printList(io, {json: options.json, all: options.all, under: existingDir('--under', options.under ?? options.cwd, io.cwd)});
	},
});
