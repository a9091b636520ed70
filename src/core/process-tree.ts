import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';

export interface ProcessInfo {
	pid: number;
	ppid: number;
	/** R running, S sleeping, T stopped, Z zombie... */
	state: string;
	/** CPU time used so far (user + system), in seconds. */
	cpuSeconds: number;
}

/** Linux's clock ticks per second for /proc times; 100 on every Linux ao runs on. */
const ticksPerSecond = 100;

function fromProc(): Map<number, ProcessInfo> {
	const table = new Map<number, ProcessInfo>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// Fields after the command (which may hold spaces and parentheses): 3 state, 4 ppid, ... 14 utime, 15 stime.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			table.set(Number(entry), {pid: Number(entry), ppid: Number(fields[1]), state: fields[0]!, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond});
		} catch {
			// The process ended while the table was read.
		}
	}

	return table;
}

/** "1-02:03:04", "02:03.45", "12:34" (ps TIME) -> seconds. Pure. */
export function parsePsTime(text: string): number {
	const [days, rest] = text.includes('-') ? text.split('-') as [string, string] : ['0', text];
	return Number(days) * 86_400 + rest.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
}

function fromPs(): Map<number, ProcessInfo> {
	const table = new Map<number, ProcessInfo>();
	const text = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,time='], {encoding: 'utf8'});
	for (const line of text.split('\n')) {
		const [pid, ppid, state, time] = line.trim().split(/\s+/);
		if (pid && ppid && state && time) table.set(Number(pid), {pid: Number(pid), ppid: Number(ppid), state: state[0]!, cpuSeconds: parsePsTime(time)});
	}

	return table;
}

/** Every process on the machine: one /proc scan on Linux, one `ps` elsewhere. */
export function processTable(): Map<number, ProcessInfo> {
	return process.platform === 'linux' ? fromProc() : fromPs();
}

/** `root` and every process below it. Pure. */
export function descendants(root: number, table: Map<number, ProcessInfo>): number[] {
	const children = new Map<number, number[]>();
	for (const info of table.values()) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info.pid]);
	const found: number[] = [];
	const queue = [root];
	while (queue.length > 0) {
		const pid = queue.shift()!;
		if (found.includes(pid)) continue;
		found.push(pid);
		queue.push(...(children.get(pid) ?? []));
	}

	return found;
}

/** Sends `signal` to every process below `root`, and to `root` too unless `below`; returns how many got it. */
export function signalTree(root: number, signal: NodeJS.Signals, options: {below?: boolean} = {}, table = processTable()): number {
	let sent = 0;
	for (const pid of descendants(root, table).slice(options.below ? 1 : 0)) {
		try {
			process.kill(pid, signal);
			sent++;
		} catch {
			// Gone meanwhile.
		}
	}

	return sent;
}

/** CPU seconds used by `root` and everything below it, and whether one of them is ready to run (R) right now. Pure. */
export function treeCpuUse(root: number, table: Map<number, ProcessInfo>): {seconds: number; runnable: boolean} {
	const pids = descendants(root, table);
	return {
		seconds: pids.reduce((sum, pid) => sum + (table.get(pid)?.cpuSeconds ?? 0), 0),
		runnable: pids.some(pid => table.get(pid)?.state === 'R'),
	};
}
