import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {writeFileAtomic} from '../processes/atomic-file.js';
import type {Job} from '../jobs/job.js';

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
	/** Codex: the model of the turn being read, and the running totals its token_count events carry. */
	model?: string;
	totals?: [number, number, number];
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

/** Adds `add` tokens of `model`, spent at `timestamp`, to the totals and the buckets (in place). */
function addUsage(target: Pick<UsageCache, 'byModel' | 'minutes' | 'hours'>, model: string, add: Tokens, timestamp: string | undefined): void {
	target.byModel[model] = sumTokens([target.byModel[model] ?? noTokens(), add]);
	const at = Date.parse(timestamp ?? '');
	if (Number.isFinite(at)) {
		addTo(target.minutes, String(Math.floor(at / 60_000)), model, add);
		addTo(target.hours, String(Math.floor(at / 3_600_000)), model, add);
	}
}

function pruned(cache: UsageCache): UsageCache {
	const newest = Math.max(0, ...Object.keys(cache.minutes).map(Number));
	for (const minute of Object.keys(cache.minutes)) if (Number(minute) < newest - 24 * 60) delete cache.minutes[minute];
	const newestHour = Math.max(0, ...Object.keys(cache.hours).map(Number));
	for (const hour of Object.keys(cache.hours)) if (Number(hour) < newestHour - 30 * 24) delete cache.hours[hour];
	return cache;
}

/**
 * Adds complete lines of a Codex rollout: `token_count` events carry running totals (input, cached input, output),
 * so each adds what grew since the one before; the model is the last `turn_context`'s. Pure.
 */
export function accumulateCodex(cache: UsageCache, lines: string[]): UsageCache {
	const next: UsageCache = {...cache, byModel: {...cache.byModel}, minutes: structuredClone(cache.minutes), hours: structuredClone(cache.hours)};
	for (const line of lines) {
		let entry: {timestamp?: string; type?: string; payload?: {type?: string; model?: string; info?: {total_token_usage?: Record<string, number>} | null}};
		try {
			entry = JSON.parse(line) as typeof entry;
		} catch {
			continue;
		}

		if (entry.type === 'turn_context' && typeof entry.payload?.model === 'string') next.model = entry.payload.model;
		const total = entry.type === 'event_msg' && entry.payload?.type === 'token_count' ? entry.payload.info?.total_token_usage : undefined;
		if (!total) continue;
		const now: [number, number, number] = [total.input_tokens ?? 0, total.cached_input_tokens ?? 0, total.output_tokens ?? 0];
		const before = next.totals ?? [0, 0, 0];
		// Totals only grow within a session; smaller ones start a new count.
		const grew = now.every((value, index) => value >= before[index]!);
		const [input, cached, output] = grew ? now.map((value, index) => value - before[index]!) : now;
		next.totals = now;
		if (input! + output! === 0) continue;
		addUsage(next, next.model ?? 'codex', {input: input! - cached!, output: output!, cacheWrite: 0, cacheRead: cached!}, entry.timestamp);
	}

	return pruned(next);
}

/** Adds complete transcript lines to the cache: `message.usage` of assistant entries, each message id once. Pure. */
export function accumulate(cache: UsageCache, lines: string[]): UsageCache {
	const ids = [...cache.ids];
	const seen = new Set(ids);
	const target = {byModel: {...cache.byModel}, minutes: structuredClone(cache.minutes), hours: structuredClone(cache.hours)};
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

		const add: Tokens = {
			input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0, cacheWrite: usage.cache_creation_input_tokens ?? 0, cacheRead: usage.cache_read_input_tokens ?? 0,
		};
		addUsage(target, entry.message?.model ?? 'unknown', add, entry.timestamp);
	}

	return pruned({...cache, ids: ids.slice(-keptIds), ...target});
}

/**
 * Adds complete lines of a Gemini CLI chat record (~/.gemini/tmp/<project>/chats/session-*.jsonl): `tokens` of its
 * "gemini" entries, each id once (an entry with a tool call is written again when the call ends). Its `input`
 * counts the cached tokens too; thoughts are output. Pure.
 */
export function accumulateGemini(cache: UsageCache, lines: string[]): UsageCache {
	const ids = [...cache.ids];
	const seen = new Set(ids);
	const target = {byModel: {...cache.byModel}, minutes: structuredClone(cache.minutes), hours: structuredClone(cache.hours)};
	for (const line of lines) {
		let entry: {id?: string; type?: string; timestamp?: string; model?: string; tokens?: Record<string, number>};
		try {
			entry = JSON.parse(line) as typeof entry;
		} catch {
			continue;
		}

		if (entry.type !== 'gemini' || !entry.tokens) continue;
		if (entry.id) {
			if (seen.has(entry.id)) continue;
			seen.add(entry.id);
			ids.push(entry.id);
		}

		const {input = 0, output = 0, cached = 0, thoughts = 0} = entry.tokens;
		addUsage(target, entry.model ?? 'gemini', {input: input - cached, output: output + thoughts, cacheWrite: 0, cacheRead: cached}, entry.timestamp);
	}

	return pruned({...cache, ids: ids.slice(-keptIds), ...target});
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

/** The agents whose own records ao reads. */
export type UsageKind = 'claude' | 'codex' | 'gemini';

/** Where Codex keeps its sessions: $CODEX_HOME/sessions, else ~/.codex/sessions. */
export function codexSessionsDir(job: Pick<Job, 'homes' | 'env'>, home = os.homedir()): string {
	return path.join((job.homes ?? job.env)?.CODEX_HOME ?? path.join(home, '.codex'), 'sessions');
}

const day = (date: Date) => [String(date.getFullYear()), String(date.getMonth() + 1).padStart(2, '0'), String(date.getDate()).padStart(2, '0')];

/**
 * The Codex rollout (sessions/YYYY/MM/DD/rollout-*.jsonl) of the session the job started: written since the job was
 * created, its first line (session_meta) naming the job's directory. The newest one, if Codex was started again there.
 */
export async function findCodexRollout(job: Pick<Job, 'env' | 'worktree' | 'createdAt'>, home = os.homedir(), now = Date.now()): Promise<string | undefined> {
	const since = Date.parse(job.createdAt) - 60_000;
	const dirs = new Set<string>();
	for (let at = since - 86_400_000; at <= now + 86_400_000; at += 86_400_000) dirs.add(path.join(codexSessionsDir(job, home), ...day(new Date(at))));
	let found: {file: string; mtime: number} | undefined;
	for (const dir of dirs) {
		const names = await fs.readdir(dir).catch(() => [] as string[]);
		for (const name of names.filter(entry => entry.startsWith('rollout-') && entry.endsWith('.jsonl'))) {
			const file = path.join(dir, name);
			const stat = await fs.stat(file).catch(() => undefined);
			if (!stat || stat.mtimeMs < since || (found && stat.mtimeMs <= found.mtime)) continue;
			const handle = await fs.open(file, 'r').catch(() => undefined);
			if (!handle) continue;
			const head = Buffer.alloc(64 * 1024);
			const {bytesRead} = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
			const first = head.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
			try {
				const meta = JSON.parse(first) as {type?: string; payload?: {cwd?: string}};
				if (meta.type === 'session_meta' && meta.payload?.cwd === job.worktree) found = {file, mtime: stat.mtimeMs};
			} catch {
				// Not a rollout this version understands.
			}
		}
	}

	return found?.file;
}

/**
 * Reads what was appended to the agent's own record since the cache's offset (whole lines only) and saves the cache
 * when it moved on. `known` is a cache the caller kept in memory (the supervisor); otherwise the saved one is read.
 */
export async function readUsage(kind: UsageKind, job: Job, cacheFile: string, home = os.homedir(), known?: UsageCache): Promise<UsageCache | undefined> {
	let cache = known ?? await fs.readFile(cacheFile, 'utf8').then(text => JSON.parse(text) as UsageCache, () => undefined);
	let file: string | undefined;
	if (kind === 'claude') file = claudeTranscriptPath(job, home);
	else if (kind === 'gemini') file = job.transcriptPath;
	else file = cache?.file && existsSync(cache.file) ? cache.file : await findCodexRollout(job, home);
	if (!file) return undefined;
	if (!cache || cache.file !== file || cache.version !== 2) cache = emptyCache(file);
	let handle: fs.FileHandle;
	try {
		handle = await fs.open(file, 'r');
	} catch {
		return cache.offset > 0 ? cache : undefined;
	}

	const accumulateLines = {claude: accumulate, codex: accumulateCodex, gemini: accumulateGemini}[kind];
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
				cache = accumulateLines(cache, data.subarray(0, cut).toString('utf8').split('\n').filter(Boolean));
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

/** Claude Code's transcript of the job (see readUsage). */
export async function readClaudeUsage(job: Job, cacheFile: string, home = os.homedir(), known?: UsageCache): Promise<UsageCache | undefined> {
	return readUsage('claude', job, cacheFile, home, known);
}
