import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import type {Document, Node} from 'yaml';
import {ensurePrivateDir, writeFileAtomic} from '../processes/atomic-file.js';
import type {SchemaProblem} from './config-check.js';
import {isProgramKey, mergeConfig, type Config} from './config-schema.js';
import {UsageError} from '../errors.js';
import {defaultConfigFile, repoConfigName, StatePaths, tildify, userConfigFile} from '../paths.js';
import {isTrusted} from '../safety/trust.js';

export type ConfigRole = 'defaults' | 'user' | 'repo';

export interface ConfigSource {
	file: string;
	role: ConfigRole;
	/** A repo file whose program-running keys were dropped because it is not trusted. */
	untrusted?: boolean;
}

export interface LoadedConfig {
	config: Config;
	sources: ConfigSource[];
	/** Keys of an untrusted .ao.yaml that were ignored (`worktree.setup`, `agents.x.command`). */
	skipped: string[];
}

interface ParsedFile {
	file: string;
	value: Record<string, unknown>;
	lineOf: (keyPath: string[], keyLine?: boolean) => number;
}

function configError(file: string, line: number, message: string): UsageError {
	return new UsageError(`config error: ${tildify(file)}:${line}: ${message}`);
}

let checkerModule: typeof import('./config-check.js') | undefined;

/** The schema checker, with the agents and guard rules it checks names against: only for files not seen before. */
async function checker(): Promise<typeof import('./config-check.js')> {
	checkerModule ??= await import('./config-check.js');
	return checkerModule;
}

type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;

/** The YAML parser, loaded on first use: it costs ~35 ms to load, and a config file read before is taken from the cache. */
function yaml(): YamlModule {
	yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule;
	return yamlModule;
}

function parseConfigFile(file: string, text: string): ParsedFile {
	const {LineCounter, parseDocument} = yaml();
	const lineCounter = new LineCounter();
	const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true});
	const firstError = doc.errors[0];
	if (firstError) {
		const line = lineCounter.linePos(firstError.pos[0]).line;
		throw configError(file, line, `YAML syntax error: ${firstError.message.split('\n')[0]}`);
	}

	const lineOf = (keyPath: string[], keyLine = false): number => lineOfKey(doc, lineCounter, keyPath, keyLine);
	const value: unknown = doc.toJS() ?? {};
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw configError(file, 1, 'the file must be a map of keys (like "agent:" and "worktree:")');
	}

	return {file, value: value as Record<string, unknown>, lineOf};
}

function lineOfKey(doc: Document, lineCounter: InstanceType<YamlModule['LineCounter']>, keyPath: string[], keyLine: boolean): number {
	const {isMap, isScalar} = yaml();
	let node: unknown = doc.contents;
	let line = 1;
	for (const [index, key] of keyPath.entries()) {
		if (!isMap(node)) break;
		const pair = node.items.find(item => isScalar(item.key) && String(item.key.value) === key);
		if (!pair) break;
		const last = index === keyPath.length - 1;
		const target = (last && keyLine) || !pair.value ? pair.key : pair.value;
		const range = (target as Node | null)?.range;
		if (range) line = lineCounter.linePos(range[0]).line;
		node = pair.value;
	}

	return line;
}

function throwFirst(parsed: ParsedFile, problems: SchemaProblem[]): void {
	const problem = problems[0];
	if (problem) throw configError(parsed.file, parsed.lineOf(problem.path, problem.unknownKey), problem.message);
}

/** Drops the keys that run programs, returning what was dropped. */
function withoutProgramKeys(value: Record<string, unknown>): {value: Record<string, unknown>; dropped: string[]} {
	const dropped: string[] = [];
	const strip = (node: unknown, at: string[]): unknown => {
		if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
		const out: Record<string, unknown> = {};
		for (const [key, child] of Object.entries(node)) {
			const keyPath = [...at, key];
			if (isProgramKey(keyPath)) {
				if (child !== '' && child !== undefined) dropped.push(keyPath.join('.'));
				continue;
			}

			out[key] = strip(child, keyPath);
		}

		return out;
	};

	return {value: strip(value, []) as Record<string, unknown>, dropped};
}

/** The repository config that applies to `cwd`: the nearest .ao.yaml up to the repository's top. */
export function findRepoConfig(cwd: string): string | undefined {
	let dir = path.resolve(cwd);
	for (;;) {
		const candidate = path.join(dir, repoConfigName);
		if (existsSync(candidate)) return candidate;
		if (existsSync(path.join(dir, '.git'))) return undefined;
		const parent = path.dirname(dir);
		if (parent === dir) return undefined;
		dir = parent;
	}
}

/** Config files as parsed before, by sha256 of path and content: YAML is parsed once per version of a file. */
type ParseCache = Record<string, Record<string, unknown>>;

function parseCacheFile(paths: StatePaths): string {
	return path.join(paths.home, 'cache', 'config.json');
}

async function readParseCache(paths: StatePaths): Promise<ParseCache> {
	return fs.readFile(parseCacheFile(paths), 'utf8').then(text => JSON.parse(text) as ParseCache, () => ({}));
}

/** Keeps the files just used plus a few others (a user switching between repositories), never a growing pile. */
async function writeParseCache(paths: StatePaths, all: ParseCache, used: ParseCache): Promise<void> {
	const kept = Object.fromEntries([...Object.entries(used), ...Object.entries(all).filter(([key]) => !used[key]).slice(-16)]);
	try {
		await ensurePrivateDir(path.dirname(parseCacheFile(paths)));
		await writeFileAtomic(parseCacheFile(paths), JSON.stringify(kept));
	} catch {
		// A cache that cannot be written costs a YAML parse next time, nothing more.
	}
}

export interface LoadOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	paths?: StatePaths;
}

/** Only the shipped defaults: what the supervisor runs on when the user's config is broken. */
export function loadDefaults(): Config {
	return parseConfigFile(defaultConfigFile, readFileSync(defaultConfigFile, 'utf8')).value as unknown as Config;
}

/** Reads, validates and merges the defaults, the user's config and the repo's .ao.yaml. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
	const env = options.env ?? process.env;
	const paths = options.paths ?? new StatePaths();
	const sources: ConfigSource[] = [{file: defaultConfigFile, role: 'defaults'}];
	const userFile = userConfigFile(env);
	if (env.AO_CONFIG && !existsSync(userFile)) {
		throw new UsageError(`config error: AO_CONFIG points at ${tildify(userFile)}, which does not exist; create it or unset AO_CONFIG`);
	}

	if (existsSync(userFile)) sources.push({file: userFile, role: 'user'});
	const repoFile = findRepoConfig(options.cwd ?? process.cwd());
	if (repoFile) sources.push({file: repoFile, role: 'repo'});

	let merged: unknown = {};
	const parsedFiles: ParsedFile[] = [];
	const skipped: string[] = [];
	const cache = await readParseCache(paths);
	const used: ParseCache = {};
	for (const source of sources) {
		const text = readFileSync(source.file, 'utf8');
		const key = createHash('sha256').update(source.file).update('\0').update(text).digest('hex');
		const cached = cache[key];
		// A file seen before, byte for byte, was valid then and is valid now: its value comes from the cache.
		const parsed: ParsedFile = cached ? {file: source.file, value: structuredClone(cached), lineOf: keyPath => parseConfigFile(source.file, text).lineOf(keyPath)} : parseConfigFile(source.file, text);
		if (!cached) throwFirst(parsed, (await checker()).validateConfigValue(parsed.value));
		used[key] = cached ?? structuredClone(parsed.value);
		let {value} = parsed;
		if (source.role === 'repo' && !(await isTrusted(paths, source.file, text))) {
			const stripped = withoutProgramKeys(value);
			value = stripped.value;
			if (stripped.dropped.length > 0) {
				source.untrusted = true;
				skipped.push(...stripped.dropped);
			}
		}

		merged = mergeConfig(merged, value);
		parsedFiles.push(parsed);
	}

	const config = merged as Config;
	// A preset that only an untrusted repo file defines lost its command above: it is skipped as a whole.
	for (const key of skipped) {
		const preset = /^agents\.([^.]+)\.command$/.exec(key)?.[1];
		if (preset && Object.hasOwn(config.agents, preset) && !config.agents[preset]!.command) delete config.agents[preset];
	}

	// The checks of the merged result depend on every file and on which were trusted: one cache entry for that mix.
	const mergedKey = `merged:${createHash('sha256').update(JSON.stringify([Object.keys(used), skipped])).digest('hex')}`;
	if (!cache[mergedKey]) {
		const problem = (await checker()).validateMerged(config)[0];
		if (problem) {
			const sets = (parsed: ParsedFile) => problem.path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], parsed.value) !== undefined;
			const owner = parsedFiles.findLast(sets) ?? parsedFiles.at(-1)!;
			throwFirst(owner, [problem]);
		}

		used[mergedKey] = {};
	}

	if (Object.keys(used).some(key => !cache[key])) await writeParseCache(paths, {...cache, ...used}, used);

	return {config, sources, skipped};
}
