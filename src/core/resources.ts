import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import type {Config} from './config-schema.js';

/** The limits an agent started by the ao server inherits. Undefined where the platform does not tell. */
export interface Limits {
	nofile?: number;
	nproc?: number;
	inotify?: number;
	memAvailableMb?: number;
}

export interface ResourceCheck {
	name: string;
	ok: boolean;
	/** One line: the limit, the numbers and the fix. */
	detail: string;
}

/** The soft limit of a row of /proc/<pid>/limits ("Max open files  1024  1048576  files"). Pure. */
export function parseProcLimit(text: string, row: string): number | undefined {
	const line = text.split('\n').find(candidate => candidate.startsWith(row));
	const soft = line?.slice(row.length).trim().split(/\s+/)[0];
	if (soft === undefined) return undefined;
	return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

function readNumber(file: string, pattern?: RegExp): number | undefined {
	try {
		const text = readFileSync(file, 'utf8');
		const value = pattern ? pattern.exec(text)?.[1] : text.trim();
		return value === undefined ? undefined : Number(value);
	} catch {
		return undefined;
	}
}

function sysctl(names: string[]): Promise<string[]> {
	return new Promise(resolve => {
		execFile('sysctl', ['-n', ...names], {encoding: 'utf8'}, (error, stdout) => resolve(error ? [] : stdout.trim().split('\n')));
	});
}

/** Reads the limits of the tmux server process (Linux: /proc; macOS: sysctl and launchctl). */
export async function readLimits(serverPid: number | undefined): Promise<Limits> {
	if (process.platform === 'linux') {
		const limits = serverPid ? (() => {
			try {
				return readFileSync(`/proc/${serverPid}/limits`, 'utf8');
			} catch {
				return '';
			}
		})() : '';
		const memKb = readNumber('/proc/meminfo', /MemAvailable:\s+(\d+) kB/);
		return {
			nofile: parseProcLimit(limits, 'Max open files'),
			nproc: parseProcLimit(limits, 'Max processes'),
			inotify: readNumber('/proc/sys/fs/inotify/max_user_watches'),
			memAvailableMb: memKb === undefined ? undefined : Math.floor(memKb / 1024),
		};
	}

	if (process.platform === 'darwin') {
		const [files, procs] = await sysctl(['kern.maxfilesperproc', 'kern.maxproc']);
		const launchctl = await new Promise<string>(resolve => {
			execFile('launchctl', ['limit', 'maxfiles'], {encoding: 'utf8'}, (error, stdout) => resolve(error ? '' : stdout));
		});
		const soft = /maxfiles\s+(\d+|unlimited)/.exec(launchctl)?.[1];
		const nofile = soft === undefined ? (files ? Number(files) : undefined) : soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
		return {nofile, nproc: procs ? Number(procs) : undefined};
	}

	return {};
}

/**
 * Whether `agents` agents fit in the limits: each limit against the per-agent need times the agents (memory: the
 * free memory against one more agent). Skipped when the platform does not tell or the per-agent value is 0. Pure.
 */
export function checkResources(limits: Limits, perAgent: Config['limits'], agents: number): ResourceCheck[] {
	const checks: ResourceCheck[] = [];
	const restart = 'before the ao server starts, then "ao server restart"';
	const add = (name: string, have: number | undefined, each: number, fix: (need: number) => string, what = `${agents} agent${agents === 1 ? '' : 's'} x ${each}`) => {
		if (have === undefined || each === 0) return;
		const need = name === 'free memory' ? each : each * agents;
		const shown = have === Number.POSITIVE_INFINITY ? 'unlimited' : String(have);
		checks.push(have >= need
			? {name, ok: true, detail: `${name}: ${shown} >= ${need} (${what})`}
			: {name, ok: false, detail: `${name}: ${fix(need)}`});
	};

	add('open files', limits.nofile, perAgent.per_agent_nofile, need => `soft limit ${limits.nofile} < needed ${need}; raise it with "ulimit -n ${Math.max(65_536, need * 2)}" ${restart}`);
	add('processes', limits.nproc, perAgent.per_agent_procs, need => `soft limit ${limits.nproc} < needed ${need}; raise it with "ulimit -u ${Math.max(8192, need * 2)}" ${restart}`);
	add('inotify watches', limits.inotify, perAgent.per_agent_inotify, need => `fs.inotify.max_user_watches ${limits.inotify} < needed ${need}; raise it with "sudo sysctl fs.inotify.max_user_watches=${Math.max(524_288, need * 2)}"`);
	add('free memory', limits.memAvailableMb, perAgent.per_agent_mem_mb, need => `${limits.memAvailableMb} MB available < ${need} MB for one more agent; close something, or lower limits.per_agent_mem_mb`, 'one more agent');
	return checks;
}
