import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Creates `dir` (and parents) private to the user. */
export async function ensurePrivateDir(dir: string): Promise<void> {
	await fs.mkdir(dir, {recursive: true, mode: 0o700});
}

/**
 * Writes `file` so that a reader sees either the old content or the new, never half of it: a temp file beside it,
 * flushed, then renamed over. On failure (a full disk) the temp file is removed and the old content stays.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
	const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
	let handle: fs.FileHandle | undefined;
	try {
		handle = await fs.open(temp, 'wx', 0o600);
		await handle.writeFile(data);
		await handle.sync();
		await handle.close();
		handle = undefined;
		await fs.rename(temp, file);
	} catch (error) {
		await handle?.close().catch(() => undefined);
		await fs.rm(temp, {force: true});
		throw error;
	}
}
