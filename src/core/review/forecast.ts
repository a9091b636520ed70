import type {Conflict, Job} from '../jobs/job.js';

/**
 * The conflict forecast's decisions, pure: which jobs to compare, and when what it found is news. The git work is in
 * watch.ts.
 */

/** What the forecast knows of one job's work. */
export interface WorkFacts {
	id: string;
	name: string;
	repo: string;
	base: string;
	/** The commit holding the job's work now (its uncommitted files too). */
	snapshot: string;
	/** Paths the work changes since it left the base. */
	files: string[];
	changes: NonNullable<Job['changes']>;
	behind: number;
	/** Files that would conflict with the base branch's tip. */
	baseConflicts: string[];
}

/** Pairs of jobs in one repository whose changed files overlap: only those can conflict with each other. */
export function overlappingPairs(facts: WorkFacts[]): Array<[WorkFacts, WorkFacts]> {
	const pairs: Array<[WorkFacts, WorkFacts]> = [];
	for (const [index, a] of facts.entries()) {
		const files = new Set(a.files);
		for (const b of facts.slice(index + 1)) {
			if (a.repo === b.repo && b.files.some(file => files.has(file))) pairs.push([a, b]);
		}
	}

	return pairs;
}

/** The key of a pair's result: the same two snapshots give the same answer, whichever way round. */
export function pairKey(a: WorkFacts, b: WorkFacts): string {
	return [a.snapshot, b.snapshot].sort().join(':');
}

/** A job's conflicts: with its base first, then with each other job (by name), files sorted. */
export function conflictsOf(facts: WorkFacts, withOthers: Array<{name: string; files: string[]}>): Conflict[] {
	const all = [{name: facts.base, files: facts.baseConflicts}, ...withOthers];
	return all.filter(other => other.files.length > 0).map(other => ({with: other.name, files: [...other.files].sort()}));
}

/** Whether the forecast found anything other than what the record says. */
export function forecastChanged(job: Pick<Job, 'changes' | 'behind' | 'conflicts'>, next: {changes: NonNullable<Job['changes']>; behind: number; conflicts: Conflict[]}): boolean {
	return JSON.stringify([job.changes ?? null, job.behind ?? 0, job.conflicts ?? []]) !== JSON.stringify([next.changes, next.behind, next.conflicts]);
}
