import {existsSync, readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {dispatchJson, runningStates, useSandbox, waitFor, waitForState, type AoSandbox, type JobJson} from './helpers/ao.js';

interface FixtureRecord {
	argv: string[];
	cwd: string;
	env: Record<string, string | undefined>;
}

async function fixtureRecord(sandbox: AoSandbox, id: string): Promise<FixtureRecord> {
	const file = path.join(sandbox.home, `fixture-${id}.json`);
	return waitFor(`the fixture agent of ${id} to start`, () => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')) as FixtureRecord);
}

async function screen(sandbox: AoSandbox, id: string): Promise<string> {
	return (await sandbox.ao(['peek', id])).stdout;
}

test('dispatch in a git repo makes a worktree, a branch and a window, and says how to peek', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const result = await sandbox.ao(['dispatch', 'fix the flaky test']);
	t.is(result.exitCode, 0, result.stderr);
	const match = /^dispatched ([0-9a-f]{8}) \(fix-the-flaky-test\) · ao peek \1/.exec(result.stdout);
	t.truthy(match, result.stdout);
	const id = match![1]!;
	const [job] = await sandbox.aoJson<JobJson[]>(['list']);
	t.is(job!.id, id);
	t.true(runningStates.includes(job!.state), job!.state);
	t.is(job!.branch, 'ao/fix-the-flaky-test');
	t.is(job!.worktree, path.join(sandbox.dir, 'repo.worktrees', 'fix-the-flaky-test'));
	t.true(existsSync(path.join(job!.worktree, 'README.md')));
	t.regex(await sandbox.git(['worktree', 'list']), /repo\.worktrees\/fix-the-flaky-test .*\[ao\/fix-the-flaky-test\]/);
	const windows = await sandbox.tmux(['list-windows', '-t', 'ao', '-F', '#{window_name} #{@ao_job}']);
	t.true(windows.split('\n').includes(`fix-the-flaky-test ${id}`), windows);
	const record = await fixtureRecord(sandbox, id);
	t.is(record.cwd, job!.worktree);
	t.deepEqual(record.env, {AO_JOB_ID: id, AO_HOME: sandbox.home, FIXTURE_MARK: 'from-preset'});
	await waitFor('the prompt on screen', async () => (await screen(sandbox, id)).includes('Proceed? [y/N]'));
	const state = JSON.parse(await fs.readFile(path.join(sandbox.home, 'jobs', id, 'state.json'), 'utf8')) as JobJson;
	t.true(runningStates.includes(state.state));
	const asking = await waitFor('the question to be noticed', async () => (await sandbox.aoJson<JobJson[]>(['list']))[0]!.state === 'needs-input' && (await sandbox.aoJson<JobJson[]>(['list']))[0]!);
	t.is(asking.group, 'Needs input');
	t.is(asking.reason, 'asks: Proceed? [y/N]');
});

const hostileTasks = [
	'it\'s "quoted" and \'single\'',
	'$(touch /tmp/ao-pwned) `id` ${HOME} $HOME',
	'line one\nline two\n\ttabbed',
	'-leading dash --and --flags',
	'ends with a semicolon;',
	'ends with an escaped semicolon\\;',
	'unicode: 日本語 émoji 🚀 ﷽',
	'{id} {name} {task} %s %d #{pane_id} ~ * ?',
	';',
];

test('the task reaches the agent byte for byte, whatever it holds', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const ids = [];
	for (const [index, task] of hostileTasks.entries()) {
		const result = await sandbox.ao(['dispatch', '--name', `hostile-${index}`, '--task', task]);
		t.is(result.exitCode, 0, `${JSON.stringify(task)}: ${result.stderr}`);
		ids.push(/dispatched ([0-9a-f]{8})/.exec(result.stdout)![1]!);
	}

	for (const [index, id] of ids.entries()) {
		const record = await fixtureRecord(sandbox, id);
		t.deepEqual(record.argv, [hostileTasks[index]], `task ${index}`);
	}

	t.false(existsSync('/tmp/ao-pwned'));
	const first = await sandbox.aoJson<JobJson[]>(['list']);
	t.is(first.find(job => job.name === 'hostile-8')!.task, ';');
});

test('a task too long for one tmux command still arrives byte for byte', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const task = 'é🚀 "q" $(x) \n'.repeat(800);
	const taskFile = path.join(sandbox.dir, 'task.txt');
	await fs.writeFile(taskFile, task);
	const result = await sandbox.ao(['dispatch', '--name', 'long-task', '--task-file', taskFile]);
	t.is(result.exitCode, 0, result.stderr);
	const id = /dispatched ([0-9a-f]{8})/.exec(result.stdout)![1]!;
	const record = await fixtureRecord(sandbox, id);
	t.is(record.argv.length, 1);
	t.is(record.argv[0], task);
	await waitFor('the agent to print its task size', async () => (await screen(sandbox, id)).includes(`task bytes: ${Buffer.byteLength(task)}`));
});

test('words after dispatch are joined into one task; the task is read from stdin with --task-file -', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const words = await sandbox.ao(['dispatch', '-n', 'words', 'fix', 'the', 'build']);
	const wordsId = /dispatched ([0-9a-f]{8})/.exec(words.stdout)![1]!;
	t.deepEqual((await fixtureRecord(sandbox, wordsId)).argv, ['fix the build']);
	const stdin = await sandbox.ao(['dispatch', '-n', 'stdin', '--task-file', '-'], {input: 'from\nstdin\n'});
	const stdinId = /dispatched ([0-9a-f]{8})/.exec(stdin.stdout)![1]!;
	t.deepEqual((await fixtureRecord(sandbox, stdinId)).argv, ['from\nstdin\n']);
});

test('dispatch outside a git repository refuses, says why and how, and creates nothing', async t => {
	const sandbox = useSandbox(t);
	const plain = path.join(sandbox.dir, 'plain');
	await fs.mkdir(plain);
	const result = await sandbox.ao(['dispatch', 'do things'], {cwd: plain});
	t.is(result.exitCode, 1);
	t.regex(result.stderr, /^ao: .*plain is not in a git repository.*git init.*--no-worktree/);
	t.is(result.stderr.trim().split('\n').length, 1);
	t.deepEqual(await fs.readdir(path.join(sandbox.home, 'jobs')).catch(() => []), []);
	t.deepEqual(await fs.readdir(plain), []);
	t.is(await sandbox.tmux(['list-windows', '-a']), '');
});

test('--no-worktree runs the agent in the directory itself', async t => {
	const sandbox = useSandbox(t);
	const plain = path.join(sandbox.dir, 'plain');
	await fs.mkdir(plain);
	const result = await sandbox.ao(['dispatch', '--no-worktree', '--json', 'here'], {cwd: plain});
	t.is(result.exitCode, 0, result.stderr);
	const job = JSON.parse(result.stdout) as JobJson;
	t.is(job.worktree, plain);
	t.is(job.branch, undefined);
	t.is((await fixtureRecord(sandbox, job.id)).cwd, plain);
});

test('a repository without commits is refused with the fix', async t => {
	const sandbox = useSandbox(t);
	await fs.mkdir(sandbox.repo);
	await sandbox.git(['init', '-q']);
	const result = await sandbox.ao(['dispatch', 'x']);
	t.is(result.exitCode, 1);
	t.regex(result.stderr, /^ao: the repository at .* has no commits yet.*git commit --allow-empty/);
});

test('an agent whose program is not on PATH is refused before anything is made', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const config = await fs.readFile(sandbox.configFile, 'utf8');
	await fs.writeFile(sandbox.configFile, config.replace('agents:\n', 'agents:\n  ghost:\n    command: [no-such-agent-binary, "{task}"]\n'));
	const result = await sandbox.ao(['dispatch', '--agent', 'ghost', 'x']);
	t.is(result.exitCode, 1);
	t.regex(result.stderr, /^ao: "no-such-agent-binary" \(agent ghost\) is not on your PATH/);
	t.false(existsSync(path.join(sandbox.dir, 'repo.worktrees')));
	t.is((await sandbox.git(['branch', '--list', 'ao/*'])).trim(), '');
	const unknown = await sandbox.ao(['dispatch', '--agent', 'nope', 'x']);
	t.is(unknown.exitCode, 2);
	t.regex(unknown.stderr, /^ao: unknown agent "nope"; known agents: .*fixture/);
});

test('uncommitted changes in the main checkout: a warning, and --carry brings them along', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.writeFile(path.join(sandbox.repo, 'README.md'), '# changed\n');
	await fs.writeFile(path.join(sandbox.repo, 'new.txt'), 'untracked\n');
	const plain = await sandbox.ao(['dispatch', '--json', '-n', 'plain', 'x']);
	t.regex(plain.stderr, /warning: .* has 2 uncommitted changes the agent will not see .*--carry/);
	const plainJob = JSON.parse(plain.stdout) as JobJson;
	t.is(await fs.readFile(path.join(plainJob.worktree, 'README.md'), 'utf8'), '# test repo\n');
	const carried = await sandbox.ao(['dispatch', '--json', '-n', 'carried', '--carry', 'x']);
	t.is(carried.exitCode, 0, carried.stderr);
	t.notRegex(carried.stderr, /warning/);
	const carriedJob = JSON.parse(carried.stdout) as JobJson;
	t.is(await fs.readFile(path.join(carriedJob.worktree, 'README.md'), 'utf8'), '# changed\n');
	t.is(await fs.readFile(path.join(carriedJob.worktree, 'new.txt'), 'utf8'), 'untracked\n');
	t.is(await fs.readFile(path.join(sandbox.repo, 'README.md'), 'utf8'), '# changed\n');
});

test('worktree.copy, worktree.link, .worktreeinclude and worktree.setup prepare the worktree', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo({'README.md': 'x\n', '.gitignore': '.env\nnode_modules/\nsecret.key\n', '.worktreeinclude': 'secret.key\n'});
	await fs.writeFile(path.join(sandbox.repo, '.env'), 'TOKEN=1\n');
	await fs.writeFile(path.join(sandbox.repo, 'secret.key'), 'k\n');
	await fs.mkdir(path.join(sandbox.repo, 'node_modules', 'dep'), {recursive: true});
	await fs.appendFile(sandbox.configFile, 'worktree:\n  copy: [.env, ../outside]\n  link: [node_modules]\n  setup: "echo ran > setup-ran.txt"\n');
	const result = await sandbox.ao(['dispatch', '--json', 'x']);
	t.is(result.exitCode, 0, result.stderr);
	t.regex(result.stderr, /worktree\.copy entry "\.\.\/outside" is outside the repository; skipped/);
	const job = JSON.parse(result.stdout) as JobJson;
	t.is(await fs.readFile(path.join(job.worktree, '.env'), 'utf8'), 'TOKEN=1\n');
	t.is(await fs.readFile(path.join(job.worktree, 'secret.key'), 'utf8'), 'k\n');
	t.is(await fs.readlink(path.join(job.worktree, 'node_modules')), path.join(sandbox.repo, 'node_modules'));
	t.is(await fs.readFile(path.join(job.worktree, 'setup-ran.txt'), 'utf8'), 'ran\n');
});

test('a failing worktree.setup undoes the dispatch and shows its output', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.appendFile(sandbox.configFile, 'worktree:\n  setup: "echo npm ci broke; exit 7"\n');
	const result = await sandbox.ao(['dispatch', '-n', 'broken', 'x']);
	t.is(result.exitCode, 1);
	t.regex(result.stderr, /^ao: worktree\.setup "echo npm ci broke; exit 7" failed \(exit 7\): npm ci broke/);
	t.false(existsSync(path.join(sandbox.dir, 'repo.worktrees', 'broken')));
	t.is((await sandbox.git(['branch', '--list', 'ao/*'])).trim(), '');
	t.deepEqual(await fs.readdir(path.join(sandbox.home, 'jobs')), []);
});

test('a repository .ao.yaml runs no program until ao trust approves that exact file', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo({'README.md': 'x\n', '.ao.yaml': 'worktree:\n  setup: "touch trusted-setup-ran"\n'});
	const untrusted = await sandbox.ao(['dispatch', '--json', '-n', 'untrusted', 'x']);
	t.is(untrusted.exitCode, 0, untrusted.stderr);
	t.regex(untrusted.stderr, /\.ao\.yaml sets worktree\.setup, ignored until you approve that file: ao trust/);
	t.false(existsSync(path.join((JSON.parse(untrusted.stdout) as JobJson).worktree, 'trusted-setup-ran')));
	const refused = await sandbox.ao(['trust']);
	t.is(refused.exitCode, 2);
	t.regex(refused.stderr, /needs a yes typed in a terminal/);
	t.is((await sandbox.ao(['trust', '--yes'])).exitCode, 0);
	const trusted = await sandbox.ao(['dispatch', '--json', '-n', 'trusted', 'x']);
	t.notRegex(trusted.stderr, /ignored/);
	t.true(existsSync(path.join((JSON.parse(trusted.stdout) as JobJson).worktree, 'trusted-setup-ran')));
});

test('20 dispatches at once give 20 distinct jobs with valid state files', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const results = await Promise.all(Array.from({length: 20}, () => sandbox.ao(['dispatch', 'same task'])));
	for (const result of results) t.is(result.exitCode, 0, result.stderr);
	const ids = results.map(result => /dispatched ([0-9a-f]{8})/.exec(result.stdout)![1]!);
	t.is(new Set(ids).size, 20);
	const jobs = await sandbox.aoJson<JobJson[]>(['list']);
	t.is(jobs.length, 20);
	t.is(new Set(jobs.map(job => job.worktree)).size, 20);
	t.is(new Set(jobs.map(job => job.branch)).size, 20);
	for (const id of ids) {
		const state = JSON.parse(await fs.readFile(path.join(sandbox.home, 'jobs', id, 'state.json'), 'utf8')) as JobJson;
		t.is(state.id, id);
		t.true(runningStates.includes(state.state));
	}

	const windows = (await sandbox.tmux(['list-windows', '-t', 'ao', '-F', '#{@ao_job}'])).split('\n').filter(Boolean);
	t.deepEqual(windows.sort(), [...ids].sort());
});

test('-- cmd runs a command as is with the shell agent, and a bad --name is refused', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const result = await sandbox.ao(['dispatch', '--json', '-n', 'cmd', '--', 'sh', '-c', 'echo "$0 $1"; sleep 30', 'a b', '--not-an-option']);
	t.is(result.exitCode, 0, result.stderr);
	const job = JSON.parse(result.stdout) as JobJson & {argv: string[]};
	t.is(job.agent, 'shell');
	t.deepEqual(job.argv, ['sh', '-c', 'echo "$0 $1"; sleep 30', 'a b', '--not-an-option']);
	await waitFor('the command output', async () => (await screen(sandbox, 'cmd')).includes('a b --not-an-option'));
	for (const bad of ['../x', 'a b', '', 'x'.repeat(300), 'deadbeef', 'x;y']) {
		const refused = await sandbox.ao(['dispatch', '--name', bad, 'x']);
		t.is(refused.exitCode, 2, bad);
		t.regex(refused.stderr, /^ao: invalid name/, bad);
	}

	t.is((await sandbox.aoJson<JobJson[]>(['list'])).length, 1);
});

test('CI=true without --allow-ci, or AO_DISABLE=1, makes dispatch refuse with exit 2 and make nothing', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const inCi = await sandbox.ao(['dispatch', 'x'], {env: {CI: 'true'}});
	t.is(inCi.exitCode, 2);
	t.is(inCi.stderr, 'ao: CI=true: ao dispatch refuses in CI so that no run leaves agents behind; pass --allow-ci if this job should start agents');
	const disabled = await sandbox.ao(['dispatch', '--allow-ci', 'x'], {env: {AO_DISABLE: '1', CI: 'true'}});
	t.is(disabled.exitCode, 2);
	t.regex(disabled.stderr, /^ao: AO_DISABLE=1 is set, so ao dispatch is off here; unset it to dispatch$/);
	t.deepEqual(await sandbox.aoJson<JobJson[]>(['list', '--all']), []);
	const allowed = await sandbox.ao(['dispatch', '--allow-ci', '-n', 'in-ci', 'x'], {env: {CI: 'true'}});
	t.is(allowed.exitCode, 0, allowed.stderr);
	t.regex(allowed.stdout, /^dispatched [0-9a-f]{8} \(in-ci\)/);
});

test('while another start pass holds the start lock past concurrency.start_wait_s, dispatch leaves the job queued and the supervisor starts it after', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.writeFile(sandbox.configFile, (await fs.readFile(sandbox.configFile, 'utf8')).replace('  max_running: 50\n', '  max_running: 50\n  start_wait_s: 6\n'));
	const first = await dispatchJson(sandbox, ['-n', 'first', 'x']);
	await waitForState(sandbox, first.id, 'needs-input');
	// A live process holds the lock (a start pass that takes long on a slow machine): it must not be broken.
	const holder = execa('sleep', ['120']);
	t.teardown(() => {
		holder.kill('SIGKILL');
	});
	holder.catch(() => undefined);
	const lock = path.join(sandbox.home, 'locks', 'start.lock');
	await fs.writeFile(lock, String(holder.pid));
	let waiting = true;
	const pending = sandbox.ao(['dispatch', '-n', 'held', 'x']).finally(() => {
		waiting = false;
	});
	// Meanwhile the supervisor goes on supervising: it does not stall its ticks behind the start lock.
	await waitFor('the held job to wait in the queue', async () => (await sandbox.aoJson<JobJson[]>(['list'])).some(job => job.name === 'held' && job.state === 'queued'));
	// (A change only the supervisor sees, from the screen: an exit would be written down by ao list itself.)
	await sandbox.ao(['send', 'first', 'repeat']);
	await waitForState(sandbox, first.id, 'working');
	t.true(waiting, 'the agent at work was seen while the dispatch still waited for the lock');
	const held = await pending;
	t.is(held.exitCode, 0, held.stderr);
	t.regex(held.stdout, /^queued [0-9a-f]{8} \(held\) · waiting for the supervisor, busy starting other agents · ao list$/m);
	t.is(await fs.readFile(lock, 'utf8'), String(holder.pid), 'the lock was left to its holder');
	const id = /queued ([0-9a-f]{8})/.exec(held.stdout)![1]!;
	holder.kill('SIGKILL');
	await waitFor('the supervisor to start it', async () => runningStates.includes((await sandbox.aoJson<JobJson[]>(['list'])).find(job => job.id === id)!.state));
});
