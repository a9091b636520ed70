import {AoError} from '../errors.js';
import {gitStatus, identityEnv, raw, succeeds} from './git.js';

/**
 * What ao asks git when a job's work is reviewed and landed: what changed since it branched, whether it merges, and
 * the merge itself. Every call runs in a directory given by the caller (the main checkout or the job's worktree).
 */

/** The branch `dir` has checked out, or undefined on a detached HEAD. */
export async function currentBranch(dir: string): Promise<string | undefined> {
	const {code, stdout} = await gitStatus(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
	return code === 0 ? stdout.trim() || undefined : undefined;
}

/** The commit `ref` names, or undefined when it names none. */
export async function resolveCommit(dir: string, ref: string): Promise<string | undefined> {
	const {code, stdout} = await gitStatus(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
	return code === 0 ? stdout.trim() : undefined;
}

export async function mergeBase(dir: string, a: string, b: string): Promise<string | undefined> {
	const {code, stdout} = await gitStatus(dir, ['merge-base', a, b]);
	return code === 0 ? stdout.trim() : undefined;
}

/** Paths that differ between two commits. */
export async function changedFiles(dir: string, from: string, to: string): Promise<string[]> {
	return (await raw(dir, ['diff', '--name-only', '-z', '--no-renames', from, to])).split('\0').filter(Boolean);
}

/** Lines added and removed between two commits (a binary file counts as a changed file with no lines). */
export async function lineCounts(dir: string, from: string, to: string): Promise<{files: number; added: number; removed: number}> {
	const rows = (await raw(dir, ['diff', '--numstat', '--no-renames', from, to])).split('\n').filter(Boolean);
	let added = 0;
	let removed = 0;
	for (const row of rows) {
		const [plus, minus] = row.split('\t');
		added += Number(plus) || 0;
		removed += Number(minus) || 0;
	}

	return {files: rows.length, added, removed};
}

/** "1a2b3c4 subject" for each commit on `to` that `from` does not have, newest first. */
export async function commitsBetween(dir: string, from: string, to: string): Promise<string[]> {
	return (await raw(dir, ['log', '--format=%h %s', `${from}..${to}`])).split('\n').filter(Boolean);
}

export async function countCommits(dir: string, from: string, to: string): Promise<number> {
	return Number((await raw(dir, ['rev-list', '--count', `${from}..${to}`])).trim());
}

/**
 * Whether `ours` and `theirs` merge cleanly, and the files that would conflict: `git merge-tree --write-tree`, which
 * touches no working tree, index or ref (git 2.38 and later).
 */
export async function mergeTree(dir: string, ours: string, theirs: string): Promise<{clean: boolean; files: string[]}> {
	const {code, stdout, stderr} = await gitStatus(dir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs]);
	if (code === 129) throw new AoError('this git has no merge-tree --write-tree, which ao uses to see conflicts before a merge; upgrade git to 2.38 or later');
	if (code > 1) throw new AoError(`git merge-tree in ${dir}: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`);
	const [, ...files] = stdout.split('\0').filter(Boolean);
	return {clean: code === 0, files: [...new Set(files)]};
}

/** Whether "git version 2.39.5" has `merge-tree --write-tree` (2.38 and later). Pure. */
export function hasMergeTreeWriteTree(version: string): boolean {
	const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
	return major > 2 || (major === 2 && minor >= 38);
}

/** The diff between two commits, with git's colours or without, whole or as a stat. */
export async function diffText(dir: string, from: string, to: string, options: {stat?: boolean; color?: boolean}): Promise<string> {
	return raw(dir, ['-c', `color.ui=${options.color ? 'always' : 'never'}`, 'diff', ...(options.stat ? ['--stat'] : []), from, to]);
}

/** The pager git would use here (core.pager, GIT_PAGER, PAGER, else less). */
export async function pagerCommand(dir: string): Promise<string> {
	const {code, stdout} = await gitStatus(dir, ['var', 'GIT_PAGER']);
	return code === 0 ? stdout.trim() : 'less';
}

/** Commits every change in the worktree, untracked files too; returns the short hash. */
export async function commitAll(dir: string, message: string): Promise<string> {
	const env = await identityEnv(dir);
	await raw(dir, ['add', '--all', '--', '.'], env);
	await raw(dir, ['commit', '--quiet', '--no-verify', '-m', message], env);
	return (await raw(dir, ['rev-parse', '--short', 'HEAD'])).trim();
}

export type MergeHow = 'merge' | 'squash' | 'ff-only';

/**
 * Merges `branch` into what `repo` has checked out. A merge that fails part way is aborted, so the checkout is as it
 * was; the error carries git's own words.
 */
export async function mergeBranch(repo: string, branch: string, how: MergeHow, message: string): Promise<void> {
	const env = await identityEnv(repo);
	const args = how === 'squash' ? ['merge', '--squash', branch]
		: how === 'ff-only' ? ['merge', '--ff-only', branch]
			: ['merge', '--no-edit', '-m', message, branch];
	const merged = await gitStatus(repo, args, env);
	if (merged.code === 0 && how === 'squash') {
		const committed = await gitStatus(repo, ['commit', '--quiet', '-m', message], env);
		if (committed.code === 0) return;
		await gitStatus(repo, ['reset', '--merge']);
		throw new AoError(`git commit of the squashed merge failed: ${firstLine(committed.stderr || committed.stdout)}`);
	}

	if (merged.code === 0) return;
	// A merge that stopped half-way leaves MERGE_HEAD; a squash leaves its changes staged: both go back.
	if (await succeeds(repo, ['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'])) await gitStatus(repo, ['merge', '--abort']);
	else if (how === 'squash') await gitStatus(repo, ['reset', '--merge']);
	throw new AoError(`git merge failed and was undone: ${firstLine(merged.stderr || merged.stdout)}`);
}

/** Rebases the worktree's branch onto `base`; a rebase that stops on a conflict is aborted, and false returned. */
export async function rebaseOnto(dir: string, base: string): Promise<boolean> {
	const rebased = await gitStatus(dir, ['rebase', '--quiet', base], await identityEnv(dir));
	if (rebased.code === 0) return true;
	await gitStatus(dir, ['rebase', '--abort']);
	return false;
}

/** The remote a branch pushes to: its upstream's, else origin, else the only remote; undefined with none. */
export async function remoteFor(dir: string, branch: string | undefined): Promise<string | undefined> {
	if (branch) {
		const {code, stdout} = await gitStatus(dir, ['config', '--get', `branch.${branch}.remote`]);
		if (code === 0 && stdout.trim()) return stdout.trim();
	}

	const remotes = (await raw(dir, ['remote'])).split('\n').filter(Boolean);
	return remotes.includes('origin') ? 'origin' : remotes.length === 1 ? remotes[0] : undefined;
}

export async function pushBranch(dir: string, remote: string, branch: string): Promise<void> {
	const pushed = await gitStatus(dir, ['push', '--quiet', '--set-upstream', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
	if (pushed.code !== 0) throw new AoError(`git push of ${branch} to ${remote} failed: ${firstLine(pushed.stderr || pushed.stdout)}`);
}

/** Fetches pull request `number` (the `pull/N/head` ref GitHub, Gitea and Forgejo serve) into a new `branch`. */
export async function fetchPullRequest(repo: string, remote: string, number: number, branch: string): Promise<void> {
	const fetched = await gitStatus(repo, ['fetch', '--quiet', remote, `refs/pull/${number}/head:refs/heads/${branch}`]);
	if (fetched.code !== 0) throw new AoError(`cannot fetch pull request #${number} from ${remote}: ${firstLine(fetched.stderr || fetched.stdout)}`);
}

/** Where `branch` is checked out, if in some worktree of the repository. */
export async function worktreeOfBranch(repo: string, branch: string): Promise<string | undefined> {
	const records = (await raw(repo, ['worktree', 'list', '--porcelain'])).split('\n\n');
	for (const record of records) {
		const dir = /^worktree (.*)$/m.exec(record)?.[1];
		if (dir && record.includes(`\nbranch refs/heads/${branch}`)) return dir;
	}

	return undefined;
}

function firstLine(text: string): string {
	const lines = text.split('\n').map(line => line.trim()).filter(Boolean);
	return lines.find(line => /^(fatal|error):/.test(line)) ?? lines[0] ?? 'no output';
}

/** The URL of `remote` in the repository at `dir`, if it has one. */
export async function remoteUrl(dir: string, remote = 'origin'): Promise<string | undefined> {
	const {code, stdout} = await gitStatus(dir, ['remote', 'get-url', remote]);
	return code === 0 ? stdout.trim() || undefined : undefined;
}
