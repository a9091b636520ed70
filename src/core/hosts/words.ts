import type {Spending} from '../cost/cost.js';
import type {JobView} from '../jobs/list.js';

// What a host's state says, in list and the dashboard. Pure, and loaded by ao list: no imports but types.

/** A job of another host, as that host's ao listed it. */
export interface HostJob extends JobView {
	host: string;
	/** The host did not answer: this is the job as it was last seen. */
	stale?: boolean;
}

/** What one host answered: its jobs (fresh, or as last seen when it did not answer), and what went wrong. */
export interface HostListing {
	host: string;
	status: 'up' | 'unreachable' | 'mismatch';
	jobs: HostJob[];
	/** When the jobs were read. */
	at?: string;
	/** Since when the host does not answer. */
	since?: string;
	problem?: string;
	/** What its agents spend: its own per-minute totals of the last day and its burn rate (for a shared quota). */
	usage?: Spending;
}

/** "box1 unreachable since 12:03 (...)": the line list and the dashboard show for a host that is not up. Pure. */
export function hostProblemText(listing: HostListing): string | undefined {
	if (listing.status === 'mismatch') return `${listing.host}: ${listing.problem}`;
	if (listing.status !== 'unreachable') return undefined;
	const since = listing.since ? ` since ${listing.since.slice(11, 16)} UTC` : '';
	const seen = listing.jobs.length > 0 ? `; its ${listing.jobs.length} job(s) as last seen${listing.at ? ` at ${listing.at.slice(11, 16)}` : ''}` : '';
	return `${listing.host} unreachable${since} (${listing.problem})${seen}`;
}

