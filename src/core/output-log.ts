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
export function lastOutputLine(file: string): string {
	let fd: number | undefined;
	try {
		// Sync on purpose: one small read, ten times faster than the async round trip (see JobStore.readNow).
		fd = openSync(file, 'r');
		const {size} = fstatSync(fd);
		// The last 1 KB nearly always holds the last line; only a screen of blank lines or escape codes needs more.
		for (const tailBytes of [1024, 16_384]) {
			const length = Math.min(size, tailBytes);
			const buffer = Buffer.alloc(length);
			readSync(fd, buffer, 0, length, size - length);
			const lines = plainText(buffer.toString('utf8')).split('\n');
			// A slice that starts mid-file may start mid-line or mid-escape-code: its first line is not trusted.
			if (length < size) lines.shift();
			const line = lines.reverse().find(text => text.trim() !== '');
			if (line !== undefined || length === size) return line?.trim() ?? '';
		}

		return '';
	} catch {
		return '';
	} finally {
		if (fd !== undefined) closeSync(fd);
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
