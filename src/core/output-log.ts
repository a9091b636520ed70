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
export async function lastOutputLine(file: string, tailBytes = 4096): Promise<string> {
	let handle: fs.FileHandle | undefined;
	try {
		handle = await fs.open(file, 'r');
		const {size} = await handle.stat();
		const length = Math.min(size, tailBytes);
		const buffer = Buffer.alloc(length);
		await handle.read(buffer, 0, length, size - length);
		const lines = plainText(buffer.toString('utf8')).split('\n');
		return lines.reverse().find(line => line.trim() !== '')?.trim() ?? '';
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
