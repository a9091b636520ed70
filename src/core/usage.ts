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

/**
 * What ao has read of one job's transcript, kept beside its record (jobs/<id>/usage.json) so the next read starts
 * where this one stopped: a 100 MB transcript is read once, then only what was appended.
 */
export interface UsageCache {
	file: string;
	offset: number;
	/** Assistant message ids already counted (a streamed message is written several times with one id). */
	ids: string[];
	byModel: Record<string, Tokens>;
	/** Tokens per minute of the transcript's own timestamps (minute -> tokens), the last 24 hours kept. */
	minutes: Record<string, number>;
}

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

/** Adds complete transcript lines to the cache: `message.usage` of assistant entries, each message id once. Pure. */
export function accumulate(cache: UsageCache, lines: string[]): UsageCache {
	const ids = new Set(cache.ids);
	const byModel = {...cache.byModel};
	const minutes = {...cache.minutes};
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
			if (ids.has(id)) continue;
			ids.add(id);
		}

		const model = entry.message?.model ?? 'unknown';
		const add: Tokens = {
			input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0, cacheWrite: usage.cache_creation_input_tokens ?? 0, cacheRead: usage.cache_read_input_tokens ?? 0,
		};
		byModel[model] = sumTokens([byModel[model] ?? noTokens(), add]);
		const at = Date.parse(entry.timestamp ?? '');
		if (Number.isFinite(at)) {
			const minute = String(Math.floor(at / 60_000));
			minutes[minute] = (minutes[minute] ?? 0) + totalOf(add);
		}
	}

	const newest = Math.max(0, ...Object.keys(minutes).map(Number));
	for (const minute of Object.keys(minutes)) if (Number(minute) < newest - 24 * 60) delete minutes[minute];
	return {...cache, ids: [...ids], byModel, minutes};
}

/** Tokens per minute over the `window` minutes before `now` (from the transcript's timestamps). Pure. */
export function tokensPerMinute(minutes: Record<string, number>, now: number, window = 5): number {
	const current = Math.floor(now / 60_000);
	let sum = 0;
	for (const [minute, tokens] of Object.entries(minutes)) if (Number(minute) > current - window) sum += tokens;
	return sum / window;
}

/** Reads what was appended to a transcript since the cache's offset (whole lines only), and saves the cache. */
export async function readClaudeUsage(job: Job, cacheFile: string, home = os.homedir()): Promise<UsageCache | undefined> {
	const file = claudeTranscriptPath(job, home);
	let cache: UsageCache = await fs.readFile(cacheFile, 'utf8').then(text => JSON.parse(text) as UsageCache).catch(() => ({file, offset: 0, ids: [], byModel: {}, minutes: {}}));
	if (cache.file !== file) cache = {file, offset: 0, ids: [], byModel: {}, minutes: {}};
	let handle: fs.FileHandle | undefined;
	try {
		handle = await fs.open(file, 'r');
	} catch {
		return cache.offset > 0 ? cache : undefined;
	}

	try {
		const {size} = await handle.stat();
		if (size < cache.offset) cache = {file, offset: 0, ids: [], byModel: {}, minutes: {}};
		const chunk = 8 * 1024 * 1024;
		let pending = '';
		while (cache.offset + Buffer.byteLength(pending) < size) {
			const start = cache.offset + Buffer.byteLength(pending);
			const buffer = Buffer.alloc(Math.min(chunk, size - start));
			await handle.read(buffer, 0, buffer.length, start);
			const text = pending + buffer.toString('utf8');
			const cut = text.lastIndexOf('\n') + 1;
			cache = accumulate(cache, text.slice(0, cut).split('\n').filter(Boolean));
			cache.offset += Buffer.byteLength(text.slice(0, cut));
			pending = text.slice(cut);
			if (buffer.length < chunk) break;
		}
	} finally {
		await handle.close();
	}

	await writeFileAtomic(cacheFile, JSON.stringify(cache));
	return cache;
}
