import * as review from '../git/review.js';
import type {Job} from '../jobs/job.js';
import {readWork} from './work.js';

export interface DiffReport {
	/** What the job changed, in words: against what, how many commits and uncommitted files, the commits. */
	header: string[];
	/** `git diff` of the fork point against the work (commits, uncommitted and untracked files), or its stat. */
	diff: string;
	/** Where to run the pager (the worktree: its git config applies). */
	dir: string;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `ao diff`: everything the job changed since it branched from its base. */
export async function diffJob(job: Job, options: {baseRef?: string; stat?: boolean; color?: boolean}): Promise<DiffReport> {
	const work = await readWork(job, {baseRef: options.baseRef});
	const diff = await review.diffText(work.worktree, work.forkPoint, work.snapshot, {stat: options.stat, color: options.color});
	const parts = [plural(work.commits.length, 'commit'), ...(work.uncommitted.length > 0 ? [`${plural(work.uncommitted.length, 'uncommitted file')} (untracked ones included)`] : [])];
	const header = [
		`${job.name}${work.branch ? ` (${work.branch})` : ''} against ${work.baseName}: ${parts.join(', ')}${diff.trim() ? '' : '; no changes'}`,
		...work.commits.map(commit => `  ${commit}`),
	];
	return {header, diff, dir: work.worktree};
}
