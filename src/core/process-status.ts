import {readFileSync} from 'node:fs';

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

/** Whether `pid` has exited but was not reaped yet (Linux; false elsewhere or when unknown). */
export function isZombie(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
	} catch {
		return false;
	}
}
