import type {StatusGlyphs} from './config-schema.js';
import type {Job} from './job.js';

export interface StatusCounts {
	needsInput: number;
	ready: number;
	working: number;
	done: number;
}

/** Counts for the status line: needs input, ready, working, done (completed). Pure. */
export function statusCounts(jobs: Pick<Job, 'state'>[]): StatusCounts {
	const count = (state: string) => jobs.filter(job => job.state === state).length;
	return {needsInput: count('needs-input'), ready: count('ready'), working: count('working'), done: count('completed')};
}

/** "ao 2? 1! 3* 4+": counts with their glyphs, zeros left out; "ao" alone when nothing is going on. Pure. */
export function formatStatusLine(counts: StatusCounts, glyphs: StatusGlyphs): string {
	const parts = [
		[counts.needsInput, glyphs.needs_input],
		[counts.ready, glyphs.ready],
		[counts.working, glyphs.working],
		[counts.done, glyphs.done],
	].filter(([count]) => Number(count) > 0).map(([count, glyph]) => `${count}${glyph}`);
	return ['ao', ...parts].join(' ');
}
