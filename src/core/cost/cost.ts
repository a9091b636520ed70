import type {Config} from '../config/config-schema.js';
import type {Job} from '../jobs/job.js';
import {StatePaths} from '../paths.js';
import {presetNamed} from '../config/presets.js';
import {isLive} from '../jobs/states.js';
import {JobStore} from '../jobs/store.js';
import {minuteTotals, readUsage, sumTokens, tokensPerMinute, totalOf, usageSince, type Tokens, type UsageCache, type UsageKind} from './usage.js';
import {formatMinutes, formatTokens} from './units.js';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface JobCost {
	id: string;
	name: string;
	agent: string;
	state: string;
	/** Undefined when the agent keeps no record ao can read (shown as "-", never as 0). */
	tokens?: Tokens;
	total?: number;
	/** Dollars, an estimate from the `prices` table; undefined when a model has no price. */
	costUsd?: number;
	perMinute?: number;
}

export interface CostReport {
	jobs: JobCost[];
	total: Tokens;
	costUsd: number;
	/** Tokens per minute of all live jobs together, over the last 5 minutes. */
	burnRate: number;
	/** The quota window, when budget.window_tokens is set. */
	window?: QuotaWindow;
	/** With --since: the start of the period the tokens and costs cover. */
	since?: string;
	/** Tokens per minute of this machine's agents over the last day (for the hosts that share its account). */
	minutes?: MinutePairs;
}

/** The price of a model: the longest `prices` key its name starts with. Pure. */
export function priceFor(model: string, prices: Config['prices']): Config['prices'][string] | undefined {
	const key = Object.keys(prices).filter(prefix => model.startsWith(prefix)).sort((a, b) => b.length - a.length)[0];
	return key === undefined ? undefined : prices[key];
}

/** Dollars for tokens by model; undefined if any model with tokens has no price. Pure. */
export function costOf(byModel: Record<string, Tokens>, prices: Config['prices']): number | undefined {
	let sum = 0;
	for (const [model, tokens] of Object.entries(byModel)) {
		const price = priceFor(model, prices);
		if (!price) return undefined;
		sum += (tokens.input * price.input + tokens.output * price.output + tokens.cacheWrite * price.cache_write + tokens.cacheRead * price.cache_read) / 1e6;
	}

	return sum;
}

/** Minutes until `windowTokens` are spent, with `used` spent already, at `perMinute`. Pure. */
export function minutesLeft(windowTokens: number, used: number, perMinute: number): number | undefined {
	if (windowTokens <= 0) return undefined;
	if (used >= windowTokens) return 0;
	return perMinute > 0 ? (windowTokens - used) / perMinute : Number.POSITIVE_INFINITY;
}

/** Whose records tell the job's usage: the preset's `usage`, else Claude Code's when a hook told ao a transcript. */
export function usageKind(job: Job, config: Config): UsageKind | undefined {
	const usage = presetNamed(config, job.agent)?.usage;
	if (usage === 'claude' || usage === 'codex' || usage === 'gemini') return usage;
	return usage === undefined && job.transcriptPath !== undefined ? 'claude' : undefined;
}

/** The job's usage, read incrementally (see readUsage); undefined when its agent keeps no record ao can read. */
export async function readJobUsage(paths: StatePaths, config: Config, job: Job, known?: UsageCache): Promise<UsageCache | undefined> {
	const kind = usageKind(job, config);
	if (!kind) return undefined;
	return readUsage(kind, job, path.join(paths.jobDir(job.id), 'usage.json'), (job.homes ?? job.env)?.HOME, known).catch(() => known);
}

export interface QuotaWindow {
	/** With hosts on the same subscription (budget.account): which answered, and what all of them burn together. */
	shared?: {account: string; hosts: string[]; burnRate: number};
	/** Tokens spent in the window that is open now (0 when none is). */
	used: number;
	/** Minutes until the open window resets (a full window when none is open: the next token opens one). */
	resetsInMinutes: number;
	/** Minutes until the window's tokens are spent at the current burn rate. */
	minutesLeft: number;
	runsOutBeforeReset: boolean;
}

/**
 * The quota window as Claude's plans count it: a window opens with the first token spent after the previous one
 * closed, and lasts `windowHours`. From per-minute totals of every job together. Pure.
 */
export function quotaWindow(minutes: Map<number, number>, now: number, windowHours: number, windowTokens: number, burnRate: number): QuotaWindow {
	const length = Math.max(1, Math.round(windowHours * 60));
	const current = Math.floor(now / 60_000);
	let start: number | undefined;
	for (const minute of [...minutes.keys()].filter(minute => (minutes.get(minute) ?? 0) > 0 && minute <= current).sort((a, b) => a - b)) {
		if (start === undefined || minute >= start + length) start = minute;
	}

	const open = start !== undefined && current < start + length;
	const used = open ? [...minutes].reduce((sum, [minute, tokens]) => sum + (minute >= start! && minute <= current ? tokens : 0), 0) : 0;
	const resetsInMinutes = open ? start! + length - current : length;
	const left = minutesLeft(windowTokens, used, burnRate) ?? Number.POSITIVE_INFINITY;
	return {used, resetsInMinutes, minutesLeft: left, runsOutBeforeReset: left < resetsInMinutes};
}

/** Why queued jobs wait for the quota: the window is spent, or would be at this rate before it resets. Pure. */
export function quotaBlock(window: QuotaWindow | undefined, budget: Config['budget']): string | undefined {
	if (!window?.runsOutBeforeReset) return undefined;
	const resets = `it resets in ${formatMinutes(window.resetsInMinutes)}`;
	const the = window.shared ? `account ${window.shared.account}'s` : 'the';
	const key = window.shared ? `budget.window_tokens; spent with ${window.shared.hosts.join(', ')}` : 'budget.window_tokens';
	if (window.minutesLeft === 0) return `quota: ${the} ${budget.window_hours} h window's ${formatTokens(budget.window_tokens)} tokens are spent; ${resets} (${key})`;
	return `quota: at this rate ${the} ${budget.window_hours} h window runs out in ${formatMinutes(window.minutesLeft)}, before ${resets} (${key})`;
}

/** Per-minute totals as another host hears them: [minute since the epoch, tokens], oldest first. */
export type MinutePairs = Array<[number, number]>;

/** How far back one host's per-minute totals go to the hosts that share its account: a window chain older than that is read from its last day. */
export const sharedHistoryHours = 24;

/** The per-minute totals of the last `hours` before `now`, as pairs. Pure. */
export function recentMinutes(minutes: Map<number, number>, now: number, hours = sharedHistoryHours): MinutePairs {
	const current = Math.floor(now / 60_000);
	return [...minutes].filter(([minute, tokens]) => tokens > 0 && minute > current - hours * 60 && minute <= current).sort((a, b) => a[0] - b[0]);
}

/** What one machine's agents spend, as it tells the hosts on its subscription: its per-minute totals and burn rate. */
export interface Spending {
	minutes: MinutePairs;
	burnRate: number;
}

/** What another host on the same subscription spends, as it last said. */
export interface HostUsage extends Spending {
	host: string;
}

/**
 * The quota window of one subscription spent from several hosts: their per-minute totals added up, their burn
 * rates too. Without other hosts it is this machine's own window. Pure.
 */
export function sharedWindow(own: Map<number, number>, ownBurnRate: number, others: HostUsage[], budget: Pick<Config['budget'], 'window_hours' | 'window_tokens' | 'account'>, now: number): QuotaWindow {
	const minutes = new Map(own);
	for (const other of others) for (const [minute, tokens] of other.minutes) minutes.set(minute, (minutes.get(minute) ?? 0) + tokens);
	const burnRate = others.reduce((sum, other) => sum + other.burnRate, ownBurnRate);
	const window = quotaWindow(minutes, now, budget.window_hours, budget.window_tokens, burnRate);
	return others.length === 0 ? window : {shared: {account: budget.account, hosts: others.map(other => other.host), burnRate}, ...window};
}

/** Per-minute totals of several jobs added up. Pure. */
export function mergeMinutes(caches: Iterable<UsageCache>): Map<number, number> {
	const merged = new Map<number, number>();
	for (const cache of caches) for (const [minute, tokens] of minuteTotals(cache)) merged.set(minute, (merged.get(minute) ?? 0) + tokens);
	return merged;
}

/** What `ao list`, the dashboard, the status line and the queue show of usage: kept current by the supervisor. */
export interface UsageSummary {
	at: string;
	jobs: Record<string, {tokens: number; perMinute: number}>;
	/** What this machine's live agents burn together (tokens per minute). */
	burnRate: number;
	/** This machine's own per-minute totals of the last day: what it tells the hosts that share its account. */
	minutes?: MinutePairs;
	/** The quota window, shared with the hosts on the same subscription that answered. */
	window?: QuotaWindow;
}

/** The summary of every job's usage: tokens, burn rates, the quota window (with `others`: shared with them). Pure. */
export function summarize(caches: Map<string, UsageCache>, liveIds: Set<string>, config: Config, now: number, others: HostUsage[] = []): UsageSummary {
	const jobs: UsageSummary['jobs'] = {};
	let burnRate = 0;
	for (const [id, cache] of caches) {
		const perMinute = tokensPerMinute(cache, now);
		jobs[id] = {tokens: totalOf(sumTokens(Object.values(cache.byModel))), perMinute};
		if (liveIds.has(id)) burnRate += perMinute;
	}

	const own = mergeMinutes(caches.values());
	const minutes = recentMinutes(own, now);
	return {
		at: new Date(now).toISOString(), jobs, burnRate,
		...(minutes.length > 0 ? {minutes} : {}),
		...(config.budget.window_tokens > 0 ? {window: sharedWindow(own, burnRate, others, config.budget, now)} : {}),
	};
}

/** A summary this old is not the present: the supervisor is not running (its token counts still hold). */
export const summaryMaxAgeMs = 60_000;

/** The summary the supervisor last wrote, unless it is too old to trust (`anyAge`: as it is, for token counts). */
export async function readUsageSummary(paths: StatePaths, options: {now?: number; anyAge?: boolean} = {}): Promise<UsageSummary | undefined> {
	const summary = await fs.readFile(paths.usageSummary, 'utf8').then(text => JSON.parse(text) as UsageSummary, () => undefined);
	return summary && (options.anyAge || (options.now ?? Date.now()) - Date.parse(summary.at) < summaryMaxAgeMs) ? summary : undefined;
}

/**
 * Usage of every job from the agents' own records (Claude Code transcripts; others keep none ao can read). With
 * `since`, only what was spent since then, and only the jobs that spent something or ran in that time.
 */
export async function costReport(paths: StatePaths, config: Config, options: {now?: number; since?: number} = {}): Promise<CostReport> {
	const now = options.now ?? Date.now();
	const {jobs} = await new JobStore(paths).list();
	const caches = new Map<string, UsageCache>();
	for (const job of jobs) {
		const cache = await readJobUsage(paths, config, job);
		if (cache) caches.set(job.id, cache);
	}

	const {since} = options;
	const rows: JobCost[] = jobs.flatMap(job => {
		const cache = caches.get(job.id);
		const ranSince = since === undefined || isLive(job.state) || Date.parse(job.updatedAt) >= since;
		if (!cache) return ranSince ? [{id: job.id, name: job.name, agent: job.agent, state: job.state}] : [];
		const byModel = since === undefined ? cache.byModel : usageSince(cache, since, now);
		const tokens = sumTokens(Object.values(byModel));
		if (!ranSince && totalOf(tokens) === 0) return [];
		return [{
			id: job.id, name: job.name, agent: job.agent, state: job.state, tokens, total: totalOf(tokens),
			costUsd: costOf(byModel, config.prices), perMinute: tokensPerMinute(cache, now),
		}];
	});
	const live = new Set(jobs.filter(job => isLive(job.state)).map(job => job.id));
	const summary = summarize(caches, live, config, now);
	return {
		jobs: rows,
		total: sumTokens(rows.flatMap(row => (row.tokens ? [row.tokens] : []))),
		costUsd: rows.reduce((sum, row) => sum + (row.costUsd ?? 0), 0),
		burnRate: summary.burnRate,
		...(summary.window ? {window: summary.window} : {}),
		...(since === undefined ? {} : {since: new Date(since).toISOString()}),
		...(summary.minutes ? {minutes: summary.minutes} : {}),
	};
}
