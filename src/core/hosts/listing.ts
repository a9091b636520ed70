import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import type {Config} from '../config/config-schema.js';
import type {MinutePairs} from '../cost/cost.js';
import type {JobView} from '../jobs/list.js';
import type {HostJob, HostListing} from './words.js';
import type {StatePaths} from '../paths.js';
import {writeFileAtomic} from '../processes/atomic-file.js';
import {thisBuild} from '../supervisor/build.js';
import {runOnHost, sshProblem} from './remote.js';
import {listArgs} from './ssh.js';

export type {HostJob, HostListing} from './words.js';

interface Cached {
	at: string;
	jobs: HostJob[];
	unreachableSince?: string;
}

/** Where the last answer of each host is kept, so a host that goes away keeps its jobs, marked stale. */
export function hostCacheFile(paths: StatePaths, host: string): string {
	return path.join(paths.home, 'hosts', `${host}.json`);
}

function readCache(paths: StatePaths, host: string): Cached | undefined {
	try {
		return JSON.parse(readFileSync(hostCacheFile(paths, host), 'utf8')) as Cached;
	} catch {
		return undefined;
	}
}

async function writeCache(paths: StatePaths, host: string, cached: Cached): Promise<void> {
	const file = hostCacheFile(paths, host);
	if (!existsSync(path.dirname(file))) mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	await writeFileAtomic(file, JSON.stringify(cached)).catch(() => undefined);
}

/** Reads `ao list --json --envelope`: {ao: version, jobs, usage}; undefined when it is not that (another ao). Pure. */
export function readListAnswer(stdout: string): {version: string; jobs: JobView[]; usage?: HostListing['usage']} | undefined {
	try {
		const value = JSON.parse(stdout) as {ao?: unknown; jobs?: unknown; usage?: {minutes?: unknown; burnRate?: unknown}};
		if (typeof value.ao !== 'string' || !Array.isArray(value.jobs)) return undefined;
		const {usage} = value;
		const pairs = Array.isArray(usage?.minutes) && usage.minutes.every(pair => Array.isArray(pair) && pair.length === 2 && pair.every(Number.isFinite));
		return {
			version: value.ao, jobs: value.jobs as JobView[],
			...(pairs && typeof usage?.burnRate === 'number' ? {usage: {minutes: usage.minutes as MinutePairs, burnRate: usage.burnRate}} : {}),
		};
	} catch {
		return undefined;
	}
}

async function listHost(paths: StatePaths, config: Config, name: string, env: NodeJS.ProcessEnv, all: boolean): Promise<HostListing> {
	const host = config.hosts[name]!;
	const result = await runOnHost(paths, host, listArgs(all), env, 15_000);
	const cached = readCache(paths, name);
	const now = new Date().toISOString();
	if (result.exitCode === 255 || result.exitCode === undefined || result.missing) {
		const since = cached?.unreachableSince ?? now;
		if (cached) await writeCache(paths, name, {...cached, unreachableSince: since});
		return {host: name, status: 'unreachable', jobs: (cached?.jobs ?? []).map(job => ({...job, stale: true})), at: cached?.at, since, problem: result.missing ? 'ssh is not installed' : sshProblem(result)};
	}

	const answer = readListAnswer(result.stdout);
	const ours = thisBuild().version;
	if (answer?.version !== ours) {
		// An ao that cannot answer the envelope is older than it: ask it its version, for the line that says so.
		const asked = answer ? undefined : await runOnHost(paths, host, {line: `${host.ao ?? 'ao'} --version`}, env, 15_000);
		const version = answer?.version ?? (asked?.exitCode === 0 ? asked.stdout.trim() : '');
		const theirs = /^\d+\.\d+\.\d+/.test(version) ? `ao ${version}` : `no ao that answers (${sshProblem({stderr: asked?.stderr || result.stderr || result.stdout, exitCode: result.exitCode})})`;
		return {host: name, status: 'mismatch', jobs: [], problem: `runs ${theirs}, and this is ao ${ours}; put this ao there (ao host install ${name}) or set hosts.${name}.ao to the ao it should run`};
	}

	const jobs = answer.jobs.map(job => ({...job, host: name}));
	await writeCache(paths, name, {at: now, jobs});
	return {host: name, status: 'up', jobs, at: now, ...(answer.usage ? {usage: answer.usage} : {})};
}

/** Every configured host's jobs, asked in parallel (one ssh round trip each over its multiplexed connection). */
export async function listHosts(paths: StatePaths, config: Config, env: NodeJS.ProcessEnv, options: {all?: boolean} = {}): Promise<HostListing[]> {
	return Promise.all(Object.keys(config.hosts).map(async name => listHost(paths, config, name, env, Boolean(options.all))));
}
