import {closeSync, fstatSync, openSync, readSync} from 'node:fs';
import fs from 'node:fs/promises';
import {stripVTControlCharacters} from 'node:util';

/**
 * Turns what a terminal program printed into plain text: colours and cursor codes dropped, a carriage return
 * overwrites its line as on screen, other control characters dropped. Pure.
 */
export function plainText(raw: string): string {
	return stripVTControlCharacters(raw.replaceAll(oscSequence, ''))
		.replaceAll('\r\n', '\n')
		.split('\n')
		.map(line => overwrite(line.split('\r')))
		.join('\n')
		.replaceAll(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '');
}

/** Operating system commands (window titles, hyperlinks), which Node's stripVTControlCharacters misses when they hold spaces. */
const oscSequence = /\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/g;

/** What a line shows after each carriage return let the next part overwrite it from the left. Pure. */
function overwrite(parts: string[]): string {
	return parts.reduce((shown, part) => part + [...shown].slice([...part].length).join(''), '');
}

/** The last line of a job's output that has something on it, as plain text ('' when none). */
/** The last non-blank line of the end of a file, or undefined when `tail` (ending at `size`) has none. Pure. */
function lastLineOf(tail: Buffer, size: number): string | undefined {
	const lines = plainText(tail.toString('utf8')).split('\n');
	// A slice that starts mid-file may start mid-line or mid-escape-code: its first line is not trusted.
	if (tail.length < size) lines.shift();
	return lines.reverse().find(text => text.trim() !== '')?.trim();
}

// The last 1 KB nearly always holds the last line; only a screen of blank lines or escape codes needs more.
const tailSizes = [1024, 16_384];

export function lastOutputLine(file: string): string {
	let fd: number | undefined;
	try {
		// Sync on purpose: one small read, ten times faster than the async round trip (see JobStore.readNow).
		fd = openSync(file, 'r');
		const {size} = fstatSync(fd);
		for (const tailBytes of tailSizes) {
			const buffer = Buffer.alloc(Math.min(size, tailBytes));
			readSync(fd, buffer, 0, buffer.length, size - buffer.length);
			const line = lastLineOf(buffer, size);
			if (line !== undefined || buffer.length === size) return line ?? '';
		}

		return '';
	} catch {
		return '';
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** The same without blocking, for the dashboard. */
export async function lastOutputLineLater(file: string): Promise<string> {
	let handle: fs.FileHandle | undefined;
	try {
		handle = await fs.open(file, 'r');
		const {size} = await handle.stat();
		for (const tailBytes of tailSizes) {
			const buffer = Buffer.alloc(Math.min(size, tailBytes));
			await handle.read(buffer, 0, buffer.length, size - buffer.length);
			const line = lastLineOf(buffer, size);
			if (line !== undefined || buffer.length === size) return line ?? '';
		}

		return '';
	} catch {
		return '';
	} finally {
		await handle?.close();
	}
}

/**
 * Keeps a log under `maxBytes`: its content moves to <file>.1 (replacing the older one) and the log starts again.
 * tmux appends with O_APPEND, so it goes on writing at the new end. Returns whether it rotated.
 */
export async function rotateIfLarge(file: string, maxBytes: number): Promise<boolean> {
	try {
		const {size} = await fs.stat(file);
		if (size <= maxBytes) return false;
		await fs.copyFile(file, `${file}.1`);
		await fs.truncate(file, 0);
		return true;
	} catch {
		return false;
	}
}

/** The last `lines` lines of a job's output log as plain text (colours and control codes taken out), read from its end. */
export async function logTail(file: string, lines: number, maxBytes = 200_000): Promise<string> {
	const text = await fs.readFile(file, 'utf8').catch(() => '');
	return plainText(text.slice(-maxBytes)).split('\n').slice(-lines).join('\n');
}
