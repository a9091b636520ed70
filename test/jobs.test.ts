import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {useSandbox, waitFor, type AoSandbox, type JobJson} from './helpers/ao.js';

async function dispatch(sandbox: AoSandbox, args: string[]): Promise<JobJson> {
	const result = await sandbox.ao(['dispatch', '--json', ...args]);
	if (result.exitCode !== 0) throw new Error(result.stderr);
	return JSON.parse(result.stdout) as JobJson;
}

async function jobState(sandbox: AoSandbox, id: string): Promise<JobJson | undefined> {
	return (await sandbox.aoJson<JobJson[]>(['list', '--all'])).find(job => job.id === id);
}

async function waitForScreen(sandbox: AoSandbox, id: string, text: string): Promise<string> {
	return waitFor(`"${text}" on the screen of ${id}`, async () => {
		const screen = (await sandbox.ao(['peek', id])).stdout;
		return screen.includes(text) && screen;
	});
}

test('list, peek, send and logs show what the agent printed', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatch(sandbox, ['-n', 'talker', 'talk to me']);
	await waitForScreen(sandbox, job.id, 'Proceed? [y/N]');
	const table = await waitFor('the question in the table', async () => {
		const out = (await sandbox.ao(['list'])).stdout;
		return out.startsWith('Needs input') && out;
	}).catch(async error => {
		t.log((await sandbox.ao(['list'])).stdout, await fs.readFile(path.join(sandbox.home, 'supervisor.log'), 'utf8').catch(() => 'no supervisor log'), (await sandbox.ao(['peek', job.id])).stdout);
		throw error;
	});
	// CPU and memory columns appear once the supervisor measured the agent.
	t.regex(table, /^Needs input \(1\)\n {2}[0-9a-f]{8} {2}talker {2}fixture {2}needs-input {2}\d+s {2}(\d+(\.\d)?% +[\d.]+[KMG] +)?ao\/talker {2}asks: Proceed\? \[y\/N\]$/m);
	const sent = await sandbox.ao(['send', 'talker', 'hello "there" $(x);']);
	t.is(sent.exitCode, 0, sent.stderr);
	t.is(sent.stdout.trim(), `sent to ${job.id} (talker)`);
	await waitForScreen(sandbox, job.id, 'got: hello "there" $(x);');
	const lastTwo = (await sandbox.ao(['peek', job.id.slice(0, 4), '-n', '2'])).stdout.trimEnd().split('\n');
	t.deepEqual(lastTwo, ['got: hello "there" $(x);', 'Proceed? [y/N]']);
	const empty = await sandbox.ao(['send', 'talker']);
	t.is(empty.exitCode, 2);
	t.is(empty.stderr, 'ao: nothing to send: give the text to type (ao send <job> \'\' presses Enter alone)');
	await sandbox.ao(['send', 'talker', '--no-enter', 'partial']);
	await waitForScreen(sandbox, job.id, 'Proceed? [y/N] partial');
	t.notRegex((await sandbox.ao(['peek', job.id])).stdout, /got: partial/);
	const logs = await waitFor('the reply in the log', async () => {
		const out = (await sandbox.ao(['logs', 'talker'])).stdout;
		return out.includes('got: hello') && out;
	});
	t.regex(logs, /^fixture agent started in .*talker$/m);
	t.notRegex(logs, /\u001B|\r/);
	const listed = await jobState(sandbox, job.id);
	t.is(listed!.lastLine, 'Proceed? [y/N] partial');
	const supervisorLog = await sandbox.ao(['logs', '--supervisor']);
	t.regex(supervisorLog.stdout, /supervisor \d+ started/);
});

test('an exit 0 is completed, another status is failed with the code, stop is stopped with the window kept', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const ok = await dispatch(sandbox, ['-n', 'ok', 'x']);
	const bad = await dispatch(sandbox, ['-n', 'bad', 'x']);
	const halt = await dispatch(sandbox, ['-n', 'halt', 'x']);
	for (const job of [ok, bad, halt]) await waitForScreen(sandbox, job.id, 'Proceed?');
	await sandbox.ao(['send', 'ok', 'exit 0']);
	await sandbox.ao(['send', 'bad', 'exit 3']);
	const stopped = await sandbox.ao(['stop', 'halt']);
	t.is(stopped.exitCode, 0, stopped.stderr);
	t.regex(stopped.stdout, /stopped [0-9a-f]{8} \(halt\); its window and worktree stay/);
	const okJob = await waitFor('ok to complete', async () => {
		const job = await jobState(sandbox, ok.id);
		return job?.state === 'completed' && job;
	});
	t.is(okJob.exitCode, 0);
	t.is(okJob.group, 'Completed');
	const badJob = await waitFor('bad to fail', async () => {
		const job = await jobState(sandbox, bad.id);
		return job?.state === 'failed' && job;
	});
	t.is(badJob.exitCode, 3);
	t.is(badJob.reason, 'exit 3');
	const haltJob = await jobState(sandbox, halt.id);
	t.is(haltJob!.state, 'stopped');
	t.is(haltJob!.reason, 'stopped by user');
	const dead = await sandbox.tmux(['list-panes', '-a', '-F', '#{@ao_job} #{pane_dead}']);
	t.true(dead.includes(`${halt.id} 1`), dead);
	t.true(existsSync(halt.worktree));
	// The supervisor wrote the final states itself, with the events that led there.
	await waitFor('the supervisor to record the exits', async () => {
		const state = JSON.parse(await fs.readFile(path.join(sandbox.home, 'jobs', bad.id, 'state.json'), 'utf8')) as JobJson;
		return state.state === 'failed';
	});
	const events = (await fs.readFile(path.join(sandbox.home, 'jobs', bad.id, 'events.jsonl'), 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {from: string | null; to: string; reason: string; signal: string});
	const steps = events.map(event => [event.from, event.to, event.reason]);
	t.deepEqual(steps.slice(0, 3), [[null, 'queued', 'preparing'], ['queued', 'queued', 'queued'], ['queued', 'working', 'started']]);
	t.deepEqual(steps.at(-1), [steps.at(-2)![1], 'failed', 'exit 3']);
	t.is(events.at(-1)!.signal, 'process');
	const table = (await sandbox.ao(['list'])).stdout;
	t.regex(table, /^Stopped \(1\)$/m);
	t.regex(table, /^Failed \(1\)$/m);
	t.notRegex(table, /^Completed/m);
	t.regex(table, /1 completed job\(s\) hidden: ao list --all/);
	t.regex((await sandbox.ao(['list', '--all'])).stdout, /^Completed \(1\)$/m);
	const again = await sandbox.ao(['stop', 'halt']);
	t.is(again.exitCode, 1);
	t.regex(again.stderr, /^ao: job [0-9a-f]{8} \(halt\) is already stopped/);
	const sendDead = await sandbox.ao(['send', 'ok', 'hi']);
	t.is(sendDead.exitCode, 1);
	t.regex(sendDead.stderr, /is not running \(completed\); there is nothing to type into/);
});

test('stop --all stops every running job', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const jobs = [await dispatch(sandbox, ['-n', 'one', 'x']), await dispatch(sandbox, ['-n', 'two', 'x'])];
	const result = await sandbox.ao(['stop', '--all']);
	t.is(result.exitCode, 0, result.stderr);
	for (const job of jobs) t.is((await jobState(sandbox, job.id))!.state, 'stopped');
	t.is((await sandbox.ao(['stop'])).exitCode, 2);
});

test('rm refuses while the worktree has unsaved work, and --force archives it first', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatch(sandbox, ['-n', 'worker', 'x']);
	await fs.writeFile(path.join(job.worktree, 'work.txt'), 'precious\n');
	await sandbox.git(['add', 'work.txt'], job.worktree);
	await sandbox.git(['commit', '-q', '-m', 'agent commit'], job.worktree);
	await fs.writeFile(path.join(job.worktree, 'uncommitted.txt'), 'also precious\n');
	const refused = await sandbox.ao(['rm', 'worker']);
	t.is(refused.exitCode, 1);
	const [first, ...details] = refused.stderr.trimEnd().split('\n');
	t.regex(first!, /^ao: job [0-9a-f]{8} \(worker\) has unsaved work in .*: 1 uncommitted file and 1 commit on no other branch; nothing was removed\. .*ao rm [0-9a-f]{8} --force/);
	t.deepEqual(details.map(line => line.trim().replace(/^commit [0-9a-f]+/, 'commit')), ['?? uncommitted.txt', 'commit agent commit']);
	t.true(existsSync(job.worktree));
	t.truthy(await jobState(sandbox, job.id));
	const forced = await sandbox.ao(['rm', 'worker', '--force']);
	t.is(forced.exitCode, 0, forced.stderr);
	t.regex(forced.stdout, new RegExp(`saved its unsaved work to refs/ao/archive/${job.id} .*checkout -b ao/worker refs/ao/archive/${job.id}`));
	t.regex(forced.stdout, new RegExp(`removed ${job.id} \\(worker\\)`));
	t.false(existsSync(job.worktree));
	t.is(await jobState(sandbox, job.id), undefined);
	t.is((await sandbox.git(['branch', '--list', 'ao/worker'])).trim(), '');
	const archived = `refs/ao/archive/${job.id}`;
	t.is(await sandbox.git(['show', `${archived}:work.txt`]), 'precious');
	t.is(await sandbox.git(['show', `${archived}:uncommitted.txt`]), 'also precious');
	t.is(await sandbox.tmux(['list-panes', '-a', '-F', '#{@ao_job}']).then(out => out.includes(job.id)), false);
	// The name is free again.
	const reuse = await dispatch(sandbox, ['-n', 'worker', 'x']);
	t.is(reuse.name, 'worker');
});

test('rm of a clean job removes window, worktree, branch and record; a worktree deleted by hand is reported', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const clean = await dispatch(sandbox, ['-n', 'clean', 'x']);
	const result = await sandbox.ao(['rm', clean.id]);
	t.is(result.exitCode, 0, result.stderr);
	t.false(existsSync(clean.worktree));
	t.is((await sandbox.git(['branch', '--list', 'ao/clean'])).trim(), '');
	const gone = await dispatch(sandbox, ['-n', 'gone', 'x']);
	await fs.rm(gone.worktree, {recursive: true, force: true});
	const removed = await sandbox.ao(['rm', 'gone']);
	t.is(removed.exitCode, 0, removed.stderr);
	t.regex(removed.stdout, /note: the worktree .*gone was already gone/);
	t.deepEqual(await sandbox.aoJson<JobJson[]>(['list', '--all']), []);
});

test('pin moves a job to Pinned; rename renames it and its window', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatch(sandbox, ['-n', 'first', 'x']);
	await dispatch(sandbox, ['-n', 'other', 'x']);
	t.is((await sandbox.ao(['pin', 'first'])).stdout.trim(), `pinned ${job.id} (first)`);
	const pinned = await jobState(sandbox, job.id);
	t.is(pinned!.group, 'Pinned');
	t.true(pinned!.pinned);
	t.regex((await sandbox.ao(['list'])).stdout, /^Pinned \(1\)\n {2}[0-9a-f]{8} {2}first/);
	const renamed = await sandbox.ao(['rename', 'first', 'better-name']);
	t.is(renamed.stdout.trim(), `renamed ${job.id} to better-name`);
	t.is((await jobState(sandbox, job.id))!.name, 'better-name');
	t.regex(await sandbox.tmux(['list-windows', '-t', 'ao', '-F', '#{window_name}']), /^better-name$/m);
	const taken = await sandbox.ao(['rename', 'better-name', 'other']);
	t.is(taken.exitCode, 1);
	t.regex(taken.stderr, /the name "other" is taken by job [0-9a-f]{8}/);
	t.is((await sandbox.ao(['unpin', 'better-name'])).exitCode, 0);
	t.not((await jobState(sandbox, job.id))!.group, 'Pinned');
	// The old name is free again.
	t.is((await dispatch(sandbox, ['-n', 'first', 'x'])).name, 'first');
});

test('unknown jobs, ambiguous prefixes and path-like ids give the documented errors', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const jobs = await Promise.all(Array.from({length: 12}, (_, index) => dispatch(sandbox, ['-n', `job-${index}`, 'x'])));
	const unknown = await sandbox.ao(['peek', 'nothing-here']);
	t.is(unknown.exitCode, 1);
	t.is(unknown.stderr, 'ao: no job "nothing-here" (see ao list --all)');
	for (const hostile of ['../x', '../../etc/passwd', 'a/b', '.']) {
		const result = await sandbox.ao(['peek', hostile]);
		t.is(result.exitCode, 2, hostile);
		t.is(result.stderr, `ao: ${JSON.stringify(hostile)} is not a job: give a job id, a unique id prefix or a name (see ao list)`);
	}

	// Two jobs whose ids share the first hex digit: with 12 there usually are; with 17 there must be.
	const counts = new Map<string, number>();
	for (const job of jobs) counts.set(job.id[0]!, (counts.get(job.id[0]!) ?? 0) + 1);
	while (![...counts.values()].some(count => count > 1)) {
		const more = await dispatch(sandbox, ['-n', `job-${counts.size + 12}`, 'x']);
		counts.set(more.id[0]!, (counts.get(more.id[0]!) ?? 0) + 1);
	}

	const shared = [...counts].find(([, count]) => count > 1)![0];
	const ambiguous = await sandbox.ao(['peek', shared]);
	t.is(ambiguous.exitCode, 1);
	t.regex(ambiguous.stderr, new RegExp(`^ao: "${shared}" matches \\d+ jobs \\(.*\\); give more of the id$`));
	const usage = await sandbox.ao(['peek']);
	t.is(usage.exitCode, 2);
	t.regex(usage.stderr, /^ao: missing required argument 'job'/);
	const badFlag = await sandbox.ao(['list', '--bogus']);
	t.is(badFlag.exitCode, 2);
	t.regex(badFlag.stderr, /^ao: unknown option '--bogus'/);
	const typo = await sandbox.ao(['list', '--under', path.join(sandbox.dir, 'no-such-dir')]);
	t.is(typo.exitCode, 2);
	t.is(typo.stderr, `ao: --under ${path.join(sandbox.dir, 'no-such-dir')} is not a directory; give one that jobs were dispatched in or below`);
});

test('a bad config is a one-line error with file, line and key, exit code 2', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.appendFile(sandbox.configFile, 'worktree:\n  copy: five\n');
	const result = await sandbox.ao(['dispatch', 'x']);
	t.is(result.exitCode, 2);
	const line = (await fs.readFile(sandbox.configFile, 'utf8')).split('\n').findIndex(text => text.includes('copy: five')) + 1;
	t.is(result.stderr, `ao: config error: ${sandbox.configFile}:${line}: worktree.copy must be a list of strings, got "five"`);
	await fs.writeFile(sandbox.configFile, 'agent:\n  default: [unclosed\n');
	const syntax = await sandbox.ao(['config']);
	t.is(syntax.exitCode, 2);
	t.regex(syntax.stderr, new RegExp(`^ao: config error: ${sandbox.configFile}:\\d+: YAML syntax error`));
	await fs.writeFile(sandbox.configFile, 'supervisr:\n  tick_ms: 100\n');
	const unknown = await sandbox.ao(['config']);
	t.is(unknown.stderr, `ao: config error: ${sandbox.configFile}:1: unknown key "supervisr" (did you mean "supervisor"?)`);
});

test('config prints the effective config and the files it read; doctor checks everything', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const config = await sandbox.ao(['config']);
	t.is(config.exitCode, 0, config.stderr);
	t.regex(config.stdout, /^agent:\n {2}default: fixture$/m);
	t.regex(config.stdout, /^ {2}tick_ms: 200$/m);
	const files = (await sandbox.ao(['config', '--path'])).stdout.trim().split('\n');
	t.is(files.length, 2);
	t.regex(files[0]!, /^defaults +.*config\/default\.yaml$/);
	t.is(files[1], `user     ${sandbox.configFile}`);
	const before = await sandbox.ao(['doctor']);
	t.is(before.exitCode, 0, before.stdout);
	t.regex(before.stdout, /^ok {3}server {5}not running .*the next ao dispatch starts it$/m);
	await dispatch(sandbox, ['x']);
	const after = await sandbox.aoJson<Array<{name: string; ok: boolean; detail: string}>>(['doctor']);
	t.deepEqual(after.map(check => [check.name, check.ok]), [['tmux', true], ['git', true], ['node', true], ['config', true], ['state dir', true], ['limits x2', true], ['limits x50', true], ['leftovers', true], ['logout', true], ['private', true], ['server', true]]);
	// One more agent: what the running one was measured to hold, plus as much again (before its first measurement: 2 x 8).
	t.regex(after.find(check => check.name === 'limits x2')!.detail, /open files: \d+ >= (16 \(2 agents x 8\)|\d+ \(\d+ held by 1 agent running \+ \d+ for one more\))/);
	t.regex(after.find(check => check.name === 'server')!.detail, /running .*supervisor pid (\d+|starting), 1 agent window/);
	await fs.writeFile(path.join(sandbox.home, 'jobs', 'deadbeef'), '');
	await fs.mkdir(path.join(sandbox.home, 'jobs', 'cafebabe'));
	await fs.writeFile(path.join(sandbox.home, 'jobs', 'cafebabe', 'state.json'), '{"id": "cafe');
	const broken = await sandbox.ao(['doctor']);
	t.is(broken.exitCode, 1);
	t.regex(broken.stdout, /^FAIL state dir .*unreadable job/m);
	const listed = await sandbox.ao(['list', '--json']);
	t.is(listed.exitCode, 0);
	t.is((JSON.parse(listed.stdout) as JobJson[]).length, 1);
	t.regex(listed.stderr, /warning: skipped job cafebabe: .*not valid JSON/);
});
