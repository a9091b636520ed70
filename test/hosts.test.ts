import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {aoBin, dispatchJson, killTmuxServer, useSandbox, waitFor, type AoSandbox, type JobJson} from './helpers/ao.js';
import {openDashboard} from './helpers/dashboard.js';
import {randomTask} from './helpers/random-task.js';
import {SshServer} from './helpers/sshd.js';

// Other hosts over a real sshd on 127.0.0.1: each "host" is another state dir and tmux server of this machine,
// reached through ssh with its own hosts.<name>.ao, as a box across the network would be.

interface HostJob extends JobJson {
	host?: string;
	stale?: boolean;
}

interface Hosts {
	sshd: SshServer;
	homes: Record<string, string>;
}

/** The recorder agent writes the task it was given, byte for byte, beside its worktree (task-<job id>). */
const recorder = `require('fs').writeFileSync(require('path').join(process.cwd(), '..', 'task-' + process.env.AO_JOB_ID), process.argv[1]); setInterval(() => {}, 1000)`;

/** Starts sshd and gives the sandbox the hosts `names`, each with a state dir, tmux server and repository of its own. */
async function withHosts(t: {teardown: (fn: () => Promise<void>) => void}, sandbox: AoSandbox, names: string[], extra = '', account?: string): Promise<Hosts> {
	const sshd = await SshServer.start(path.join(sandbox.dir, 'sshd'));
	t.teardown(async () => sshd.stop());
	const homes: Record<string, string> = {};
	const lines = ['hosts:'];
	for (const name of names) {
		const home = path.join(sandbox.dir, `host-${name}`);
		const socket = `ao-test-${name}-${randomBytes(3).toString('hex')}`;
		t.teardown(async () => killTmuxServer(socket));
		await fs.mkdir(home, {recursive: true});
		const config = path.join(home, 'config.yaml');
		const own = (await fs.readFile(sandbox.configFile, 'utf8')).replace(/^agents:\n/m, `agents:\n  recorder:\n    command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(recorder)}, "--", "{task}"]\n`);
		await fs.writeFile(config, own);
		await sandbox.git(['clone', '-q', sandbox.repo, path.join(home, 'repo')], sandbox.dir);
		homes[name] = home;
		const ao = `AO_HOME=${home}/state AO_SOCKET=${socket} AO_CONFIG=${config} GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@x GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@x ${process.execPath} ${aoBin}`;
		lines.push(`  ${name}:`, `    ssh: ${sshd.destination}`, `    ssh_args: ${JSON.stringify(sshd.clientArgs)}`, `    ao: ${JSON.stringify(ao)}`, ...(account ? [`    account: ${account}`] : []));
	}

	await fs.appendFile(sandbox.configFile, `${lines.join('\n')}\n${extra}`);
	return {sshd, homes};
}

test('ao --host NAME dispatches there with the task byte for byte, and runs list, peek, send and cost there; attach without a terminal is refused', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const {homes} = await withHosts(t, sandbox, ['box1']);
	const repo = path.join(homes.box1!, 'repo');
	const tasks = [...Array.from({length: 8}, (_, index) => randomTask(index * 7 + 3)), 'it\'s "quoted" $HOME `id` \\n', '-starts with a dash', '--', 'line one\nline two', '日本語 👩‍💻'];
	const ids: string[] = [];
	for (const [index, task] of tasks.entries()) {
		const result = await sandbox.ao(['--host', 'box1', 'dispatch', '--json', '--cwd', repo, '--agent', 'recorder', '--name', `t${index}`, '--task', task]);
		t.is(result.exitCode, 0, result.stderr);
		ids.push((JSON.parse(result.stdout) as JobJson).id);
	}

	for (const [index, id] of ids.entries()) {
		const file = path.join(`${repo}.worktrees`, `task-${id}`);
		const got = await waitFor(`the task of t${index}`, async () => fs.readFile(file, 'utf8').catch(() => undefined));
		t.is(got, tasks[index], `task ${index}`);
	}

	const talker = await sandbox.ao(['--host', 'box1', 'dispatch', '--cwd', repo, '--name', 'talker', '--', 'sh', '-c', 'read line; echo "got: $line"; sleep 60']);
	t.is(talker.exitCode, 0, talker.stderr);
	const listed = await sandbox.aoJson<HostJob[]>(['--host', 'box1', 'list']);
	t.deepEqual(listed.map(job => job.name).sort(), ['talker', ...tasks.map((_, index) => `t${index}`)].sort());
	const sent = await sandbox.ao(['--host', 'box1', 'send', 'talker', 'hello $HOME "there"']);
	t.is(sent.exitCode, 0, sent.stderr);
	await waitFor('the reply there', async () => (await sandbox.ao(['--host', 'box1', 'peek', 'talker'])).stdout.includes('got: hello $HOME "there"'));
	const cost = await sandbox.ao(['--host', 'box1', 'cost', '--json']);
	t.is(cost.exitCode, 0, cost.stderr);
	t.is((JSON.parse(cost.stdout) as {jobs: unknown[]}).jobs.length, tasks.length + 1);
	const attach = await sandbox.ao(['--host', 'box1', 'attach', 'talker']);
	t.is(attach.exitCode, 2);
	t.is(attach.stderr, 'ao: ao attach on box1 needs a terminal and this command has none; run it in a terminal, or use ao --host box1 peek and send');
	const unknown = await sandbox.ao(['--host', 'box9', 'list']);
	t.is(unknown.exitCode, 2);
	t.is(unknown.stderr, 'ao: no host "box9" in config; known: box1, and local (this machine)');
	const missing = await sandbox.ao(['--host', 'box1', 'peek', 'nobody']);
	t.is(missing.exitCode, 1);
	t.regex(missing.stderr, /^ao: no job "nobody"/);
});

test('ao list shows every host\'s jobs grouped by state with a HOST column; a host that goes away is stale, never failed, and comes back by itself', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const {sshd, homes} = await withHosts(t, sandbox, ['box1', 'box2']);
	t.is((await sandbox.ao(['dispatch', '--name', 'here', '--', 'sleep', '600'])).exitCode, 0);
	for (const name of ['box1', 'box2']) {
		const result = await sandbox.ao(['--host', name, 'dispatch', '--cwd', path.join(homes[name]!, 'repo'), '--name', `on-${name}`, '--', 'sh', '-c', 'printf "Overwrite it? [y/N] "; read answer']);
		t.is(result.exitCode, 0, result.stderr);
	}

	const all = await waitFor('both questions', async () => {
		const jobs = await sandbox.aoJson<HostJob[]>(['list']);
		return jobs.filter(job => job.state === 'needs-input').length === 2 && jobs;
	});
	t.deepEqual(all.map(job => [job.host, job.name, job.state]), [['box1', 'on-box1', 'needs-input'], ['box2', 'on-box2', 'needs-input'], ['local', 'here', 'working']]);
	const table = (await sandbox.ao(['list'])).stdout;
	t.regex(table, /^Needs input \(2\)\n {2}[0-9a-f]{8} {2}box1 +on-box1 .*needs-input .*asks: Overwrite it\? \[y\/N\]\n {2}[0-9a-f]{8} {2}box2 +on-box2 /m);
	t.regex(table, /^Working \(1\)\n {2}[0-9a-f]{8} {2}local {2}here /m);
	t.deepEqual((await sandbox.aoJson<HostJob[]>(['list', '--host', 'local'])).map(job => job.name), ['here']);
	await sshd.stop();
	const started = Date.now();
	const away = await sandbox.ao(['list']);
	t.true(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
	t.is(away.exitCode, 0, away.stderr);
	t.regex(away.stdout, /box1 +on-box1 .*needs-input .*as last seen · asks: Overwrite it/);
	t.regex(away.stdout, /local {2}here /);
	t.regex(away.stdout, /^box1 unreachable since \d\d:\d\d UTC \(ssh: connect to host 127\.0\.0\.1 port \d+: Connection refused\); its 1 job\(s\) as last seen at \d\d:\d\d$/m);
	const json = await sandbox.ao(['list', '--json']);
	t.regex(json.stderr, /^ao: warning: box1 unreachable since/m);
	t.true((JSON.parse(json.stdout) as HostJob[]).filter(job => job.host !== 'local').every(job => job.stale === true && job.state === 'needs-input'));
	const back = await SshServer.start(path.join(sandbox.dir, 'sshd'), sshd.port);
	t.teardown(async () => back.stop());
	const fresh = await sandbox.ao(['list']);
	t.notRegex(fresh.stdout, /as last seen|unreachable/);
	t.regex(fresh.stdout, /box2 +on-box2 .*needs-input/);
});

test('a host whose ao is another version is one line with the fix, and the other hosts still list', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const old = path.join(sandbox.dir, 'old-ao');
	await fs.writeFile(old, '#!/bin/sh\necho 0.1.0\n', {mode: 0o755});
	const {sshd} = await withHosts(t, sandbox, ['box1']);
	await fs.appendFile(sandbox.configFile, `  oldbox:\n    ssh: ${sshd.destination}\n    ssh_args: ${JSON.stringify(sshd.clientArgs)}\n    ao: ${old}\n`);
	t.is((await sandbox.ao(['dispatch', '--name', 'here', '--', 'sleep', '600'])).exitCode, 0);
	const listed = await sandbox.ao(['list']);
	t.is(listed.exitCode, 0, listed.stderr);
	t.regex(listed.stdout, /local {2}here /);
	t.regex(listed.stdout, /^oldbox: runs ao 0\.1\.0, and this is ao \d+\.\d+\.\d+; put this ao there \(ao host install oldbox\) or set hosts\.oldbox\.ao to the ao it should run$/m);
});

test('the dashboard shows the other hosts\' jobs beside this machine\'s, replies to one there, and keeps answering keys while its host is away', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const {sshd, homes} = await withHosts(t, sandbox, ['box1']);
	t.is((await sandbox.ao(['dispatch', '--name', 'here', '--', 'sleep', '600'])).exitCode, 0);
	const remote = await sandbox.ao(['--host', 'box1', 'dispatch', '--cwd', path.join(homes.box1!, 'repo'), '--name', 'faraway', '--', 'sh', '-c', 'printf "Proceed? [y/N] "; read answer; echo "got: $answer"; sleep 60']);
	t.is(remote.exitCode, 0, remote.stderr);
	const dash = await openDashboard(t, sandbox);
	await dash.waitForScreen('the remote job', screen => /faraway@box1/.test(screen) && screen.includes('Needs input (1)'));
	// It came in after "here" was selected: the selection stays where it was until moved.
	await dash.keys('k');
	await dash.waitForScreen('it selected, with its screen from box1', screen => /^│> +faraway@box1/m.test(screen) && screen.includes('Proceed? [y/N]'));
	await dash.keys('r');
	await dash.waitForScreen('the reply prompt', screen => screen.includes('reply to faraway on box1'));
	await dash.type('yes please');
	await dash.keys('Enter');
	await dash.waitForScreen('sent', screen => screen.includes('box1: sent to'));
	await waitFor('the reply there', async () => (await sandbox.ao(['--host', 'box1', 'peek', 'faraway'])).stdout.includes('got: yes please'));
	await sshd.stop();
	await dash.waitForScreen('box1 unreachable in the header', screen => /box1 unreachable since/.test(screen), 20_000);
	await dash.keys('j');
	const moved = await dash.waitForScreen('the selection moved', screen => /^│> +here/m.test(screen));
	t.regex(moved, /faraway@box1/);
});

test('ao --host NAME attach inside your tmux opens the agent over ssh -t in a window of it (a popup on tmux 3.2+ unless attach.popup is off)', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const {homes} = await withHosts(t, sandbox, ['box1'], 'attach:\n  popup: false\n');
	const started = await sandbox.ao(['--host', 'box1', 'dispatch', '--cwd', path.join(homes.box1!, 'repo'), '--name', 'faraway', '--', 'sh', '-c', 'echo "the screen on box1"; sleep 60']);
	t.is(started.exitCode, 0, started.stderr);
	// The user's own tmux, in whose pane the command is typed.
	const user = `ao-user-${randomBytes(3).toString('hex')}`;
	t.teardown(async () => killTmuxServer(user));
	const envArgs = Object.entries({...sandbox.env, LANG: 'C.UTF-8', TERM: 'xterm-256color'}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	const {execa} = await import('execa');
	await execa('tmux', ['-u', '-L', user, '-f', '/dev/null', 'new-session', '-d', '-s', 'me', '-x', '120', '-y', '30', ...envArgs, '--', 'sh', '-c', `${process.execPath} ${aoBin} --host box1 attach faraway; sleep 60`]);
	const windows = async () => String((await execa('tmux', ['-L', user, 'list-windows', '-t', 'me', '-F', '#{window_index} #{window_name}'], {reject: false})).stdout);
	const opened = await waitFor('the agent\'s window', async () => /^\d+ ao: faraway on box1$/m.exec(await windows())?.[0]);
	const index = opened.split(' ')[0]!;
	await waitFor('the remote agent\'s screen in it', async () => String((await execa('tmux', ['-L', user, 'capture-pane', '-p', '-t', `me:${index}`], {reject: false})).stdout).includes('the screen on box1'));
	t.pass();
});

/** A command for a shell job that tells its ao (AO_HOME, AO_JOB_ID of its window) a Claude transcript of `tokens`. */
async function spender(dir: string, name: string, tokens: number): Promise<string[]> {
	const transcript = path.join(dir, `transcript-${name}.jsonl`);
	const entry = {type: 'assistant', timestamp: new Date().toISOString(), message: {id: `m-${name}`, model: 'claude-sonnet-4-5', usage: {input_tokens: tokens, output_tokens: 0}}};
	await fs.writeFile(transcript, `${JSON.stringify(entry)}\n`);
	const payload = JSON.stringify({transcript_path: transcript});
	return ['--', 'sh', '-c', `printf '%s' '${payload}' | '${process.execPath}' '${aoBin}' report --hook Stop; sleep 600`];
}

test('hosts on one subscription share one quota window: their tokens count here, ao cost shows it per account, and queued jobs here wait for it', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const {homes} = await withHosts(t, sandbox, ['box1', 'box2'], 'budget:\n  window_tokens: 5000\n  account: max\n', 'max');
	await fs.writeFile(sandbox.configFile, (await fs.readFile(sandbox.configFile, 'utf8')).replace('  tick_ms: 200\n', '  tick_ms: 200\n  hosts_poll_s: 1\n'));
	// 1k spent here (within the 5k window alone), 2k on box1 and 3k on box2: 6k of the account's 5k together.
	t.is((await sandbox.ao(['dispatch', '--name', 'here', ...await spender(sandbox.dir, 'here', 1000)])).exitCode, 0);
	for (const [name, tokens] of [['box1', 2000], ['box2', 3000]] as const) {
		const result = await sandbox.ao(['--host', name, 'dispatch', '--cwd', path.join(homes[name]!, 'repo'), '--name', `on-${name}`, ...await spender(sandbox.dir, name, tokens)]);
		t.is(result.exitCode, 0, result.stderr);
	}

	const cost = await waitFor('the account\'s window in ao cost', async () => {
		const shown = (await sandbox.ao(['cost'])).stdout;
		return /^account max/m.test(shown) && !/ 0 of 5k/.test(shown) && /6k of 5k/.test(shown) && shown;
	});
	t.regex(cost, /^account max \(this machine, box1, box2\): 6k of 5k tokens of the 5 h window used, resets in 5 h; the window is spent \(before it resets: queued jobs wait\), together \d[\d.k]* tokens\/min$/m);
	t.notRegex(cost, /^1k of 5k tokens/m, 'this machine\'s window alone is not shown as if it were the whole');
	const json = await sandbox.aoJson<{window: {used: number; shared?: {account: string; hosts: string[]}}; accounts: Array<{account: string; hosts: string[]; window: {used: number}}>}>(['cost']);
	t.deepEqual(json.accounts.map(entry => [entry.account, entry.hosts, entry.window.used]), [['max', ['local', 'box1', 'box2'], 6000]]);
	t.is(json.window.used, 6000);
	t.deepEqual(json.window.shared && [json.window.shared.account, json.window.shared.hosts], ['max', ['box1', 'box2']], 'this machine\'s window, shared with the others, as ao list tells it');
	// The supervisor hears the hosts too: ao list's usage line, and a job dispatched here now waits for the quota.
	const listed = await waitFor('the shared window in ao list', async () => {
		const shown = (await sandbox.ao(['list', '--host', 'local'])).stdout;
		return /quota window 6k used \(account max, with box1, box2: /.test(shown) && shown;
	});
	t.regex(listed, /quota window 6k used \(account max, with box1, box2: [\d.k]+ tokens\/min together\), spent, resets in 5 h \(queued jobs wait\)/);
	const late = await dispatchJson(sandbox, ['--name', 'late', '--', 'sleep', '600']);
	t.is(late.state, 'queued');
	const waiting = await waitFor('the quota reason', async () => {
		const job = (await sandbox.aoJson<JobJson[]>(['list', '--host', 'local'])).find(item => item.name === 'late');
		return job?.reason.startsWith('quota') && job;
	});
	t.is(waiting.reason, 'quota: account max\'s 5 h window\'s 5k tokens are spent; it resets in 5 h (budget.window_tokens; spent with box1, box2)');
});
