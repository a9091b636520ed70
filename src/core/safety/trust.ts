import {createHash} from 'node:crypto';
import fs from 'node:fs/promises';
import {ensurePrivateDir, writeFileAtomic} from '../processes/atomic-file.js';
import {StatePaths} from '../paths.js';

interface TrustStore {
	files: Record<string, string>;
	/** Directory -> permission modes accepted there (auto, bypass). */
	modes: Record<string, string[]>;
}

export function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

async function readStore(paths: StatePaths): Promise<TrustStore> {
	try {
		const parsed = JSON.parse(await fs.readFile(paths.trustFile, 'utf8')) as Partial<TrustStore>;
		return {
			files: typeof parsed.files === 'object' && parsed.files ? parsed.files : {},
			modes: typeof parsed.modes === 'object' && parsed.modes ? parsed.modes : {},
		};
	} catch {
		return {files: {}, modes: {}};
	}
}

/** Whether this exact content of a repo config file was approved with `ao trust`. */
export async function isTrusted(paths: StatePaths, file: string, content: string): Promise<boolean> {
	const store = await readStore(paths);
	return store.files[file] === sha256(content);
}

export async function trustFile(paths: StatePaths, file: string, content: string): Promise<void> {
	await ensurePrivateDir(paths.home);
	const store = await readStore(paths);
	store.files[file] = sha256(content);
	await writeFileAtomic(paths.trustFile, JSON.stringify(store, null, 2) + '\n');
}

/** Whether `mode` was accepted for `dir` (exactly that directory: a repository's top, or where ao ran). */
export async function isModeTrusted(paths: StatePaths, dir: string, mode: string): Promise<boolean> {
	return (await readStore(paths)).modes[dir]?.includes(mode) ?? false;
}

export async function trustMode(paths: StatePaths, dir: string, mode: string): Promise<void> {
	await ensurePrivateDir(paths.home);
	const store = await readStore(paths);
	store.modes[dir] = [...new Set([...(store.modes[dir] ?? []), mode])];
	await writeFileAtomic(paths.trustFile, JSON.stringify(store, null, 2) + '\n');
}
