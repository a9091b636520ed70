import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {dispatchJson, useSandbox, waitFor, type AoSandbox, type JobJson} from './helpers/ao.js';

// Review and land with real git: ao diff, ao merge (and what it refuses), ao pr through review.pr_command against a
// local bare remote, the pull request watch, and the conflict forecast between parallel agents.

const readme = 'line one\nline two\nline three\n';

interface ReviewJob extends JobJson {
	conflicts?: Array<{with: string; files: string[]}>;
	behind?: number;
	changes?: {files: number; added: number; removed: number; commits: number};
	pr?: {url: string; number?: number; state: string; failing?: string[]};
}

async function setUp(sandbox: AoSandbox, review = ''): Promise<void> {
	await sandbox.initRepo({'README.md': readme, 'src/a.ts': 'export const a = 1;\n'});
	await fs.appendFile(sandbox.configFile, `review:\n  forecast_s: 1\n${review}`);
}

/** A job whose "agent" sleeps; the test plays the agent by editing its worktree. */
async function sleeper(sandbox: AoSandbox, name: string): Promise<JobJson> {
	return dispatchJson(sandbox, ['--name', name, '--', 'sleep', '600']);
}

async function edit(file: string, from: string, to: string): Promise<void> {
	await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(from, to));
}

async function commitIn(sandbox: AoSandbox, dir: string, message: string): Promise<void> {
	await sandbox.git(['add', '-A'], dir);
	await sandbox.git(['commit', '-q', '-m', message], dir);
}

async function job(sandbox: AoSandbox, id: string): Promise<ReviewJob> {
	return (await sandbox.aoJson<ReviewJob[]>(['list', '--all'])).find(candidate => candidate.id === id)!;
}

/** Everything a merge could change in the repository: refs, the main checkout's and the worktree's status, HEADs. */
async function repositoryState(sandbox: AoSandbox, worktree: string): Promise<string> {
	const parts = await Promise.all([
		sandbox.git(['for-each-ref', '--format=%(refname) %(objectname)']),
		sandbox.git(['status', '--porcelain=v2', '--branch', '--untracked-files=all']),
		sandbox.git(['status', '--porcelain=v2', '--branch', '--untracked-files=all'], worktree),
		fs.readFile(path.join(sandbox.repo, 'README.md'), 'utf8'),
		fs.readFile(path.join(worktree, 'README.md'), 'utf8'),
		sandbox.git(['stash', 'list']),
	]);
	return parts.join('\n---\n');
}

test('ao diff shows the commits, the uncommitted and the untracked files since the job branched, and leaves the worktree as it was', async t => {
	const sandbox = useSandbox(t);
	await setUp(sandbox);
	const one = await sleeper(sandbox, 'one');
	await edit(path.join(one.worktree, 'README.md'), 'line two', 'line TWO');
	await commitIn(sandbox, one.worktree, 'shout line two');
	await edit(path.join(one.worktree, 'src/a.ts'), '1', '2');
	await fs.writeFile(path.join(one.worktree, 'notes.txt'), 'new file\n');
	const before = await sandbox.git(['status', '--porcelain=v2'], one.worktree);
	const diff = await sandbox.ao(['diff', 'one']);
	t.is(diff.exitCode, 0, diff.stderr);
	const lines = diff.stdout.split('\n');
	t.is(lines[0], 'one (ao/one) against main: 1 commit, 2 uncommitted files (untracked ones included)');
	t.regex(lines[1]!, /^ {2}[0-9a-f]{7,} shout line two$/);
	t.true(diff.stdout.includes('-line two\n+line TWO\n'));
	t.true(diff.stdout.includes('-export const a = 1;\n+export const a = 2;'));
	t.true(diff.stdout.includes('+++ b/notes.txt\n@@ -0,0 +1 @@\n+new file'));
	t.false(diff.stdout.includes('\u001B['), 'piped: no colour');
	t.is(await sandbox.git(['status', '--porcelain=v2'], one.worktree), before);
	const stat = await sandbox.ao(['diff', 'one', '--stat']);
	t.regex(stat.stdout, / README\.md \| 2 \+-\n notes\.txt \| 1 \+\n src\/a\.ts {2}\| 2 \+-\n 3 files changed/);
	const bad = await sandbox.ao(['diff', 'one', '--base', 'nosuch']);
	t.is(bad.exitCode, 2);
	t.regex(bad.stderr, /^ao: "nosuch" names no branch or commit in .*; give another with --base$/);
});

test('ao merge lands the work on the branch it was dispatched from, cleans up, and ao rm needs no --force', async t => {
	const sandbox = useSandbox(t);
	await setUp(sandbox);
	await sandbox.git(['checkout', '-q', '-b', 'dev']);
	const one = await sleeper(sandbox, 'one');
	t.is((one as ReviewJob & {base?: string}).base, 'dev');
	await edit(path.join(one.worktree, 'README.md'), 'line two', 'line TWO');
	await commitIn(sandbox, one.worktree, 'shout line two');
	const merged = await sandbox.ao(['merge', 'one']);
	t.is(merged.exitCode, 0, merged.stderr);
	const head = (await sandbox.git(['rev-parse', '--short', 'dev'])).trim();
	t.is(merged.stdout, `one: merged into dev as ${head}; its worktree, window and branch are gone (ao list --all shows the job)`);
	t.is(await fs.readFile(path.join(sandbox.repo, 'README.md'), 'utf8'), 'line one\nline TWO\nline three\n');
	t.false(existsSync(one.worktree));
	t.is((await sandbox.git(['branch', '--list', 'ao/one'])).trim(), '');
	const after = await job(sandbox, one.id);
	t.is(after.state, 'completed');
	t.is(after.reason, `merged into dev as ${head}`);
	t.regex((await sandbox.ao(['list', '--all'])).stdout, new RegExp(`${one.id} +one .* completed .* merged into dev as ${head}`));
	const removed = await sandbox.ao(['rm', 'one']);
	t.is(removed.exitCode, 0, removed.stderr);
	t.is(removed.stdout, `removed ${one.id} (one)`);
});

test('ao merge refuses uncommitted work (unless --commit), a main checkout on another branch or with touched files, and a failing review.pre_merge', async t => {
	const sandbox = useSandbox(t);
	await setUp(sandbox, '  pre_merge: "test -f ok-to-merge"\n');
	const one = await sleeper(sandbox, 'one');
	const unchanged = await sandbox.ao(['merge', 'one']);
	t.is(unchanged.exitCode, 1);
	t.is(unchanged.stderr, 'ao: one changed nothing since it left main (no commits, no uncommitted files); nothing to merge');
	await edit(path.join(one.worktree, 'README.md'), 'line two', 'line TWO');
	const state = await repositoryState(sandbox, one.worktree);
	const uncommitted = await sandbox.ao(['merge', 'one']);
	t.is(uncommitted.exitCode, 1);
	t.regex(uncommitted.stderr, /^ao: one has 1 uncommitted file in .*, which a merge would leave behind; commit them, or merge with --commit \(commits them as "one"\)\n {3}M README\.md$/);
	const preMerge = await sandbox.ao(['merge', 'one', '--commit']);
	t.is(preMerge.exitCode, 1);
	t.regex(preMerge.stderr, /^ao: review\.pre_merge "test -f ok-to-merge" failed in .* \(exit 1\); nothing was merged$/);
	t.is(await repositoryState(sandbox, one.worktree), state, 'nothing changed, nothing committed');
	await fs.writeFile(path.join(one.worktree, 'ok-to-merge'), '');
	await sandbox.git(['checkout', '-q', '-b', 'elsewhere']);
	const otherBranch = await sandbox.ao(['merge', 'one', '--commit']);
	t.is(otherBranch.exitCode, 1);
	t.regex(otherBranch.stderr, /^ao: the main checkout .* is on elsewhere, not main; switch it \(git -C .* switch main\), or land on elsewhere with: ao merge one --into elsewhere$/);
	await sandbox.git(['checkout', '-q', 'main']);
	await edit(path.join(sandbox.repo, 'README.md'), 'line three', 'line 3 (mine)');
	const touched = await sandbox.ao(['merge', 'one', '--commit']);
	t.is(touched.exitCode, 1);
	t.regex(touched.stderr, /^ao: the main checkout .* has uncommitted changes to a file this merge changes \(README\.md\); commit or stash them/);
	await sandbox.git(['checkout', '--', 'README.md']);
	const merged = await sandbox.ao(['merge', 'one', '--commit', '--squash']);
	t.is(merged.exitCode, 0, merged.stderr);
	t.regex(merged.stdout, /^committed the uncommitted work of one as [0-9a-f]+\none: squash-merged into main as [0-9a-f]+; /);
	t.is((await sandbox.git(['log', '-1', '--format=%s'])).trim(), 'one');
	t.is(await fs.readFile(path.join(sandbox.repo, 'README.md'), 'utf8'), 'line one\nline TWO\nline three\n');
});

test('a merge that would conflict changes nothing, says which files, and --ask-agent tells the agent; after the agent rebases it merges', async t => {
	const sandbox = useSandbox(t);
	await setUp(sandbox);
	const one = await dispatchJson(sandbox, ['--name', 'one', '--', 'sh', '-c', 'while read line; do echo "$line" >> ../told.txt; done']);
	await edit(path.join(one.worktree, 'README.md'), 'line two', 'line 2 by one');
	await commitIn(sandbox, one.worktree, 'one edits line two');
	await edit(path.join(sandbox.repo, 'README.md'), 'line two', 'line 2 on main');
	await commitIn(sandbox, sandbox.repo, 'main edits line two');
	const before = await repositoryState(sandbox, one.worktree);
	const merged = await sandbox.ao(['merge', 'one']);
	t.is(merged.exitCode, 1);
	t.is(merged.stderr, 'ao: conflicts with main: README.md; nothing was changed. To have the agent rebase onto main and resolve them: ao merge one --ask-agent (A in the dashboard)');
	t.is(await repositoryState(sandbox, one.worktree), before, 'refs, status and files as before, byte for byte');
	t.deepEqual((await job(sandbox, one.id)).conflicts, [{with: 'main', files: ['README.md']}]);
	t.regex((await sandbox.ao(['list'])).stdout, /one .*conflicts with main: README\.md · base \+1/);
	const asked = await sandbox.ao(['merge', 'one', '--ask-agent']);
	t.is(asked.exitCode, 0, asked.stderr);
	t.is(asked.stdout, 'told one to rebase onto main and resolve the conflicts in README.md; ao merge one once it is ready');
	const told = await waitFor('the agent to be told', async () => fs.readFile(path.join(path.dirname(one.worktree), 'told.txt'), 'utf8').catch(() => ''));
	t.regex(told, /^Please rebase your branch onto main \(git rebase main\) and resolve the conflicts, .* The files that conflict: README\.md\. Commit when done/);
	// The agent does as told.
	await sandbox.git(['rebase', '-q', 'main'], one.worktree).catch(() => undefined);
	await fs.writeFile(path.join(one.worktree, 'README.md'), 'line one\nline 2 on main, and by one\nline three\n');
	await sandbox.git(['add', 'README.md'], one.worktree);
	await sandbox.git(['-c', 'core.editor=true', 'rebase', '--continue'], one.worktree);
	const landed = await sandbox.ao(['merge', 'one']);
	t.is(landed.exitCode, 0, landed.stderr);
	t.is(await fs.readFile(path.join(sandbox.repo, 'README.md'), 'utf8'), 'line one\nline 2 on main, and by one\nline three\n');
});

test('--keep keeps the agent, worktree and branch; a squashed, kept job is removed without --force while its branch has not moved', async t => {
	const sandbox = useSandbox(t);
	await setUp(sandbox);
	const one = await sleeper(sandbox, 'one');
	await edit(path.join(one.worktree, 'src/a.ts'), '1', '3');
	await commitIn(sandbox, one.worktree, 'three');
	const merged = await sandbox.ao(['merge', 'one', '--squash', '--keep']);
	t.is(merged.exitCode, 0, merged.stderr);
	t.regex(merged.stdout, /^one: squash-merged into main as [0-9a-f]+; its worktree, window and branch stay \(--keep\)$/);
	t.true(existsSync(one.worktree));
	t.not((await job(sandbox, one.id)).state, 'completed');
	const removed = await sandbox.ao(['rm', 'one']);
	t.is(removed.exitCode, 0, removed.stderr);
});

test('ao pr pushes the branch and opens a pull request through review.pr_command; the watch sees its checks fail, tells the agent, then sees it merged', async t => {
	const sandbox = useSandbox(t);
	const remote = path.join(sandbox.dir, 'remote.git');
	const forge = path.join(sandbox.dir, 'forge');
	await fs.mkdir(forge);
	await fs.writeFile(path.join(forge, 'create.sh'), [
		'#!/bin/sh',
		`{ echo "branch=$AO_PR_BRANCH"; echo "base=$AO_PR_BASE"; echo "title=$AO_PR_TITLE"; echo "draft=$AO_PR_DRAFT"; echo "cwd=$(pwd)"; cat "$AO_PR_BODY_FILE"; } > ${forge}/created.txt`,
		'echo "Creating pull request..."',
		'echo "https://forge.example/acme/repo/pull/12"',
	].join('\n'), {mode: 0o755});
	await fs.writeFile(path.join(forge, 'view.sh'), `#!/bin/sh\necho "$AO_PR_URL $AO_PR_NUMBER" >> ${forge}/viewed.txt\ncat ${forge}/state.json\n`, {mode: 0o755});
	await fs.writeFile(path.join(forge, 'state.json'), '{"state":"OPEN","statusCheckRollup":[{"name":"test","conclusion":"FAILURE"},{"name":"lint","conclusion":"SUCCESS"}]}');
	await setUp(sandbox, `  pr_command: ${path.join(forge, 'create.sh')}\n  pr_view_command: ${path.join(forge, 'view.sh')}\n  pr_poll_s: 1\n  on_checks_failed: tell-agent\n`);
	await sandbox.git(['init', '-q', '--bare', remote], sandbox.dir);
	await sandbox.git(['remote', 'add', 'origin', remote]);
	await sandbox.git(['push', '-q', 'origin', 'main']);
	const job1 = await dispatchJson(sandbox, ['--name', 'one', '--', 'sh', '-c', 'while read line; do echo "$line" >> ../told.txt; done']);
	await edit(path.join(job1.worktree, 'src/a.ts'), '1', '4');
	await commitIn(sandbox, job1.worktree, 'four');
	const opened = await sandbox.ao(['pr', 'one', '--draft']);
	t.is(opened.exitCode, 0, opened.stderr);
	t.is(opened.stdout, `pushed ao/one to origin and opened #12 (draft): https://forge.example/acme/repo/pull/12`);
	t.is((await sandbox.git(['ls-remote', remote, 'refs/heads/ao/one'])).split('\t')[0], (await sandbox.git(['rev-parse', 'HEAD'], job1.worktree)).trim());
	const created = await fs.readFile(path.join(forge, 'created.txt'), 'utf8');
	t.true(created.startsWith(`branch=ao/one\nbase=main\ntitle=one\ndraft=1\ncwd=${job1.worktree}\none\n\nCommits:\n- `), created);
	t.regex(created, / src\/a\.ts \| 2 \+-/);
	t.like((await job(sandbox, job1.id)).pr, {url: 'https://forge.example/acme/repo/pull/12', number: 12, state: 'open'});
	const again = await sandbox.ao(['pr', 'one']);
	t.regex(again.stdout, /^one already has an open pull request: https:\/\/forge\.example\/acme\/repo\/pull\/12 \(#12( checks failing: test)?\)$/);
	await waitFor('the failing check on the row', async () => (await job(sandbox, job1.id)).pr?.failing?.join() === 'test');
	t.regex((await sandbox.ao(['list'])).stdout, /one .*#12 checks failing: test/);
	const told = await waitFor('the agent to be told', async () => fs.readFile(path.join(path.dirname(job1.worktree), 'told.txt'), 'utf8').catch(() => ''));
	t.is(told, 'The checks of your pull request https://forge.example/acme/repo/pull/12 failed: test. Look at why (gh pr checks 12), fix it, commit and push.\n');
	t.true((await fs.readFile(path.join(forge, 'viewed.txt'), 'utf8')).startsWith('https://forge.example/acme/repo/pull/12 12\n'));
	await fs.writeFile(path.join(forge, 'state.json'), '{"state":"MERGED"}');
	const merged = await waitFor('the job to complete', async () => {
		const current = await job(sandbox, job1.id);
		return current.state === 'completed' && current;
	});
	t.is(merged.reason, 'PR #12 merged');
	t.is((await fs.readFile(path.join(path.dirname(job1.worktree), 'told.txt'), 'utf8')).split('\n').length, 2, 'told once');
	const removed = await sandbox.ao(['rm', 'one']);
	t.is(removed.exitCode, 0, removed.stderr);
});

test('the forecast: two agents editing the same lines conflict, one editing another file does not; the base moving shows as base +N', async t => {
	const sandbox = useSandbox(t);
	await setUp(sandbox);
	const [a, b, c] = await Promise.all(['api', 'docs', 'other'].map(async name => sleeper(sandbox, name)));
	await edit(path.join(a!.worktree, 'README.md'), 'line two', 'line 2 by api');
	await commitIn(sandbox, a!.worktree, 'api edits line two');
	await edit(path.join(b!.worktree, 'README.md'), 'line two', 'line 2 by docs');
	await edit(path.join(c!.worktree, 'src/a.ts'), '1', '5');
	const conflicted = await waitFor('the forecast', async () => {
		const jobs = await sandbox.aoJson<ReviewJob[]>(['list']);
		const byName = new Map(jobs.map(item => [item.name, item]));
		// A pass may have run between the edits: wait for one that saw all three.
		return byName.get('api')?.conflicts?.length && byName.get('docs')?.conflicts?.length && byName.get('other')?.changes?.files ? byName : undefined;
	});
	t.deepEqual(conflicted.get('api')!.conflicts, [{with: 'docs', files: ['README.md']}]);
	t.deepEqual(conflicted.get('docs')!.conflicts, [{with: 'api', files: ['README.md']}]);
	t.deepEqual(conflicted.get('other')!.conflicts, []);
	t.deepEqual(conflicted.get('other')!.changes, {files: 1, added: 1, removed: 1, commits: 0});
	t.regex((await sandbox.ao(['list'])).stdout, /api .*conflicts with docs: README\.md/);
	// main moves, on another file: the jobs are behind, and the one editing that file now conflicts with main.
	await edit(path.join(sandbox.repo, 'src/a.ts'), '1', '6');
	await commitIn(sandbox, sandbox.repo, 'main edits a.ts');
	const moved = await waitFor('the base to move', async () => {
		const other = (await sandbox.aoJson<ReviewJob[]>(['list'])).find(item => item.name === 'other');
		return other?.behind === 1 && other.conflicts?.length ? other : undefined;
	});
	t.deepEqual(moved.conflicts, [{with: 'main', files: ['src/a.ts']}]);
	t.regex((await sandbox.ao(['list'])).stdout, /other .*conflicts with main: src\/a\.ts · base \+1/);
});

test('dispatch --branch of a branch checked out elsewhere is refused in one line; --pr N starts from the pull request\'s head', async t => {
	const sandbox = useSandbox(t);
	await setUp(sandbox);
	const busy = await sandbox.ao(['dispatch', '--branch', 'main', '--', 'sleep', '60']);
	t.is(busy.exitCode, 2);
	t.regex(busy.stderr, /^ao: --branch main is checked out in .*\/repo \(the main checkout\), and one branch cannot be in two worktrees; give a new branch/);
	const remote = path.join(sandbox.dir, 'remote.git');
	await sandbox.git(['init', '-q', '--bare', remote], sandbox.dir);
	await sandbox.git(['remote', 'add', 'origin', remote]);
	await sandbox.git(['checkout', '-q', '-b', 'contributor']);
	await fs.writeFile(path.join(sandbox.repo, 'contrib.txt'), 'from a fork\n');
	await commitIn(sandbox, sandbox.repo, 'contribution');
	// What a forge does for a pull request: its head under refs/pull/N/head.
	await sandbox.git(['push', '-q', 'origin', 'HEAD:refs/pull/7/head', 'main']);
	await sandbox.git(['checkout', '-q', 'main']);
	await sandbox.git(['branch', '-q', '-D', 'contributor']);
	const pr = await dispatchJson(sandbox, ['--pr', '7', '--', 'sleep', '60']);
	t.is(pr.branch, 'ao/pr-7');
	t.is(await fs.readFile(path.join(pr.worktree, 'contrib.txt'), 'utf8'), 'from a fork\n');
	const missing = await sandbox.ao(['dispatch', '--pr', '8', '--name', 'eight', '--', 'sleep', '60']);
	t.is(missing.exitCode, 1);
	t.regex(missing.stderr, /^ao: cannot fetch pull request #8 from origin: fatal: couldn't find remote ref refs\/pull\/8\/head$/);
	t.false(existsSync(path.join(path.dirname(pr.worktree), 'eight')), 'nothing half-made');
});
