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
		// A failed write through a file handle names no file; say which one it was.
		(error as NodeJS.ErrnoException).path ??= file;
		throw error;
	}
}

/**
 * Creates `file` holding `content` only if it does not exist yet; false if it does. The content is complete the
 * moment the file appears (written aside, then hard-linked into place), so a reader never sees it empty.
 */
export async function createExclusive(file: string, content: string): Promise<boolean> {
	const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
	await fs.writeFile(temp, content, {mode: 0o600}).catch(async (error: NodeJS.ErrnoException) => {
		await fs.rm(temp, {force: true});
		error.path ??= file;
		throw error;
	});
	try {
		await fs.link(temp, file);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	} finally {
		await fs.rm(temp, {force: true});
	}
}
