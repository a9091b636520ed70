import type {StatusGlyphs} from '../config/config-schema.js';
import type {UsageSummary} from '../cost/cost.js';
import type {Job} from '../jobs/job.js';
import {formatMinutes, formatTokens, windowOutlook} from '../cost/units.js';

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

/**
 * "ao 2? 1! 3* 4+": counts with their glyphs, zeros left out; "ao" alone when nothing is going on. Then the burn rate
 * of all agents ("45k/min") while they spend tokens, and the quota window's time left when it runs out before it resets. Pure.
 */
export function formatStatusLine(counts: StatusCounts, glyphs: StatusGlyphs, usage?: Pick<UsageSummary, 'burnRate' | 'window'>): string {
	const parts = [
		[counts.needsInput, glyphs.needs_input],
		[counts.ready, glyphs.ready],
		[counts.working, glyphs.working],
		[counts.done, glyphs.done],
	].filter(([count]) => Number(count) > 0).map(([count, glyph]) => `${count}${glyph}`);
	if (usage && usage.burnRate >= 1) parts.push(`${formatTokens(usage.burnRate)}/min`);
	if (usage?.window?.runsOutBeforeReset) parts.push(`quota ${usage.window.minutesLeft === 0 ? 'spent' : `${formatMinutes(usage.window.minutesLeft).replace(' ', '')} left`}`);
	return ['ao', ...parts].join(' ');
}

/**
 * One line on what all agents spend together, for `ao list` and the dashboard's header: "burning 45k tokens/min ·
 * quota window 1.2M used, runs out in 38 min, resets in 2.1 h". Empty when nothing is known. Pure.
 */
export function usageLine(usage: Pick<UsageSummary, 'burnRate' | 'window'> | undefined): string {
	if (!usage) return '';
	const parts = [`burning ${formatTokens(usage.burnRate)} tokens/min`];
	const {window} = usage;
	if (window) {
		const left = windowOutlook(window.minutesLeft);
		const shared = window.shared ? ` (account ${window.shared.account}, with ${window.shared.hosts.join(', ')}: ${formatTokens(window.shared.burnRate)} tokens/min together)` : '';
		parts.push(`quota window ${formatTokens(window.used)} used${shared}, ${left}, resets in ${formatMinutes(window.resetsInMinutes)}${window.runsOutBeforeReset ? ' (queued jobs wait)' : ''}`);
	}

	return parts.join(' · ');
}
