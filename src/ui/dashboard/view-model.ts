import {age, displayWidth, fitColumns} from '../format.js';
import type {JobView} from '../../core/jobs/list.js';
import {tildify} from '../../core/paths.js';
import {formatBytes, formatCpu, formatTokens} from '../../core/cost/units.js';
import {groups, type Group} from '../../core/jobs/states.js';
import {conflictText, prText, reviewMarks} from '../../core/review/words.js';

export type Row =
	| {kind: 'header'; group: Group; count: number; collapsed: boolean}
	| {kind: 'job'; job: JobView};

/** Groups that `g` folds: the finished ones, which pile up and need no attention. */
export const collapsibleGroups: Group[] = ['Failed', 'Completed'];

/** Does the job match the filter text (name, task, agent, state, reason, branch, id; case-insensitive)? Pure. */
export function matchesFilter(job: JobView, filter: string): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return [job.id, job.name, job.task, job.agent, job.state, job.reason, job.branch ?? ''].some(field => field.toLowerCase().includes(needle));
}

/**
 * The list the dashboard shows: a header with a count per non-empty group, in dashboard order, then its jobs (none
 * under a collapsed header). Pure.
 */
export function buildRows(jobs: JobView[], options: {filter?: string; collapsed?: ReadonlySet<Group>} = {}): Row[] {
	const shown = jobs.filter(job => matchesFilter(job, options.filter ?? ''));
	const rows: Row[] = [];
	for (const group of groups) {
		const members = shown.filter(job => job.group === group).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
		if (members.length === 0) continue;
		const collapsed = options.collapsed?.has(group) ?? false;
		rows.push({kind: 'header', group, count: members.length, collapsed});
		if (!collapsed) rows.push(...members.map(job => ({kind: 'job' as const, job})));
	}

	return rows;
}

/** The job ids in row order (what the selection moves through). Pure. */
export function selectableIds(rows: Row[]): string[] {
	return rows.flatMap(row => (row.kind === 'job' ? [row.job.id] : []));
}

/**
 * The id selected after moving `delta` rows from `current` (clamped at the ends). A selection that vanished (the
 * job was removed or filtered out) falls back to the first job. Pure.
 */
export function moveSelection(rows: Row[], current: string | undefined, delta: number): string | undefined {
	const ids = selectableIds(rows);
	if (ids.length === 0) return undefined;
	const index = current === undefined ? -1 : ids.indexOf(current);
	if (index === -1) return ids[0];
	return ids[Math.max(0, Math.min(ids.length - 1, index + delta))];
}

/** What a row says after the name: the reason, else the last line of output. Pure. */
export function rowDetail(job: JobView): string {
	const reason = job.queuePosition ? `#${job.queuePosition} in queue · ${job.reason}` : job.reason;
	// A working agent's last line says more than "started"; elsewhere the reason leads and the last line follows it
	// ("exit 1 · 3 failing").
	const last = (job.state === 'working' && job.reason !== 'resumed') || !reason ? job.lastLine || reason
		: job.lastLine && !reason.includes(job.lastLine) ? `${reason} · ${job.lastLine}` : reason;
	const marks = reviewMarks(job);
	const said = marks.length > 0 ? [...marks, last].filter(Boolean).join(' · ') : last;
	const flagged = job.runaway && !said.startsWith('runaway') ? `${job.runaway} · ${said}` : said;
	// Another host's job from its last answer, that host not answering now.
	return (job as {stale?: boolean}).stale ? `as last seen · ${flagged}` : flagged;
}

/** The job's name, with its host when it runs on another one ("api-docs@box1"). Pure. */
export function rowName(job: JobView): string {
	const host = (job as {host?: string}).host;
	return host && host !== 'local' ? `${job.name}@${host}` : job.name;
}

/**
 * One job row as plain text fitted to `width` columns: a ">" for the selected row and a "*" for a pinned one, name,
 * agent, age in state, tokens spent when `columns.tokens` gives the column a width ("-": the agent keeps no record ao
 * reads), CPU and memory with `columns.resources` ("-": not measured), then the reason or last output line (a
 * runaway's flag first). Pure.
 */
export function formatJobRow(job: JobView, width: number, now: number, columns: {name: number; agent: number; tokens?: number; resources?: boolean}, selected = false): string {
	const marker = `${selected ? '>' : ' '}${job.pinned ? '*' : ' '}`;
	const sinceState = age(job.stateSince, now).padStart(4);
	const tokens = columns.tokens ? `${formatTokens(job.tokens).padStart(columns.tokens)} ` : '';
	const resources = columns.resources ? `${formatCpu(job.resources?.cpuPercent).padStart(4)} ${formatBytes(job.resources?.rssBytes).padStart(5)} ` : '';
	const head = `${marker} ${fit(rowName(job), columns.name)} ${fit(job.agent, columns.agent)} ${sinceState} ${tokens}${resources}`;
	const room = width - displayWidth(head);
	return room > 3 ? head + fit(rowDetail(job), room).trimEnd() : fitColumns(head, width).trimEnd();
}

/** Cut or padded to exactly `width` columns, on one line. */
function fit(text: string, width: number): string {
	return fitColumns(text.replaceAll(/\s+/g, ' '), width);
}

export function formatHeader(row: Extract<Row, {kind: 'header'}>): string {
	return `${row.collapsed ? '▸' : '▾'} ${row.group} (${row.count})`;
}

/** The width of the token column: none until some job has a usage record, then wide enough for "999.9k". Pure. */
export function tokenColumnWidth(jobs: JobView[]): number {
	return jobs.some(job => job.tokens !== undefined) ? 6 : 0;
}

/** The header's first line (what needs doing first, so a narrow terminal still shows it), then the usage line. Pure. */
export function headerText(jobs: JobView[], context: {serverUp: boolean; filter: string; usage: string}): string {
	const count = (state: string) => jobs.filter(job => job.state === state).length;
	const counts = `${count('needs-input')} need input · ${count('ready')} ready · ${count('working')} working · ${count('queued')} queued`;
	const server = context.serverUp ? '' : ' · ao server not running: press S to start it';
	const filter = context.filter ? ` · filter: ${context.filter}` : '';
	return ` ao dashboard${server} · ${jobs.length} job${jobs.length === 1 ? '' : 's'} · ${counts}${filter}${context.usage ? `\n ${context.usage}` : ''}`;
}

/** The lines above a job's screen in the peek pane: who it is, why it is where it is, where it works, its diff. Pure. */
export function detailFacts(job: JobView, diff: string, width: number): string[] {
	return [
		`${job.name} (${job.id}) · ${job.agent} · ${job.state}${job.tokens === undefined ? '' : ` · ${formatTokens(job.tokens)} tokens`}`,
		...(job.runaway ? [job.runaway] : []),
		...(job.reason ? [job.reason] : []),
		...(job.pr ? [`${prText(job.pr)} · ${job.pr.url}`] : []),
		...(job.landed ? [] : (job.conflicts ?? []).map(conflict => conflictText(conflict, 8))),
		`${tildify(job.worktree)}${job.branch ? ` · ${job.branch}` : ''}${job.base ? ` · from ${job.base}${job.behind ? `, which moved ${job.behind} commit${job.behind === 1 ? '' : 's'} since` : ''}` : ''}`,
		...(diff ? diff.split('\n').slice(-4) : []),
		'─'.repeat(Math.max(1, width)),
	];
}

/**
 * The list pane's lines for `height` rows around the selection: group headers in bold, the selected row inverted
 * (blessed tags; `escape` keeps a job's own text from being read as one). Pure.
 */
export function listLines(rows: Row[], selected: string | undefined, layout: {width: number; height: number; now: number; name: number; agent: number; tokens?: number; resources?: boolean}, escape: (text: string) => string): string[] {
	const selectedIndex = rows.findIndex(row => row.kind === 'job' && row.job.id === selected);
	const first = Math.max(0, Math.min(selectedIndex - Math.floor(layout.height / 2), rows.length - layout.height));
	return rows.slice(first, first + layout.height).map(row => {
		if (row.kind === 'header') return `{bold}${escape(formatHeader(row))}{/bold}`;
		const text = escape(formatJobRow(row.job, layout.width, layout.now, layout, row.job.id === selected));
		return row.job.id === selected ? `{inverse}${text}{/inverse}` : text;
	});
}
