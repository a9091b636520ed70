import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import test from 'ava';
import {execa} from 'execa';
import {aoBin, useSandbox, waitFor, type AoSandbox} from './helpers/ao.js';

/** A tmux server standing in for the user's own, on its own socket; killed when the test ends. */
async function userServer(t: {teardown: (fn: () => Promise<void>) => void}, sandbox: AoSandbox, command: string[], env: Record<string, string>) {
	const socket = `ao-user-${randomBytes(4).toString('hex')}`;
	t.teardown(async () => {
		await execa('tmux', ['-L', socket, 'kill-server'], {reject: false});
	});
	const envArgs = Object.entries({...sandbox.env, ...env}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	await execa('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'user', '-x', '120', '-y', '30', '-c', sandbox.repo, ...envArgs, '--', ...command]);
	const user = async (args: string[]) => String((await execa('tmux', ['-L', socket, ...args], {reject: false})).stdout);
	return {socket, user};
}

test('attach from a plain terminal shows the agent, says how to leave, and the detach key returns', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await sandbox.ao(['dispatch', '-n', 'visible', 'x']);
	await waitFor('the agent prompt', async () => (await sandbox.ao(['peek', 'visible'])).stdout.includes('Proceed?'));
	// In the user's server the pane runs `ao attach` with TMUX unset, as a plain terminal would.
	const {user} = await userServer(t, sandbox, ['env', '-u', 'TMUX', process.execPath, aoBin, 'attach', 'visible'], {});
	const screen = await waitFor('the agent inside the attached client', async () => {
		const text = await user(['capture-pane', '-p', '-t', 'user']);
		return text.includes('Proceed? [y/N]') && text;
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
		return text.includes('Proceed? [y/N]') && text;
	});
	t.regex(screen, /C-q leaves this agent/);
	t.regex(await sandbox.tmux(['list-clients', '-F', '#{session_name}']), /^ao-view-/);
});
