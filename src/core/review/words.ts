import type {Conflict, Job, PullRequest} from '../jobs/job.js';

// What review facts say on a job's row, in list and the dashboard. Pure, and loaded by ao list: no imports but types.

/** The words for conflicts: "conflicts with main: src/a.ts, src/b.ts". Pure. */
export function conflictText(conflict: Conflict, max = 3): string {
	const shown = conflict.files.slice(0, max).join(', ');
	return `conflicts with ${conflict.with}: ${shown}${conflict.files.length > max ? ` and ${conflict.files.length - max} more` : ''}`;
}

/** What the row says of a pull request: "#12", "#12 merged", "#12 checks failing: test". Pure. */
export function prText(pr: PullRequest): string {
	const name = pr.number === undefined ? 'PR' : `#${pr.number}`;
	if (pr.state !== 'open') return `${name} ${pr.state}`;
	return pr.failing && pr.failing.length > 0 ? `${name} checks failing: ${pr.failing.join(', ')}` : name;
}

/**
 * The review marks of a row: its pull request, conflicts, how far the base moved, and for work ready for review what
 * it changed ("+12 -3 · 2 commits"). Nothing once the work has landed (the reason says how). Pure.
 */
export function reviewMarks(job: Pick<Job, 'state' | 'landed' | 'pr' | 'conflicts' | 'behind' | 'changes'>): string[] {
	if (job.landed) return [];
	const marks: string[] = [];
	if (job.state === 'ready' && job.changes && (job.changes.files > 0 || job.changes.commits > 0)) {
		const {added, removed, commits} = job.changes;
		marks.push(`+${added} -${removed} · ${commits === 0 ? 'uncommitted' : `${commits} commit${commits === 1 ? '' : 's'}`}`);
	}

	if (job.pr) marks.push(prText(job.pr));
	for (const conflict of job.conflicts ?? []) marks.push(conflictText(conflict, 2));
	if (job.behind) marks.push(`base +${job.behind}`);
	return marks;
}
