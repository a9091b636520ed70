import {randomBytes} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import test from 'ava';
import {execa} from 'execa';
import {killTmuxServer, runningStates, useSandbox, waitFor, type AoResult, type AoSandbox, type JobJson} from './helpers/ao.js';
import {aoCommandLine, useSshd, type SshServer} from './helpers/sshd.js';

const echoAgent = ['sh', '-c', 'echo started; while read line; do echo "got $line"; done'];
const tickAgent = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done'];

/** ao run in a fresh non-interactive ssh login, as `ssh host 'ao ...'` would. */
function remoteAo(server: SshServer, sandbox: AoSandbox) {
	return async (args: string[]) => server.ssh(aoCommandLine(sandbox, args));
}

function dispatchedId(result: AoResult): string {
	const id = /^dispatched ([0-9a-f]{8})/.exec(result.stdout)?.[1];
	if (result.exitCode !== 0 || !id) throw new Error(`dispatch over ssh failed (${result.exitCode}): ${result.stdout}${result.stderr}`);
	return id;
}

function highestTick(screen: string): number {
	return Math.max(0, ...[...screen.matchAll(/tick (\d+)/g)].map(match => Number(match[1])));
}

/**
 * A tmux server standing in for the user's terminal emulator, on its own socket, with `command` as its one pane's
 * process (no shell in between); killed when the test ends.
 */
async function userTerminal(t: {teardown: (fn: () => Promise<void>) => void}, command: string[]) {
	const socket = `term-${randomBytes(4).toString('hex')}`;
	const tmux = async (args: string[]) => String((await execa('tmux', ['-u', '-L', socket, ...args], {reject: false})).stdout);
	t.teardown(() => killTmuxServer(socket));
	await execa('tmux', ['-u', '-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'term', '-x', '200', '-y', '50', '--', ...command]);
	return {
		screen: async () => tmux(['capture-pane', '-p', '-t', 'term']),
		type: async (line: string) => {
			await tmux(['send-keys', '-t', 'term', '-l', line]);
			await tmux(['send-keys', '-t', 'term', 'Enter']);
		},
		panePid: async () => Number((await tmux(['list-panes', '-t', 'term', '-F', '#{pane_pid}'])).trim()),
	};
}

test('over ssh with sshd\'s bare environment (no locale, no TERM), dispatch, list, peek and send work', async t => {
	t.timeout(60_000);
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const server = await useSshd(t, sandbox);
	const ao = remoteAo(server, sandbox);
	const env = (await server.ssh('env')).stdout;
	t.notRegex(env, /^(LANG|LC_ALL|LC_CTYPE|TERM)=/m, 'the login has no locale and no TERM');
	t.regex(env, /^SSH_CONNECTION=127\.0\.0\.1 /m, 'it is an ssh login');

	const dispatched = await ao(['dispatch', '-n', 'remote', '--', ...echoAgent]);
	t.notRegex(dispatched.stderr, /create window failed/);
	const id = dispatchedId(dispatched);
	t.regex(dispatched.stdout, /^dispatched [0-9a-f]{8} \(remote\)/);

	for (const command of ['list', 'ls']) {
		const listed = await ao([command]);
		t.is(listed.exitCode, 0, listed.stderr);
		t.regex(listed.stdout, new RegExp(`${id}\\s+remote\\b`), `ao ${command}`);
	}

	const listedJson = await ao(['list', '--json']);
	t.is(listedJson.exitCode, 0, listedJson.stderr);
	const job = (JSON.parse(listedJson.stdout) as JobJson[]).find(item => item.id === id);
	t.truthy(job, listedJson.stdout);
	t.true(runningStates.includes(job!.state), job!.state);

	await waitFor('the agent to start', async () => (await ao(['peek', 'remote'])).stdout.includes('started'));
	const sent = await ao(['send', 'remote', 'hello']);
	t.is(sent.exitCode, 0, sent.stderr);
	const screen = await waitFor('the agent to answer', async () => {
		const peek = await ao(['peek', 'remote']);
		return peek.stdout.includes('got hello') && peek.stdout;
	});
	t.regex(screen, /^got hello$/m);
});

test('ao attach over ssh without a terminal is refused in one line', async t => {
	t.timeout(60_000);
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const server = await useSshd(t, sandbox);
	const ao = remoteAo(server, sandbox);
	dispatchedId(await ao(['dispatch', '-n', 'remote', '--', ...echoAgent]));

	// server.ssh throws if ssh has not ended within 20 s: a hang fails the test too.
	const attached = await ao(['attach', 'remote']);
	t.not(attached.exitCode, 0, attached.stdout);
	const stderr = attached.stderr.trim();
	t.is(stderr.split('\n').length, 1, stderr);
	t.regex(stderr, /^ao: .*terminal/i);
});

test('an interactive ssh -t login whose client is killed: the agent keeps running and its output keeps growing', async t => {
	t.timeout(60_000);
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const server = await useSshd(t, sandbox);
	const terminal = await userTerminal(t, ['ssh', '-tt', ...server.clientArgs, server.destination]);
	await waitFor('the remote shell prompt', async () => /[#$]\s*$/m.test(await terminal.screen()), 15_000);

	await terminal.type(aoCommandLine(sandbox, ['dispatch', '-n', 'ticker', '--', ...tickAgent]));
	const job = await waitFor('the job dispatched in the interactive login', async () => {
		return (await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.name === 'ticker');
	}).catch(async (error: Error) => {
		throw new Error(`${error.message}\nthe user's terminal:\n${await terminal.screen()}`);
	});
	await waitFor('the agent to tick', async () => highestTick((await sandbox.ao(['peek', job.id])).stdout) > 0);
	// The premise: the ao server was started by that login (tmux keeps the starting client's environment), not by the test.
	t.regex(await sandbox.tmux(['show-environment', '-g', 'SSH_CONNECTION']), /^SSH_CONNECTION=127\.0\.0\.1 /);

	const client = await terminal.panePid();
	t.is(readFileSync(`/proc/${client}/comm`, 'utf8').trim(), 'ssh', 'the pane\'s process is the ssh client');
	process.kill(client, 'SIGKILL');
	await waitFor('sshd to end the dropped session', () => server.sessions().length === 0, 10_000);

	// The user comes back in a new login and looks.
	const ao = remoteAo(server, sandbox);
	const listed = await ao(['list', '--json']);
	t.is(listed.exitCode, 0, listed.stderr);
	const after = (JSON.parse(listed.stdout) as JobJson[]).find(item => item.id === job.id);
	t.true(after && runningStates.includes(after.state), JSON.stringify(after));

	const log = path.join(sandbox.home, 'jobs', job.id, 'output.log');
	const sizeBefore = statSync(log).size;
	const tickBefore = highestTick((await ao(['peek', job.id])).stdout);
	await sleep(2000);
	t.true(statSync(log).size > sizeBefore, 'the output log grows after the client is gone');
	const tickAfter = highestTick((await ao(['peek', job.id])).stdout);
	t.true(tickAfter > tickBefore, `tick ${tickBefore} then ${tickAfter}`);
});
