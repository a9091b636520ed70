import type {Config} from './config-schema.js';
import type {Job} from './job.js';
import {StatePaths} from './paths.js';
import {isLive} from './states.js';
import {JobStore} from './store.js';
import {readClaudeUsage, sumTokens, tokensPerMinute, totalOf, type Tokens, type UsageCache} from './usage.js';
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
	/** Minutes until budget.window_tokens is spent at the burn rate, when a window is set. */
	windowMinutesLeft?: number;
	windowUsed?: number;
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

/** Usage of every job from the agents' own records (Claude Code transcripts; others keep none ao can read). */
export async function costReport(paths: StatePaths, config: Config, now = Date.now()): Promise<CostReport> {
	const {jobs} = await new JobStore(paths).list();
	const caches = new Map<string, UsageCache>();
	for (const job of jobs.filter((candidate: Job) => candidate.agent === 'claude' || candidate.transcriptPath)) {
		const cache = await readClaudeUsage(job, path.join(paths.jobDir(job.id), 'usage.json'), job.env?.HOME);
		if (cache) caches.set(job.id, cache);
	}

	const rows: JobCost[] = jobs.map(job => {
		const cache = caches.get(job.id);
		if (!cache) return {id: job.id, name: job.name, agent: job.agent, state: job.state};
		const tokens = sumTokens(Object.values(cache.byModel));
		return {
			id: job.id, name: job.name, agent: job.agent, state: job.state, tokens, total: totalOf(tokens),
			costUsd: costOf(cache.byModel, config.prices), perMinute: tokensPerMinute(cache.minutes, now),
		};
	});
	const live = new Set(jobs.filter(job => isLive(job.state)).map(job => job.id));
	const burnRate = rows.filter(row => live.has(row.id)).reduce((sum, row) => sum + (row.perMinute ?? 0), 0);
	const windowStart = Math.floor((now - config.budget.window_hours * 3_600_000) / 60_000);
	const windowUsed = [...caches.values()].reduce((sum, cache) => sum + Object.entries(cache.minutes).filter(([minute]) => Number(minute) >= windowStart).reduce((part, [, tokens]) => part + tokens, 0), 0);
	return {
		jobs: rows,
		total: sumTokens(rows.flatMap(row => (row.tokens ? [row.tokens] : []))),
		costUsd: rows.reduce((sum, row) => sum + (row.costUsd ?? 0), 0),
		burnRate,
		...(config.budget.window_tokens > 0 ? {windowUsed, windowMinutesLeft: minutesLeft(config.budget.window_tokens, windowUsed, burnRate)} : {}),
	};
}
