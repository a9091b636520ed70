import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {Config} from '../config/config-schema.js';
import {AoError} from '../errors.js';
import * as git from './git.js';
import {ensurePrivateDir} from '../processes/atomic-file.js';
import {withLock} from '../processes/lock.js';
import {expandHome, StatePaths} from '../paths.js';

/**
 * Runs `work` holding the repository's lock: git fails a `worktree add` or `remove` that meets another one half done.
 * Dispatches queue on it one `git worktree add` at a time, so it waits up to two minutes (20 dispatches on a loaded
 * machine outlasted 30 s); a holder that died is noticed at once.
 */
export async function withRepoLock<T>(paths: StatePaths, repo: string, work: () => Promise<T>): Promise<T> {
	await ensurePrivateDir(path.dirname(paths.repoLock(repo)));
	return withLock(paths.repoLock(repo), work, 120_000);
}

/** Fills the worktree.root template. Pure. */
export function worktreePath(template: string, values: {repo: string; name: string; id: string}): string {
	const filled = template.replaceAll(/\{(repo|repoName|name|id)\}/g, (_, key: string) => (key === 'repoName' ? path.basename(values.repo) : values[key as 'repo' | 'name' | 'id']));
	return path.resolve(values.repo, expandHome(filled));
}

/** A path from worktree.copy / worktree.link, if it stays inside the repo. Pure. */
export function insideRepo(repo: string, entry: string): string | undefined {
	const resolved = path.resolve(repo, entry);
	const relative = path.relative(repo, resolved);
	const escapes = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
	return relative && !escapes ? relative : undefined;
}

/**
 * Fills a new worktree with what the agent needs besides the tracked files: worktree.copy and .worktreeinclude
 * files copied, worktree.link entries symlinked. Returns warnings for entries it had to skip.
 */
export async function provisionWorktree(config: Config, repo: string, worktree: string): Promise<string[]> {
	const warnings: string[] = [];
	const copies = [...config.worktree.copy, ...(await git.worktreeIncludeFiles(repo))];
	for (const [entries, link] of [[copies, false], [config.worktree.link, true]] as const) {
		for (const entry of new Set(entries)) {
			const relative = insideRepo(repo, entry);
			if (!relative) {
				warnings.push(`worktree.${link ? 'link' : 'copy'} entry ${JSON.stringify(entry)} is outside the repository; skipped`);
				continue;
			}

			const source = path.join(repo, relative);
			const target = path.join(worktree, relative);
			if (!existsSync(source)) continue;
			await fs.mkdir(path.dirname(target), {recursive: true});
			if (link) {
				if (!existsSync(target)) await fs.symlink(source, target);
			} else {
				await fs.cp(source, target, {recursive: true, verbatimSymlinks: true});
			}
		}
	}

	return warnings;
}

/** Runs worktree.setup in the new worktree; a failure is an error carrying the end of its output. */
export async function runSetup(command: string, worktree: string, env: NodeJS.ProcessEnv): Promise<void> {
	const {execa} = await import('execa');
	const result = await execa(command, {shell: true, cwd: worktree, env, all: true, reject: false, stdin: 'ignore'});
	if (result.failed) {
		const tail = String(result.all ?? '').trim().split('\n').slice(-1)[0] ?? '';
		throw new AoError(`worktree.setup "${command}" failed (${result.exitCode === undefined ? result.shortMessage : `exit ${result.exitCode}`})${tail ? `: ${tail}` : ''}`);
	}
}
