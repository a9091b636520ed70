import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {AoError, errorMessage} from '../errors.js';

/**
 * Everything ao says to git goes through here. Queries run git directly: simple-git waits an extra 50 ms after
 * every command that prints nothing (its completion plugin), which most of ao's queries are, and its import costs
 * ~40 ms. simple-git makes and removes worktrees, loaded only then.
 */

class GitFailed extends Error {}

function runGit(dir: string, args: string[], env?: Record<string, string>): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile('git', args, {cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: env ? {...process.env, ...env} : process.env}, (error, stdout, stderr) => {
			if (!error) resolve(stdout);
			else if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dir)) reject(new GitFailed(`${dir} does not exist`));
			else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new AoError('git is not installed; install it (apt-get install git, brew install git) and try again'));
			else reject(new GitFailed(`${stderr}\n${stdout}`));
		});
	});
}

/** The line of git's output that says what went wrong ("fatal: ..."), else its last line. */
function gitProblem(error: unknown): string {
	const lines = errorMessage(error).split('\n').map(line => line.trim()).filter(Boolean);
	return lines.find(line => /^(fatal|error):/.test(line)) ?? lines.at(-1) ?? 'git failed';
}

function failure(dir: string, args: string[], error: unknown): AoError {
	return error instanceof AoError ? error : new AoError(`git ${args[0]} in ${dir}: ${gitProblem(error)}`);
}

/** git's exit code and output, for commands whose non-zero exit is an answer (merge-tree: 1 means conflicts). */
export function gitStatus(dir: string, args: string[], env?: Record<string, string>): Promise<{code: number; stdout: string; stderr: string}> {
	return new Promise((resolve, reject) => {
		execFile('git', args, {cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: env ? {...process.env, ...env} : process.env}, (error, stdout, stderr) => {
			const code = (error as {code?: unknown} | null)?.code;
			if (!error) resolve({code: 0, stdout, stderr});
			else if (typeof code === 'number') resolve({code, stdout, stderr});
			else reject(failure(dir, args, error));
		});
	});
}

/** git's output; a failure is an AoError saying what git said. */
export async function raw(dir: string, args: string[], env?: Record<string, string>): Promise<string> {
	try {
		return await runGit(dir, args, env);
	} catch (error) {
		throw failure(dir, args, error);
	}
}

export async function succeeds(dir: string, args: string[]): Promise<boolean> {
	try {
		await runGit(dir, args);
		return true;
	} catch (error) {
		if (error instanceof AoError) throw error;
		return false;
	}
}

/** worktree add/remove through simple-git, judged by exit code (by default it calls a quiet failure a success). */
async function simpleGitRaw(dir: string, args: string[]): Promise<void> {
	const {simpleGit} = await import('simple-git');
	const git = simpleGit({
		baseDir: dir,
		errors(error, result) {
			if (error) return error;
			return result.exitCode === 0 ? undefined : Buffer.concat([...result.stdErr, ...result.stdOut]);
		},
	});
	try {
		await git.raw(args);
	} catch (error) {
		throw failure(dir, args, error);
	}
}

export async function gitVersion(): Promise<string> {
	return (await raw(process.cwd(), ['--version'])).trim();
}

/** The top of the checkout that holds `dir`, or undefined outside a git repository. */
export async function repoRoot(dir: string): Promise<string | undefined> {
	if (!existsSync(dir)) return undefined;
	try {
		return (await runGit(dir, ['rev-parse', '--show-toplevel'])).trim() || undefined;
	} catch (error) {
		if (error instanceof AoError) throw error;
		return undefined;
	}
}

export async function hasCommits(repo: string): Promise<boolean> {
	return succeeds(repo, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
}

export async function branchExists(repo: string, branch: string): Promise<boolean> {
	return succeeds(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
}

export async function isValidBranchName(repo: string, branch: string): Promise<boolean> {
	return succeeds(repo, ['check-ref-format', '--branch', branch]);
}

/** `git status --porcelain` lines: changed, staged and untracked files (not ignored ones). */
export async function uncommittedChanges(dir: string): Promise<string[]> {
	// No optional locks: ao looks while agents commit, and a status that refreshes the index would hold its lock.
	const output = await raw(dir, ['--no-optional-locks', 'status', '--porcelain=v1', '--untracked-files=all']);
	return output.split('\n').filter(line => line.trim() !== '');
}

/**
 * What `dir`'s work looks like now, for telling whether it changed: one `git status` with the commit HEAD points at
 * and the changed and untracked paths. The caller adds file times: a file edited again keeps its status line.
 */
export async function worktreeState(dir: string): Promise<{status: string; paths: string[]}> {
	const status = await raw(dir, ['--no-optional-locks', 'status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all']);
	return {status, paths: statusPaths(status)};
}

/** The paths in `git status --porcelain=v2 -z` output (a rename's new path; its old one follows it). Pure. */
export function statusPaths(output: string): string[] {
	const records = output.split('\0');
	const paths: string[] = [];
	for (let index = 0; index < records.length; index++) {
		const record = records[index]!;
		const fields = record.split(' ');
		if (record.startsWith('1 ')) paths.push(fields.slice(8).join(' '));
		else if (record.startsWith('2 ')) {
			paths.push(fields.slice(9).join(' '));
			index++;
		} else if (record.startsWith('u ')) paths.push(fields.slice(10).join(' '));
		else if (record.startsWith('? ')) paths.push(record.slice(2));
	}

	return paths;
}

/** Commits on HEAD of `dir` that no other branch or remote-tracking branch has (they live only in this worktree). */
export async function unsharedCommits(dir: string, ownBranch: string | undefined): Promise<string[]> {
	// --exclude patterns are relative to refs/heads/ when they precede --branches.
	const exclude = ownBranch ? [`--exclude=${ownBranch}`] : [];
	const output = await raw(dir, ['log', '--format=%h %s', 'HEAD', '--not', ...exclude, '--branches', '--remotes']);
	return output.split('\n').filter(line => line.trim() !== '');
}

/** Creates a worktree at `dir` on a new `branch` from the main checkout's HEAD, or on an existing branch. */
export async function addWorktree(repo: string, dir: string, branch: string, existingBranch: boolean): Promise<void> {
	await simpleGitRaw(repo, existingBranch ? ['worktree', 'add', dir, branch] : ['worktree', 'add', '-b', branch, dir, 'HEAD']);
}

export async function removeWorktree(repo: string, dir: string): Promise<void> {
	if (existsSync(dir)) await simpleGitRaw(repo, ['worktree', 'remove', '--force', '--force', dir]);
	await raw(repo, ['worktree', 'prune']);
}

export async function deleteBranch(repo: string, branch: string): Promise<void> {
	if (await branchExists(repo, branch)) await raw(repo, ['branch', '-D', branch]);
}

/** Brings the main checkout's uncommitted work (tracked changes and untracked files) into a new worktree. */
export async function carryChanges(repo: string, worktree: string): Promise<number> {
	const patch = await raw(repo, ['diff', '--binary', 'HEAD']);
	if (patch.trim() !== '') {
		const patchFile = path.join(os.tmpdir(), `ao-carry-${process.pid}-${Date.now()}.patch`);
		await fs.writeFile(patchFile, patch, {mode: 0o600});
		try {
			await raw(worktree, ['apply', '--binary', '--whitespace=nowarn', patchFile]);
		} finally {
			await fs.rm(patchFile, {force: true});
		}
	}

	const untracked = (await raw(repo, ['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
	for (const file of untracked) {
		await fs.mkdir(path.dirname(path.join(worktree, file)), {recursive: true});
		await fs.cp(path.join(repo, file), path.join(worktree, file), {recursive: true, verbatimSymlinks: true});
	}

	return (await uncommittedChanges(worktree)).length;
}

/** Ignored files of the repo that its .worktreeinclude (gitignore syntax) asks to copy into new worktrees. */
export async function worktreeIncludeFiles(repo: string): Promise<string[]> {
	const includeFile = path.join(repo, '.worktreeinclude');
	if (!existsSync(includeFile)) return [];
	const matching = (await raw(repo, ['ls-files', '-z', '--others', '--ignored', `--exclude-from=${includeFile}`])).split('\0').filter(Boolean);
	const ignored = new Set((await raw(repo, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard'])).split('\0').filter(Boolean));
	return matching.filter(file => ignored.has(file));
}

/** The committer to use where the user set none (a fresh box): git would refuse to commit. */
export async function identityEnv(dir: string): Promise<Record<string, string>> {
	const configured = await succeeds(dir, ['config', 'user.email']);
	return configured ? {} : {GIT_AUTHOR_NAME: 'ao', GIT_AUTHOR_EMAIL: 'ao@localhost', GIT_COMMITTER_NAME: 'ao', GIT_COMMITTER_EMAIL: 'ao@localhost'};
}

/**
 * One commit holding everything in the worktree, its commits and uncommitted files alike, on top of its HEAD; no ref
 * points at it, and the worktree and its index are left as they were (a private index file is used).
 */
export async function snapshotCommit(dir: string, message: string): Promise<string> {
	const gitDir = (await raw(dir, ['rev-parse', '--absolute-git-dir'])).trim();
	const indexFile = path.join(gitDir, `ao-snapshot-${process.pid}-${Math.random().toString(36).slice(2)}.index`);
	const env = {...(await identityEnv(dir)), GIT_INDEX_FILE: indexFile};
	try {
		await raw(dir, ['read-tree', 'HEAD'], env);
		await raw(dir, ['add', '--all', '--', '.'], env);
		const tree = (await raw(dir, ['write-tree'], env)).trim();
		return (await raw(dir, ['commit-tree', tree, '-p', 'HEAD', '-m', message], env)).trim();
	} finally {
		await fs.rm(indexFile, {force: true});
	}
}

/** Saves everything in the worktree as one commit on top of its HEAD and points `ref` at it (see snapshotCommit). */
export async function archiveWorktree(dir: string, ref: string, message: string): Promise<string> {
	const commit = await snapshotCommit(dir, message);
	await raw(dir, ['update-ref', ref, commit]);
	return commit;
}

/** Stages `files` and commits them (used by the demo agent); returns the short hash. */
export async function commitFiles(dir: string, files: string[], message: string): Promise<string> {
	const env = await identityEnv(dir);
	await raw(dir, ['add', '--', ...files], env);
	await raw(dir, ['commit', '--quiet', '-m', message, '--', ...files], env);
	return (await raw(dir, ['rev-parse', '--short', 'HEAD'])).trim();
}

export async function restoreFile(dir: string, file: string): Promise<void> {
	const tracked = await succeeds(dir, ['ls-files', '--error-unmatch', '--', file]);
	if (tracked) await raw(dir, ['checkout', '--', file]);
	else await fs.rm(path.join(dir, file), {force: true});
}

/** A new repository at `dir` holding `files`, with one commit (the demo's scratch project). */
export async function initRepo(dir: string, files: Record<string, string>): Promise<void> {
	for (const [file, content] of Object.entries(files)) {
		await fs.mkdir(path.dirname(path.join(dir, file)), {recursive: true});
		await fs.writeFile(path.join(dir, file), content);
	}

	await raw(dir, ['init', '--quiet']);
	await commitFiles(dir, Object.keys(files), 'initial commit');
}

/**
 * `git diff --stat` of a worktree against its HEAD, how many untracked files it has, and, last, the commits only its
 * branch has: an agent that committed its work shows that work, not "no changes".
 */
export async function diffStat(dir: string, ownBranch?: string): Promise<string> {
	const [stat, untracked, commits] = await Promise.all([
		raw(dir, ['-c', 'color.ui=never', 'diff', '--stat=60', 'HEAD']),
		raw(dir, ['ls-files', '--others', '--exclude-standard']),
		unsharedCommits(dir, ownBranch),
	]);
	const files = untracked.split('\n').filter(Boolean).length;
	const committed = commits.length === 0 ? '' : ` ${commits.length} commit${commits.length === 1 ? '' : 's'} only on this branch, last: ${commits[0]}`;
	return [stat.trimEnd(), files > 0 ? ` ${files} untracked file${files === 1 ? '' : 's'}` : '', committed].filter(Boolean).join('\n') || ' no changes';
}
