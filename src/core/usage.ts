import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {writeFileAtomic} from './atomic-file.js';
import type {Job} from './job.js';

/** Token counts by kind. */
export interface Tokens {
	input: number;
	output: number;
	cacheWrite: number;
	cacheRead: number;
}

/** Tokens of one minute (or hour) by model, as [input, output, cache write, cache read]: compact, it is saved often. */
export type Bucket = Record<string, [number, number, number, number]>;

/**
 * What ao has read of one job's transcript, kept beside its record (jobs/<id>/usage.json) so the next read starts
 * where this one stopped: a 100 MB transcript is read once, then only what was appended.
 */
export interface UsageCache {
	version: 2;
	file: string;
	offset: number;
	/** The last assistant message ids counted (a streamed message is written several times, close together, with one id). */
	ids: string[];
	byModel: Record<string, Tokens>;
	/** Usage by the transcript's own timestamps: per minute for the last 24 hours, per hour for the last 30 days. */
	minutes: Record<string, Bucket>;
	hours: Record<string, Bucket>;
}

export const emptyCache = (file: string): UsageCache => ({version: 2, file, offset: 0, ids: [], byModel: {}, minutes: {}, hours: {}});
const keptIds = 1000;

export const noTokens = (): Tokens => ({input: 0, output: 0, cacheWrite: 0, cacheRead: 0});

export function totalOf(tokens: Tokens): number {
	return tokens.input + tokens.output + tokens.cacheWrite + tokens.cacheRead;
}

export function sumTokens(list: Tokens[]): Tokens {
	return list.reduce((sum, tokens) => ({
		input: sum.input + tokens.input, output: sum.output + tokens.output, cacheWrite: sum.cacheWrite + tokens.cacheWrite, cacheRead: sum.cacheRead + tokens.cacheRead,
	}), noTokens());
}

/** Where Claude Code keeps a session's transcript: ~/.claude/projects/<cwd, non-alphanumerics as ->/<session>.jsonl. Pure. */
export function claudeTranscriptPath(job: Pick<Job, 'worktree' | 'sessionId' | 'transcriptPath'>, home = os.homedir()): string {
	return job.transcriptPath ?? path.join(home, '.claude', 'projects', job.worktree.replaceAll(/[^a-zA-Z\d]/g, '-'), `${job.sessionId}.jsonl`);
}

function addTo(buckets: Record<string, Bucket>, key: string, model: string, add: Tokens): void {
	const bucket = buckets[key] ??= {};
	const [input, output, cacheWrite, cacheRead] = bucket[model] ?? [0, 0, 0, 0];
	bucket[model] = [input + add.input, output + add.output, cacheWrite + add.cacheWrite, cacheRead + add.cacheRead];
}

const bucketTotal = (bucket: Bucket) => Object.values(bucket).reduce((sum, counts) => sum + counts[0] + counts[1] + counts[2] + counts[3], 0);

/** Adds complete transcript lines to the cache: `message.usage` of assistant entries, each message id once. Pure. */
export function accumulate(cache: UsageCache, lines: string[]): UsageCache {
	const ids = [...cache.ids];
	const seen = new Set(ids);
	const byModel = {...cache.byModel};
	const minutes = structuredClone(cache.minutes);
	const hours = structuredClone(cache.hours);
	for (const line of lines) {
		let entry: {type?: string; timestamp?: string; message?: {id?: string; model?: string; usage?: Record<string, number>}};
		try {
			entry = JSON.parse(line) as typeof entry;
		} catch {
			continue;
		}

		const usage = entry.message?.usage;
		if (entry.type !== 'assistant' || !usage) continue;
		const id = entry.message?.id;
		if (id) {
			if (seen.has(id)) continue;
			seen.add(id);
			ids.push(id);
		}

		const model = entry.message?.model ?? 'unknown';
		const add: Tokens = {
			input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0, cacheWrite: usage.cache_creation_input_tokens ?? 0, cacheRead: usage.cache_read_input_tokens ?? 0,
		};
		byModel[model] = sumTokens([byModel[model] ?? noTokens(), add]);
		const at = Date.parse(entry.timestamp ?? '');
		if (Number.isFinite(at)) {
			addTo(minutes, String(Math.floor(at / 60_000)), model, add);
			addTo(hours, String(Math.floor(at / 3_600_000)), model, add);
		}
	}

	const newest = Math.max(0, ...Object.keys(minutes).map(Number));
	for (const minute of Object.keys(minutes)) if (Number(minute) < newest - 24 * 60) delete minutes[minute];
	const newestHour = Math.max(0, ...Object.keys(hours).map(Number));
	for (const hour of Object.keys(hours)) if (Number(hour) < newestHour - 30 * 24) delete hours[hour];
	return {...cache, ids: ids.slice(-keptIds), byModel, minutes, hours};
}

/** Total tokens per minute (minute number -> tokens), for burn rates and quota windows. Pure. */
export function minuteTotals(cache: Pick<UsageCache, 'minutes'>): Map<number, number> {
	return new Map(Object.entries(cache.minutes).map(([minute, bucket]) => [Number(minute), bucketTotal(bucket)]));
}

/** Tokens per minute over the `window` minutes before `now` (from the transcript's timestamps). Pure. */
export function tokensPerMinute(cache: Pick<UsageCache, 'minutes'>, now: number, window = 5): number {
	const current = Math.floor(now / 60_000);
	let sum = 0;
	for (const [minute, tokens] of minuteTotals(cache)) if (minute > current - window && minute <= current) sum += tokens;
	return sum / window;
}

/**
 * Tokens by model spent since `since` (ms): to the minute within the last 24 hours, to the hour before that (the
 * hour `since` falls in counts whole), up to 30 days back. Pure.
 */
export function usageSince(cache: UsageCache, since: number, now: number): Record<string, Tokens> {
	const byMinute = now - since <= 24 * 3_600_000;
	const buckets = byMinute ? cache.minutes : cache.hours;
	const from = byMinute ? Math.floor(since / 60_000) : Math.floor(since / 3_600_000);
	const result: Record<string, Tokens> = {};
	for (const [key, bucket] of Object.entries(buckets)) {
		if (Number(key) < from) continue;
		for (const [model, [input, output, cacheWrite, cacheRead]] of Object.entries(bucket)) {
			result[model] = sumTokens([result[model] ?? noTokens(), {input, output, cacheWrite, cacheRead}]);
		}
	}

	return result;
}

/**
 * Reads what was appended to a transcript since the cache's offset (whole lines only) and saves the cache when it
 * moved on. `known` is a cache the caller kept in memory (the supervisor); otherwise the saved one is read.
 */
export async function readClaudeUsage(job: Job, cacheFile: string, home = os.homedir(), known?: UsageCache): Promise<UsageCache | undefined> {
	const file = claudeTranscriptPath(job, home);
	let cache = known ?? await fs.readFile(cacheFile, 'utf8').then(text => JSON.parse(text) as UsageCache).catch(() => emptyCache(file));
	if (cache.file !== file || cache.version !== 2) cache = emptyCache(file);
	let handle: fs.FileHandle;
	try {
		handle = await fs.open(file, 'r');
	} catch {
		return cache.offset > 0 ? cache : undefined;
	}

	const before = cache.offset;
	try {
		const {size} = await handle.stat();
		if (size < cache.offset) cache = emptyCache(file);
		// Whole lines only, cut at a newline byte: a chunk may end inside a line, or inside a UTF-8 character.
		const chunkSize = 8 * 1024 * 1024;
		let carry = Buffer.alloc(0);
		let position = cache.offset;
		while (position < size) {
			const chunk = Buffer.alloc(Math.min(chunkSize, size - position));
			const {bytesRead} = await handle.read(chunk, 0, chunk.length, position);
			if (bytesRead === 0) break;
			position += bytesRead;
			const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
			const cut = data.lastIndexOf(0x0A) + 1;
			if (cut > 0) {
				cache = accumulate(cache, data.subarray(0, cut).toString('utf8').split('\n').filter(Boolean));
				cache.offset += cut;
			}

			carry = data.subarray(cut);
		}
	} finally {
		await handle.close();
	}

	if (cache.offset !== before) await writeFileAtomic(cacheFile, JSON.stringify(cache));
	return cache;
}
