import {existsSync, readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {JobStore} from '../src/core/jobs/store.js';
import {StatePaths} from '../src/core/paths.js';
import {aoBin, dispatchJson, editConfig, explainJob, runningStates, useSandbox, waitFor, waitForState, type AoSandbox, type JobJson} from './helpers/ao.js';

async function configure(sandbox: AoSandbox, yaml: string): Promise<void> {
	await fs.appendFile(sandbox.configFile, yaml);
}

test('silence makes a job ready for review, new output makes it working again, a question makes it needs-input', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.writeFile(sandbox.configFile, (await fs.readFile(sandbox.configFile, 'utf8')).replace('idle_after_s: 600', 'idle_after_s: 5'));
	const script = 'echo building; read line; echo "got $line"; read again; printf "Overwrite it? [y/N] "; read answer; sleep 60';
	const job = await dispatchJson(sandbox, ['-n', 'quiet', '--', 'sh', '-c', script]);
	const ready = await waitForState(sandbox, job.id, 'ready');
	t.regex(ready.reason, /^no output for \d+s$/);
	t.is(ready.group, 'Ready for review');
	await sandbox.ao(['send', 'quiet', 'hello']);
	// The working spell is short (idle_after_s 5): read it from the timeline rather than hoping to poll it. 5 s, not
	// less: the supervisor must see the output, then see it again after the debounce, before the silence (counted in
	// tmux's whole seconds) reaches it.
	const timeline = () => readFileSync(path.join(sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => (JSON.parse(line) as {to: string}).to).join(' ');
	await waitFor('working, then ready again', () => / ready working ready$/.test(timeline()));
	await sandbox.ao(['send', 'quiet', 'more']);
	const asking = await waitForState(sandbox, job.id, 'needs-input');
	t.is(asking.reason, 'asks: Overwrite it? [y/N]');
	// A question stays a question however long nobody answers: until its pane has been silent longer than
	// idle_after_s (5 s) and the supervisor has looked again.
	const silentSince = Number((await sandbox.tmux(['display-message', '-p', '-t', job.windowId!, '#{window_activity}'])).trim()) * 1000;
	await waitFor('the question to outlast idle_after_s and a tick', () => Date.now() - silentSince > 5000 + 1000, 20_000);
	t.is((await waitForState(sandbox, job.id, 'needs-input')).reason, 'asks: Overwrite it? [y/N]');
	const events = readFileSync(path.join(sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {to: string; signal: string});
	t.deepEqual(events.filter(event => event.signal === 'idle').map(event => event.to), ['ready', 'ready']);
	t.regex(readFileSync(path.join(sandbox.home, 'supervisor.log'), 'utf8'), new RegExp(`${job.id} ready -> needs-input \\(asks: Overwrite it\\? \\[y/N\\]\\) \\[screen\\]`));
});

test('an agent that reports its state is believed, and its screen is not second-guessed', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const ao = `'${process.execPath}' '${aoBin}'`;
	const script = `${ao} report needs-input --reason "pick a database"; printf "Continue? [y/N] "; read x; ${ao} report ready --reason "done"; sleep 60`;
	const job = await dispatchJson(sandbox, ['-n', 'reporter', '--', 'sh', '-c', script]);
	const asking = await waitForState(sandbox, job.id, 'needs-input');
	t.is(asking.reason, 'pick a database');
	await sandbox.ao(['send', 'reporter', 'y']);
	const done = await waitForState(sandbox, job.id, 'ready');
	t.is(done.reason, 'done');
	const state = JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', job.id, 'state.json'), 'utf8')) as JobJson & {reports: boolean};
	t.true(state.reports);
	const outside = await sandbox.ao(['report', 'ready']);
	t.is(outside.exitCode, 2);
	t.regex(outside.stderr, /AO_JOB_ID is not set/);
	const bad = await sandbox.ao(['report', 'completed'], {env: {AO_JOB_ID: job.id}});
	t.is(bad.exitCode, 2);
	t.regex(bad.stderr, /an agent reports working, needs-input, ready; got "completed"/);
});

test('the claude preset reports through Claude Code hooks: the real CLI, not logged in, reaches needs-input', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const claudeBin = path.join(process.cwd(), 'node_modules', '.bin');
	t.true(existsSync(path.join(claudeBin, 'claude')), 'make installs @anthropic-ai/claude-code');
	const home = path.join(sandbox.dir, 'home');
	const worktree = path.join(sandbox.dir, 'repo.worktrees', 'claude-check');
	await fs.mkdir(home);
	// Onboarding done and the worktree trusted, as after a first interactive run; no credentials at all.
	await fs.writeFile(path.join(home, '.claude.json'), JSON.stringify({hasCompletedOnboarding: true, projects: {[worktree]: {hasTrustDialogAccepted: true}}}));
	const env = {HOME: home, PATH: `${claudeBin}:${process.env.PATH}`};
	const job = await dispatchJson(sandbox, ['--agent', 'claude', '-n', 'claude-check', 'say hello'], {env});
	t.is(job.worktree, worktree);
	const stuck = await waitForState(sandbox, job.id, 'needs-input', /authentication failed/, 60_000);
	t.is(stuck.reason, 'error: the API refused its key (authentication failed)');
	const state = JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', job.id, 'state.json'), 'utf8')) as JobJson & {reports: boolean; transcriptPath: string; sessionId: string};
	t.true(state.reports);
	t.is(path.basename(state.transcriptPath), `${state.sessionId}.jsonl`);
	const events = readFileSync(path.join(sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {to: string; signal: string; reason: string});
	t.deepEqual(events.filter(event => event.signal === 'report').map(event => [event.to, event.reason]).slice(-1), [['needs-input', 'error: the API refused its key (authentication failed)']]);
	t.true(events.some(event => event.signal === 'report' && event.to === 'working'));
	t.regex((await sandbox.ao(['peek', job.id])).stdout, /Not logged in/);
});

test('with max_running 2, five dispatches run two and queue three, which start in order as slots free', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.writeFile(sandbox.configFile, (await fs.readFile(sandbox.configFile, 'utf8')).replace('max_running: 50', 'max_running: 2'));
	const outputs = [];
	for (let index = 1; index <= 5; index++) outputs.push((await sandbox.ao(['dispatch', '-n', `job-${index}`, 'x'])).stdout);
	t.regex(outputs[0]!, /^dispatched /);
	t.regex(outputs[1]!, /^dispatched /);
	t.regex(outputs[2]!, /^queued [0-9a-f]{8} \(job-3\) · #1 in the queue: waiting for a slot: 2 of 2 agents running \(concurrency\.max_running\) · ao list$/);
	t.regex(outputs[3]!, /^queued [0-9a-f]{8} \(job-4\) · #2 in the queue/);
	t.regex(outputs[4]!, /^queued [0-9a-f]{8} \(job-5\) · #3 in the queue/);
	const urgent = await sandbox.ao(['dispatch', '-n', 'urgent', '--priority', '5', 'x']);
	t.regex(urgent.stdout, /^queued [0-9a-f]{8} \(urgent\) · #1 in the queue/);
	await sandbox.ao(['rm', 'urgent']);
	const listed = await sandbox.aoJson<Array<JobJson & {queuePosition?: number}>>(['list']);
	t.deepEqual(listed.filter(job => job.state === 'queued').map(job => [job.name, job.queuePosition]), [['job-3', 1], ['job-4', 2], ['job-5', 3]]);
	t.regex((await sandbox.ao(['list'])).stdout, /^Queued \(3\)\n.*job-3 .*queued .*#1 in queue · waiting for a slot/m);
	const started = async () => (await sandbox.aoJson<JobJson[]>(['list', '--all'])).filter(job => job.state !== 'queued').map(job => job.name).sort();
	await sandbox.ao(['send', 'job-1', 'exit 0']);
	await waitFor('job-3 to start', async () => (await started()).includes('job-3'));
	t.deepEqual(await started(), ['job-1', 'job-2', 'job-3']);
	await sandbox.ao(['stop', 'job-2']);
	await waitFor('job-4 to start', async () => (await started()).includes('job-4'));
	t.false((await started()).includes('job-5'));
	const live = (await sandbox.aoJson<JobJson[]>(['list'])).filter(job => runningStates.includes(job.state));
	t.deepEqual(live.map(job => job.name).sort(), ['job-3', 'job-4']);
});

test('a resource check that fails keeps the job queued, with the limit, the numbers and the fix', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, '');
	// An agent that holds 70 open files: the check counts what running agents really hold, measured by the supervisor.
	const holder = ['--', process.execPath, '-e', 'const fs = require("fs"); for (let i = 0; i < 70; i++) fs.openSync("/dev/null", "r"); setInterval(() => {}, 1e9)'];
	const first = await dispatchJson(sandbox, ['-n', 'first', ...holder]);
	await waitFor('the supervisor to measure the first agent', async () => {
		const job = (await sandbox.aoJson<Array<JobJson & {resources?: {openFiles?: number}}>>(['list'])).find(item => item.id === first.id);
		return (job?.resources?.openFiles ?? 0) >= 70;
	});
	const serverPid = (await sandbox.tmux(['display-message', '-p', '#{pid}'])).trim();
	await execa('prlimit', ['--pid', serverPid, '--nofile=64:']);
	const second = await sandbox.ao(['dispatch', '-n', 'second', ...holder]);
	t.is(second.exitCode, 0, second.stderr);
	t.regex(second.stdout, /^queued [0-9a-f]{8} \(second\) · #1 in the queue: resource check failed: open files: soft limit 64 < needed \d{3}; raise it with "ulimit -n 65536" before the ao server starts, then "ao server restart" · ao list$/);
	const doctor = await sandbox.ao(['doctor']);
	t.is(doctor.exitCode, 1);
	t.regex(doctor.stdout, /^FAIL limits x2 +open files: soft limit 64 < needed \d+/m);
	await execa('prlimit', ['--pid', serverPid, '--nofile=4096:']);
	const [job] = (await sandbox.aoJson<JobJson[]>(['list'])).filter(item => item.name === 'second');
	await waitFor('the queued job to start once the limit allows', async () => (await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === job!.id)?.state !== 'queued');
	t.pass();
});

test('a supervisor killed with -9 is back without any ao command (the tmux hook respawns it)', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await dispatchJson(sandbox, ['-n', 'watched', 'x']);
	const pidFile = path.join(sandbox.home, 'supervisor.pid');
	const first = Number.parseInt(await waitFor('the supervisor pid file', () => fs.readFile(pidFile, 'utf8').catch(() => '')), 10);
	process.kill(first, 'SIGKILL');
	const killedAt = Date.now();
	const second = await waitFor('a new supervisor', async () => {
		const pid = Number.parseInt(await fs.readFile(pidFile, 'utf8').catch(() => ''), 10);
		return pid > 0 && pid !== first && pid;
	});
	// How fast is for make bench to say (tests assert no timings); here it only has to come back on its own.
	t.log(`back after ${Date.now() - killedAt} ms`);
	t.notThrows(() => process.kill(second, 0));
});

test('after kill-server every live job is recorded lost, and respawn --all brings them back in their worktrees', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const jobs = [await dispatchJson(sandbox, ['-n', 'one', 'x']), await dispatchJson(sandbox, ['-n', 'two', 'x'])];
	for (const job of jobs) await waitFor(`${job.name} to start`, () => existsSync(path.join(sandbox.home, `fixture-${job.id}.json`)));
	await sandbox.tmux(['kill-server']);
	for (const job of jobs) await fs.rm(path.join(sandbox.home, `fixture-${job.id}.json`));
	const listed = await sandbox.aoJson<JobJson[]>(['list']);
	t.deepEqual(listed.map(job => [job.name, job.state, job.reason]), [['one', 'failed', 'lost'], ['two', 'failed', 'lost']]);
	// Recorded, not only shown: the state files say lost.
	for (const job of jobs) t.is((JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', job.id, 'state.json'), 'utf8')) as JobJson).reason, 'lost');
	const respawned = await sandbox.ao(['respawn', '--all']);
	t.is(respawned.exitCode, 0, respawned.stderr);
	t.regex(respawned.stdout, /^respawned [0-9a-f]{8} \(one\) in .*repo\.worktrees\/one$/m);
	for (const job of jobs) {
		const record = await waitFor(`${job.name} to run again`, () => existsSync(path.join(sandbox.home, `fixture-${job.id}.json`)) && JSON.parse(readFileSync(path.join(sandbox.home, `fixture-${job.id}.json`), 'utf8')) as {cwd: string});
		t.is(record.cwd, job.worktree);
	}

	t.deepEqual((await sandbox.aoJson<JobJson[]>(['list'])).map(job => runningStates.includes(job.state)), [true, true]);
	t.regex((await sandbox.ao(['respawn', 'one'])).stderr, /is (working|needs-input|ready); only a stopped, failed or completed job can be respawned/);
});

test('an agent idle past idle_stop_after is stopped, and ao send resumes it first', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, '');
	await fs.writeFile(sandbox.configFile, (await fs.readFile(sandbox.configFile, 'utf8')).replace('idle_after_s: 600', 'idle_after_s: 600\n  idle_stop_after: 2s'));
	const job = await dispatchJson(sandbox, ['-n', 'sleepy', 'x']);
	const stopped = await waitForState(sandbox, job.id, 'stopped', /^idle$/);
	t.is(stopped.group, 'Stopped');
	const events = readFileSync(path.join(sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {from: string; to: string});
	t.deepEqual(events.at(-1), {...events.at(-1)!, from: 'needs-input', to: 'stopped'});
	// The stop is written down before the agent has ended; the log line comes once it has.
	await waitFor('the idle stop in the supervisor log', () => new RegExp(`${job.id} stopped: idle in needs-input for 2s, nobody attached`).test(readFileSync(path.join(sandbox.home, 'supervisor.log'), 'utf8')));
	await fs.rm(path.join(sandbox.home, `fixture-${job.id}.json`));
	const sent = await sandbox.ao(['send', 'sleepy', 'welcome back']);
	t.is(sent.exitCode, 0, sent.stderr);
	t.regex(sent.stderr, /resuming sleepy \(stopped while idle\); the first reply takes a moment/);
	await waitFor('the agent to run again', () => existsSync(path.join(sandbox.home, `fixture-${job.id}.json`)));
	// Read the log, not the screen: with a 2 s idle stop the agent may be stopped again, and a peek would resume it.
	await waitFor('the reply to arrive', async () => (await sandbox.ao(['logs', 'sleepy'])).stdout.includes('got: welcome back'));
});

test('needs-input and ready run notify.command with the job as JSON', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, 'notify:\n  command: "cat > \\"$AO_HOME/notified-$AO_JOB_ID.json\\""\n');
	const job = await dispatchJson(sandbox, ['-n', 'noisy', 'x']);
	const file = path.join(sandbox.home, `notified-${job.id}.json`);
	const notified = await waitFor('the notification', () => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')) as JobJson).catch(async (error: Error) => {
		throw new Error(`${error.message}\n${await explainJob(sandbox, job.id)}`);
	});
	t.is(notified.id, job.id);
	t.is(notified.state, 'needs-input');
	await waitFor('the notification in the supervisor log', () => new RegExp(`${job.id} notified: needs-input`).test(readFileSync(path.join(sandbox.home, 'supervisor.log'), 'utf8')));
});

test('ao server status, restart (agents resumed in a new server) and stop', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	t.regex((await sandbox.ao(['server', 'status'])).stdout, /^not running/);
	const job = await dispatchJson(sandbox, ['-n', 'kept', 'x']);
	const status = await sandbox.ao(['server', 'status']);
	t.regex(status.stdout, /^running: socket "ao-test-[0-9a-f]+", server pid \d+, supervisor (pid \d+|starting), 1 agent window\(s\); 1 (working|needs-input)\nao \d+\.\d+\.\d+ \(build [0-9a-f]{12}\)$/);
	const before = (await sandbox.tmux(['display-message', '-p', '#{pid}'])).trim();
	const supervisorPid = async () => /supervisor pid (\d+)/.exec((await sandbox.ao(['server', 'status'])).stdout)?.[1];
	const oldSupervisor = await waitFor('the supervisor pid', supervisorPid);
	await fs.rm(path.join(sandbox.home, `fixture-${job.id}.json`));
	const restarted = await sandbox.ao(['server', 'restart']);
	t.is(restarted.exitCode, 0, restarted.stderr);
	t.regex(restarted.stdout, /1 agent\(s\) resumed or queued/);
	t.not((await sandbox.tmux(['display-message', '-p', '#{pid}'])).trim(), before);
	await waitFor('the agent to run in the new server', () => existsSync(path.join(sandbox.home, `fixture-${job.id}.json`)));
	const newSupervisor = await waitFor('a supervisor in the new server', supervisorPid);
	t.not(newSupervisor, oldSupervisor);
	const stopped = await sandbox.ao(['server', 'stop']);
	t.regex(stopped.stdout, /stopped the ao server and 1 agent\(s\)/);
	t.false(existsSync(path.join(sandbox.home, 'supervisor.pid')), 'the supervisor is gone, pid file and all, when stop returns');
	t.deepEqual((await sandbox.aoJson<JobJson[]>(['list'])).map(item => [item.state, item.reason]), [['stopped', 'server stopped']]);
	t.is((await sandbox.ao(['server', 'bogus'])).exitCode, 2);
});

test('stagger_ms spaces out starts: a second dispatch waits, then starts on its own', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, '');
	await fs.writeFile(sandbox.configFile, (await fs.readFile(sandbox.configFile, 'utf8')).replace('max_running: 50', 'max_running: 50\n  stagger_ms: 8000'));
	// 8 s, not less: on a loaded machine two dispatches started together can reach their start decisions seconds apart.
	const outputs = (await Promise.all([sandbox.ao(['dispatch', '-n', 'one', 'x']), sandbox.ao(['dispatch', '-n', 'two', 'x'])])).map(result => result.stdout);
	const [started, waiting] = outputs[0]!.startsWith('dispatched') ? outputs : [...outputs].reverse();
	t.regex(started!, /^dispatched /);
	t.regex(waiting!, /^queued [0-9a-f]{8} \((one|two)\) · #1 in the queue: starting soon: agents start 8000 ms apart \(concurrency\.stagger_ms\)/);
	const id = /queued ([0-9a-f]{8})/.exec(waiting!)![1]!;
	await waitFor('the waiting one to start', async () => (await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === id)?.state !== 'queued');
	const [a, b] = (await sandbox.aoJson<Array<JobJson & {startedAt: string}>>(['list'])).map(job => Date.parse(job.startedAt)).sort();
	t.true(b! - a! >= 8000, `${b! - a!} ms apart`);
});

test('the supervisor picks up an edited config at its next tick', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatchJson(sandbox, ['-n', 'quiet', '--', 'sh', '-c', 'echo hi; sleep 60']);
	t.true(runningStates.includes((await waitForState(sandbox, job.id, 'working')).state));
	await editConfig(sandbox, text => text.replace('idle_after_s: 600', 'idle_after_s: 1'));
	await waitForState(sandbox, job.id, 'ready');
});

test('a question is still seen when other writes (pins, the forecast) land between the supervisor\'s read and its write', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatchJson(sandbox, ['-n', 'asker', '--', 'sh', '-c', 'echo thinking; sleep 1; printf "Overwrite it? [y/N] "; read answer; sleep 60']);
	// A storm of writes to other fields while the question appears: nearly every change the supervisor derives meanwhile
	// finds the record moved on and is dropped; once the storm ends it must be derived again, not lost for good.
	const store = new JobStore(new StatePaths(sandbox.home));
	const until = Date.now() + 4000;
	for (let round = 0; Date.now() < until; round++) await store.update(job.id, () => ({pinned: round % 2 === 0}));
	await store.update(job.id, () => ({pinned: false}));
	const asked = await waitForState(sandbox, job.id, 'needs-input', undefined, 15_000);
	t.regex(asked.reason, /Overwrite it\? \[y\/N\]/);
});
