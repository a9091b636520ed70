/**
 * Everything ao reads about processes: the process table, the trees below agent panes, exit statuses of zombies,
 * the limits the tmux server's children inherit, and what each agent's tree takes (CPU, memory, files, watches).
 * On Linux from /proc; elsewhere from ps and sysctl. The one module that parses /proc.
 */
import {execFile, execFileSync, spawn} from 'node:child_process';
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';

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

export interface ExitStatus {
	exitCode?: number;
	signal?: number;
}

/** Decodes a wait(2) status word as Linux reports it in /proc/<pid>/stat. Pure. */
export function decodeWaitStatus(raw: number): ExitStatus {
	const signal = raw & 0x7F;
	return signal === 0 ? {exitCode: (raw >> 8) & 0xFF} : {signal};
}

/**
 * The exit status of a process that has exited but was not reaped yet (a zombie), read from /proc on Linux.
 * tmux 3.3a sometimes never reaps a pane's process (seen about once in 30 fast exits), so its pane stays dead with
 * no pane_dead_status; the kernel still knows the status. Undefined when the process is not a zombie, or not on Linux.
 */
export function zombieExitStatus(pid: number): ExitStatus | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
		// fields[0] is field 3 (state); the exit code is field 52 (Linux 3.5+).
		if (fields[0] !== 'Z' || fields.length < 50) return undefined;
		return decodeWaitStatus(Number(fields[49]));
	} catch {
		return undefined;
	}
}

/**
 * When `pid` started, in clock ticks after boot (field 22 of /proc/<pid>/stat): with the pid, it names one process
 * (a pid is given again to a new process once the old one is gone). Undefined where there is no /proc.
 */
export function processStartTime(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
		return Number.isInteger(started) ? started : undefined;
	} catch {
		return undefined;
	}
}

/** Whether `pid` has exited but was not reaped yet (Linux; false elsewhere or when unknown). */
export function isZombie(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
	} catch {
		return false;
	}
}

/** The limits an agent started by the ao server inherits. Undefined where the platform does not tell. */
export interface Limits {
	nofile?: number;
	nproc?: number;
	inotify?: number;
	memAvailableMb?: number;
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


/** What one agent's process tree takes right now. */
export interface TreeUsage {
	/** CPU of the whole tree, in percent of one core (200 = two cores busy). */
	cpuPercent: number;
	rssBytes: number;
	processes: number;
	/** Open file descriptors of the tree (Linux; undefined elsewhere). */
	openFiles?: number;
	/** inotify watches the tree holds (Linux; undefined elsewhere). */
	inotifyWatches?: number;
}

/** Open descriptors of `pid`, and the inotify watches among them (from /proc/PID/fdinfo). Linux only. */
function descriptorsOf(pid: number): {openFiles: number; inotifyWatches: number} | undefined {
	let fds: string[];
	try {
		fds = readdirSync(`/proc/${pid}/fd`);
	} catch {
		return undefined;
	}

	let inotifyWatches = 0;
	for (const fd of fds) {
		try {
			if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
			inotifyWatches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter(line => line.startsWith('inotify wd:')).length;
		} catch {
			// Closed meanwhile.
		}
	}

	return {openFiles: fds.length, inotifyWatches};
}

/**
 * CPU (pidusage: the share since its last look at the same pid, so a long-lived caller such as the supervisor gets
 * the current rate), memory, processes, open files and inotify watches of the tree below each root. Processes that
 * end meanwhile are left out.
 */
export async function measureTrees(roots: Map<string, number>, table = processTable()): Promise<Map<string, TreeUsage>> {
	const {default: pidusage} = await import('pidusage');
	const result = new Map<string, TreeUsage>();
	for (const [key, root] of roots) {
		const pids = descendants(root, table).filter(pid => table.has(pid));
		const stats = await Promise.all(pids.map(pid => pidusage(pid).catch(() => undefined)));
		const usage: TreeUsage = {cpuPercent: 0, rssBytes: 0, processes: 0};
		for (const [index, stat] of stats.entries()) {
			if (!stat) continue;
			usage.cpuPercent += stat.cpu;
			usage.rssBytes += stat.memory;
			usage.processes++;
			const descriptors = process.platform === 'linux' ? descriptorsOf(pids[index]!) : undefined;
			if (descriptors) {
				usage.openFiles = (usage.openFiles ?? 0) + descriptors.openFiles;
				usage.inotifyWatches = (usage.inotifyWatches ?? 0) + descriptors.inotifyWatches;
			}
		}

		usage.cpuPercent = Math.round(usage.cpuPercent * 10) / 10;
		result.set(key, usage);
	}

	return result;
}

/** Runs a system program (loginctl, systemctl) in the C locale; its stdout, or undefined when it failed or is missing. */
export function runQuietly(program: string, args: string[], timeoutMs = 3000): Promise<string | undefined> {
	return new Promise(resolve => {
		execFile(program, args, {encoding: 'utf8', timeout: timeoutMs, env: {...process.env, LC_ALL: 'C'}}, (error, stdout) => resolve(error ? undefined : stdout));
	});
}

/**
 * Runs the user's shell command line (notify.command) with `input` on its stdin and `env` added, killed after
 * `timeoutMs`; resolves when it ends, whatever its status (a notification that fails must not stop the supervisor).
 */
export function runShellCommand(command: string, input: string, env: Record<string, string>, timeoutMs = 10_000): Promise<void> {
	return new Promise<void>(resolve => {
		const child = spawn(command, {shell: true, stdio: ['pipe', 'ignore', 'ignore'], env: {...process.env, ...env}});
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', () => resolve());
		child.on('close', () => {
			clearTimeout(timer);
			resolve();
		});
		child.stdin.on('error', () => undefined);
		child.stdin.end(input);
	});
}

export interface ProgramResult {
	/** The exit code; undefined when the program could not start (not installed) or was killed. */
	exitCode?: number;
	stdout: string;
	stderr: string;
	/** The program is not installed (ENOENT). */
	missing?: boolean;
}

/**
 * Runs a program (a forge's CLI, review.pre_merge through `sh -c`) in `cwd` with `env` over ao's, its stdin closed;
 * resolves with what it printed, whatever its exit.
 */
export function runProgram(program: string, args: string[], options: {cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number; stdio?: 'ignore'}): Promise<ProgramResult> {
	if (options.stdio === 'ignore') {
		// Nothing of ours for it to hold: a program that leaves a process behind (ssh -f) cannot keep a pipe open.
		return new Promise(resolve => {
			const child = spawn(program, args, {cwd: options.cwd, stdio: 'ignore', env: {...process.env, ...options.env}, timeout: options.timeoutMs});
			child.on('error', () => resolve({stdout: '', stderr: '', missing: true}));
			child.on('exit', code => resolve({exitCode: code ?? undefined, stdout: '', stderr: ''}));
		});
	}

	return new Promise(resolve => {
		const child = execFile(program, args, {cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 0, env: {...process.env, ...options.env}}, (error, stdout, stderr) => {
			const code = (error as {code?: unknown} | null)?.code;
			resolve({exitCode: error ? (typeof code === 'number' ? code : undefined) : 0, stdout, stderr, missing: code === 'ENOENT'});
		});
		child.stdin?.end();
	});
}

/** Shows `text` through `pager` (a shell command line, as git's core.pager) on this terminal; `cat` writes it out. */
export function pageText(pager: string, text: string): Promise<void> {
	if (!pager.trim() || pager.trim() === 'cat') {
		process.stdout.write(text);
		return Promise.resolve();
	}

	return new Promise<void>(resolve => {
		// What git sets for its pager: quit when it fits one screen, keep colours, leave the text on screen.
		const child = spawn(pager, {shell: true, stdio: ['pipe', 'inherit', 'inherit'], env: {LESS: 'FRX', LV: '-c', ...process.env}});
		child.on('error', () => {
			process.stdout.write(text);
			resolve();
		});
		child.on('close', () => resolve());
		child.stdin.on('error', () => undefined);
		child.stdin.end(text);
	});
}

/** Runs a program on this terminal (stdin, stdout and stderr its own); resolves with its exit code (127: not found). */
export function runInTerminal(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
	return new Promise(resolve => {
		const child = spawn(program, args, {stdio: 'inherit', env});
		child.on('error', () => resolve(127));
		child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
	});
}
