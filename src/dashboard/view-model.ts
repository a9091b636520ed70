import {age, displayWidth, fitColumns} from '../cli/format.js';
import type {JobView} from '../core/list.js';
import {formatBytes, formatCpu, formatTokens} from '../core/units.js';
import {groups, type Group} from '../core/states.js';

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
	if (job.runaway) return job.runaway;
	if (job.queuePosition) return `#${job.queuePosition} ${job.reason}`;
	if (job.state === 'working') return job.lastLine || job.reason;
	return job.reason || job.lastLine;
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
	const head = `${marker} ${fit(job.name, columns.name)} ${fit(job.agent, columns.agent)} ${sinceState} ${tokens}${resources}`;
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
