import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {aoBin, killTmuxServer, useSandbox, waitFor, type AoSandbox} from './helpers/ao.js';

/** A tmux server standing in for the user's own, on its own socket; killed when the test ends. */
async function userServer(t: {teardown: (fn: () => Promise<void>) => void}, sandbox: AoSandbox, command: string[], env: Record<string, string>) {
	const socket = `ao-user-${randomBytes(4).toString('hex')}`;
	t.teardown(async () => {
		await killTmuxServer(socket);
	});
	const envArgs = Object.entries({...sandbox.env, ...env}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	await execa('tmux', ['-u', '-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'user', '-x', '120', '-y', '30', '-c', sandbox.repo, ...envArgs, '--', ...command]);
	const user = async (args: string[]) => String((await execa('tmux', ['-u', '-L', socket, ...args], {reject: false})).stdout);
	return {socket, user};
}

test('attach from a plain terminal shows the agent, says how to leave, and the detach key returns', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await sandbox.ao(['dispatch', '-n', 'visible', 'x']);
	await waitFor('the agent prompt', async () => (await sandbox.ao(['peek', 'visible'])).stdout.includes('Proceed?'));
	// In the user's server the pane runs `ao attach` with TMUX unset, as a plain terminal would.
	const {user} = await userServer(t, sandbox, ['env', '-u', 'TMUX', process.execPath, aoBin, 'attach', 'visible'], {});
	// The agent's screen, and the status line under it (tmux draws it a moment later on a busy machine).
	const screen = await waitFor('the agent inside the attached client, with its status line', async () => {
		const text = await user(['capture-pane', '-p', '-t', 'user']);
		return text.includes('Proceed? [y/N]') && text.includes('C-q leaves') && text;
	});
	t.regex(screen, /ao\s+visible \([0-9a-f]{8}\)/);
	t.regex(screen, /C-q leaves this agent/);
	const clients = await sandbox.tmux(['list-clients', '-F', '#{session_name}']);
	t.regex(clients, /^ao-view-/);
	await user(['send-keys', '-t', 'user', 'C-q']);
	await waitFor('the client to leave', async () => (await sandbox.tmux(['list-clients'])).trim() === '');
	await waitFor('the viewing session to go away', async () => (await sandbox.tmux(['list-sessions', '-F', '#{session_name}'])).trim() === 'ao');
	t.pass();
});

test('attach inside the user\'s own tmux opens the agent there without touching the ao server\'s clients elsewhere', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.appendFile(sandbox.configFile, 'attach:\n  popup: false\n');
	await sandbox.ao(['dispatch', '-n', 'nested', 'x']);
	await waitFor('the agent prompt', async () => (await sandbox.ao(['peek', 'nested'])).stdout.includes('Proceed?'));
	const {user} = await userServer(t, sandbox, ['sh', '-c', `${process.execPath} ${aoBin} attach nested; sleep 60`], {});
	await waitFor('a window named after the agent in the user\'s tmux', async () => (await user(['list-windows', '-F', '#{window_name}'])).includes('ao: nested'));
	const screen = await waitFor('the agent in that window', async () => {
		const text = await user(['capture-pane', '-p', '-t', 'user:ao: nested']);
		// A notification shown over the status line for a few seconds hides "C-q leaves": wait until it is back.
		return text.includes('Proceed? [y/N]') && text.includes('C-q leaves') && text;
	});
	t.regex(screen, /C-q leaves this agent/);
	t.regex(await sandbox.tmux(['list-clients', '-F', '#{session_name}']), /^ao-view-/);
});

test('after an attach from inside the user\'s tmux, a job that needs input is announced in that tmux too', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.appendFile(sandbox.configFile, 'attach:\n  popup: false\n');
	// The agent asks only once the file "go" exists: what the attached terminals type cannot set it off early.
	await sandbox.ao(['dispatch', '-n', 'later', '--', 'sh', '-c', 'while [ ! -e go ]; do sleep 0.2; done; printf "Sure? [y/N] "; sleep 60']);
	const {socket, user} = await userServer(t, sandbox, ['sh', '-c', `${process.execPath} ${aoBin} attach later; sleep 60`], {});
	await waitFor('the attach to open a window in the user\'s tmux', async () => (await user(['list-windows', '-F', '#{window_name}'])).includes('ao: later'));
	// A terminal on the user's server, recorded by `script`, to read what its status line shows.
	const typescript = `${sandbox.dir}/user-terminal.txt`;
	const terminal = execa('setsid', ['script', '-qfc', `tmux -L ${socket} attach -t user`, typescript], {reject: false, stdin: 'ignore'});
	t.teardown(() => {
		terminal.kill('SIGKILL');
	});
	await waitFor('a client on the user\'s server', async () => (await user(['list-clients'])).trim() !== '');
	await fs.writeFile(path.join(sandbox.dir, 'repo.worktrees', 'later', 'go'), '');
	const shown = await waitFor('the announcement in the user\'s terminal', async () => {
		const text = await fs.readFile(typescript, 'utf8').catch(() => '');
		// (What the terminals send may echo into the agent's pane as ^@ before the question: it is the user's input.)
		return /ao: later \([0-9a-f]{8}\) needs input: asks: (\^@)*Sure\? \[y\/N\]/.test(text) && text;
	}).catch(async error => {
		t.log(await fs.readFile(path.join(sandbox.home, 'supervisor.log'), 'utf8').catch(() => 'no supervisor log'));
		t.log(JSON.stringify((await fs.readFile(typescript, 'utf8').catch(() => '')).slice(-1500)));
		throw error;
	});
	t.truthy(shown);
});
