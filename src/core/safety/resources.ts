import type {Config} from '../config/config-schema.js';
import {readFileSync} from 'node:fs';
import {writeFileAtomic} from '../processes/atomic-file.js';
import type {StatePaths} from '../paths.js';
import type {Limits, TreeUsage} from '../processes/processes.js';

export interface ResourceCheck {
	name: string;
	ok: boolean;
	/** One line: the limit, the numbers and the fix. */
	detail: string;
}

/**
 * What running agents were measured to take (the supervisor's resources.json): what they hold together now, and
 * what one agent of the preset about to start takes (the most any running one of that preset does).
 */
export interface Measured {
	agents: number;
	inUse: {nofile: number; nproc: number; inotify: number};
	perAgent?: {memMb: number; nofile: number; nproc: number; inotify: number};
	preset: string;
}

/** The measurements of the running jobs, or undefined when some running job has none yet. Pure. */
export function measuredNeeds(snapshot: ResourceSnapshot | undefined, running: Array<{id: string; agent: string}>, agent: string): Measured | undefined {
	if (!snapshot || running.length === 0) return undefined;
	const usages = running.map(job => ({job, usage: snapshot.jobs[job.id]}));
	if (usages.some(({usage}) => !usage)) return undefined;
	const sum = (pick: (usage: TreeUsage) => number | undefined) => usages.reduce((total, {usage}) => total + (pick(usage!) ?? 0), 0);
	const same = usages.filter(({job}) => job.agent === agent).map(({usage}) => usage!);
	const most = (pick: (usage: TreeUsage) => number | undefined) => Math.max(0, ...same.map(usage => pick(usage) ?? 0));
	return {
		agents: running.length,
		inUse: {nofile: sum(usage => usage.openFiles), nproc: sum(usage => usage.processes), inotify: sum(usage => usage.inotifyWatches)},
		preset: agent,
		...(same.length > 0 ? {perAgent: {memMb: Math.ceil(most(usage => usage.rssBytes) / 1024 / 1024), nofile: most(usage => usage.openFiles), nproc: most(usage => usage.processes), inotify: most(usage => usage.inotifyWatches)}} : {}),
	};
}

/**
 * Whether `agents` agents fit in the limits: each limit against what they need (memory: the free memory against one
 * more agent). Without measurements, the per-agent values times the agents; with them (see Measured), what the
 * running agents really hold plus one more agent (as measured for its preset, else the per-agent value). Skipped
 * when the platform does not tell or the per-agent value is 0. Pure.
 */
export function checkResources(limits: Limits, perAgent: Config['limits'], agents: number, measured?: Measured): ResourceCheck[] {
	const checks: ResourceCheck[] = [];
	const restart = 'before the ao server starts, then "ao server restart"';
	const plural = (count: number) => `${count} agent${count === 1 ? '' : 's'}`;
	/** `configured` 0 turns the check off; `each` is what one more agent takes (measured, else configured). */
	const add = (name: string, have: number | undefined, configured: number, each: number, held: number | undefined, fix: (need: number) => string) => {
		if (have === undefined || configured === 0) return;
		const need = held === undefined ? each * agents : held + each;
		const what = held === undefined ? `${plural(agents)} x ${each}` : `${held} held by ${plural(measured!.agents)} running + ${each} for one more`;
		const shown = have === Number.POSITIVE_INFINITY ? 'unlimited' : String(have);
		checks.push(have >= need
			? {name, ok: true, detail: `${name}: ${shown} >= ${need} (${what})`}
			: {name, ok: false, detail: `${name}: ${fix(need)}`});
	};

	const one = measured?.perAgent;
	add('open files', limits.nofile, perAgent.per_agent_nofile, one?.nofile || perAgent.per_agent_nofile, measured?.inUse.nofile, need => `soft limit ${limits.nofile} < needed ${need}; raise it with "ulimit -n ${Math.max(65_536, need * 2)}" ${restart}`);
	add('processes', limits.nproc, perAgent.per_agent_procs, one?.nproc || perAgent.per_agent_procs, measured?.inUse.nproc, need => `soft limit ${limits.nproc} < needed ${need}; raise it with "ulimit -u ${Math.max(8192, need * 2)}" ${restart}`);
	// A preset whose agents were seen holding no watches needs none for one more: the configured guess is for the unknown.
	add('inotify watches', limits.inotify, perAgent.per_agent_inotify, one ? one.inotify : perAgent.per_agent_inotify, measured?.inUse.inotify, need => `fs.inotify.max_user_watches ${limits.inotify} < needed ${need}; raise it with "sudo sysctl fs.inotify.max_user_watches=${Math.max(524_288, need * 2)}"`);
	const memory = one?.memMb || perAgent.per_agent_mem_mb;
	if (limits.memAvailableMb !== undefined && perAgent.per_agent_mem_mb !== 0) {
		const what = one?.memMb ? `one more ${measured!.preset} agent, as measured` : 'one more agent';
		checks.push(limits.memAvailableMb >= memory
			? {name: 'free memory', ok: true, detail: `free memory: ${limits.memAvailableMb} >= ${memory} (${what})`}
			: {name: 'free memory', ok: false, detail: `free memory: ${limits.memAvailableMb} MB available < ${memory} MB for ${what}; close something${one?.memMb ? '' : ', or lower limits.per_agent_mem_mb'}`});
	}

	return checks;
}

/** What the supervisor measured of each live agent's process tree, for list, dashboard and the resource checks. */
export interface ResourceSnapshot {
	at: string;
	jobs: Record<string, TreeUsage>;
}

/** Measurements older than this are not believed (the supervisor writes every few seconds while agents run). */
export const snapshotMaxAgeMs = 60_000;

export function readResourceSnapshot(paths: StatePaths): ResourceSnapshot | undefined {
	try {
		const snapshot = JSON.parse(readFileSync(paths.resourcesFile, 'utf8')) as ResourceSnapshot;
		return Date.now() - Date.parse(snapshot.at) < snapshotMaxAgeMs ? snapshot : undefined;
	} catch {
		return undefined;
	}
}

export async function writeResourceSnapshot(paths: StatePaths, snapshot: ResourceSnapshot): Promise<void> {
	await writeFileAtomic(paths.resourcesFile, JSON.stringify(snapshot));
}
