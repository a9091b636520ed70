import {loadConfig} from '../../core/config/config.js';
import {readUsageSummary, summaryMaxAgeMs, type Spending} from '../../core/cost/cost.js';
import type {StatePaths} from '../../core/paths.js';
import {thisBuild} from '../../core/supervisor/build.js';
import type {HostListing} from '../../core/hosts/listing.js';
import {hostProblemText} from '../../core/hosts/words.js';
import {listJobs, sortByGroup, type JobView} from '../../core/jobs/list.js';
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
	host?: string;
	/** With --json: {ao: version, jobs, usage}, which another host's ao reads (src/core/hosts/listing.ts). */
	envelope?: boolean;
}

const stateColor: Record<string, string> = {'needs-input': '1;33', ready: '1;32', working: '36', queued: '2', failed: '31', stopped: '2', completed: '2'};

type Row = JobView & {host?: string; stale?: boolean};

function row(io: CommandIO, job: Row, columns: {tokens: boolean; resources: boolean; host: boolean}): string[] {
	const state = io.paint(stateColor[job.state] ?? '0', job.state) + (job.runaway ? io.paint('1;31', ' runaway') : '');
	const resources = columns.resources ? [formatCpu(job.resources?.cpuPercent), formatBytes(job.resources?.rssBytes)] : [];
	return ['  ' + job.id, ...(columns.host ? [job.host ?? 'local'] : []), job.name, job.agent, state, age(job.stateSince), ...(columns.tokens ? [formatTokens(job.tokens)] : []), ...resources, job.branch ?? '-', rowDetail(job)];
}

/** The other hosts' listings, unless only this machine's jobs are asked for (--host local, --under DIR). */
async function otherHosts(io: CommandIO, options: {all?: boolean; under?: string; host?: string}): Promise<HostListing[]> {
	if (options.host === 'local' || options.under !== undefined) return [];
	const ctx = context(io);
	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths, env: ctx.env});
	if (Object.keys(config.hosts).length === 0) return [];
	const {listHosts} = await import('../../core/hosts/listing.js');
	return listHosts(ctx.paths, config, ctx.env, {all: options.all});
}

/** What this machine's agents spend, for another host's ao on the same subscription: tokens by minute, burn rate. */
async function ownUsage(paths: StatePaths): Promise<Spending> {
	const summary = await readUsageSummary(paths, {anyAge: true});
	// Tokens spent stay spent; a burn rate is only now while the supervisor keeps the summary current.
	const current = summary !== undefined && Date.now() - Date.parse(summary.at) < summaryMaxAgeMs;
	return {minutes: summary?.minutes ?? [], burnRate: current ? summary.burnRate : 0};
}

/** The jobs under `under` (all with `all`), of this machine and the configured hosts, as a table or as JSON. */
export async function printList(io: CommandIO, options: {json?: boolean; all?: boolean; under?: string; host?: string; envelope?: boolean}): Promise<void> {
	const ctx = context(io);
	const [listing, hosts] = await Promise.all([listJobs(ctx.paths, ctx.tmux, {all: options.all, cwd: options.under}), otherHosts(io, options)]);
	for (const problem of listing.problems) io.warn(`skipped job ${problem.id}: ${problem.message}`);
	const problems = hosts.flatMap(host => hostProblemText(host) ?? []);
	const withHosts = hosts.length > 0;
	const jobs: Row[] = withHosts ? sortByGroup([...listing.jobs.map(job => ({...job, host: 'local'})), ...hosts.flatMap(host => host.jobs)]) : listing.jobs;
	if (options.json) {
		for (const problem of problems) io.warn(problem);
		io.json(options.envelope ? {ao: thisBuild().version, jobs, usage: await ownUsage(ctx.paths)} : jobs);
		return;
	}

	if (jobs.length === 0) {
		io.out([listing.hidden > 0 ? `no jobs to show (${listing.hidden} completed: ao list --all)` : 'no jobs; start one with: ao dispatch "your task"', ...problems.map(line => io.paint('2', line))].join('\n'));
		return;
	}

	// One table for all rows, so columns line up across groups; group headers go between.
	// The token column appears once some agent keeps a usage record ao reads ("-" for the others); CPU and memory
	// once the supervisor measured a live agent; the host once other hosts are configured.
	const columns = {tokens: jobs.some(job => job.tokens !== undefined), resources: jobs.some(job => job.resources !== undefined), host: withHosts};
	const rows = table(jobs.map(job => row(io, job, columns)), io.columns);
	const lines: string[] = [];
	for (const group of groups) {
		const members = jobs.flatMap((job, index) => (job.group === group ? [rows[index]!] : []));
		if (members.length === 0) continue;
		lines.push(io.paint('1', `${group} (${members.length})`), ...members);
	}

	if (listing.hidden > 0) lines.push(io.paint('2', `${listing.hidden} completed job(s) hidden: ao list --all`));
	const usage = usageLine(listing.usage);
	if (usage) lines.push(io.paint('2', `${usage} · ao cost`));
	if (!listing.serverUp) lines.push(io.paint('2', 'the ao tmux server is not running, so jobs that were running show as failed (lost)'));
	lines.push(...problems.map(line => io.paint('2', line)));
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
		{flags: '--host <name>', description: 'only the jobs of this host (local: this machine), when hosts are configured'},
		{flags: '--envelope', hidden: true},
	],
	async run(io, [], options) {
		await printList(io, {json: options.json, all: options.all, under: existingDir('--under', options.under ?? options.cwd, io.cwd), host: options.host, envelope: options.envelope});
	},
});
