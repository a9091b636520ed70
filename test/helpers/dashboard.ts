import {randomBytes} from 'node:crypto';
import {execa} from 'execa';
import {aoBin, killTmuxServer, waitFor, type AoSandbox} from './ao.js';

/** The dashboard running in a pane of a tmux server of its own (standing in for the user's terminal). */
export async function openDashboard(t: {teardown: (fn: () => Promise<void>) => void}, sandbox: AoSandbox, size = {width: 120, height: 36}, env: Record<string, string> = {}) {
	const socket = `ao-dash-${randomBytes(4).toString('hex')}`;
	t.teardown(async () => {
		await killTmuxServer(socket);
	});
	const envArgs = Object.entries({...sandbox.env, LANG: 'C.UTF-8', TERM: 'xterm-256color', ...env}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	await execa('tmux', ['-u', '-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'dash', '-x', String(size.width), '-y', String(size.height), '-c', sandbox.repo, ...envArgs, '--',
		'sh', '-c', `${process.execPath} ${aoBin} dashboard; echo "dashboard exited $?"; sleep 60`]);
	const tmux = async (args: string[]) => String((await execa('tmux', ['-u', '-L', socket, ...args], {reject: false})).stdout);
	const screen = () => tmux(['capture-pane', '-p', '-t', 'dash']);
	const keys = (...names: string[]) => tmux(['send-keys', '-t', 'dash', ...names]);
	const type = (text: string) => tmux(['send-keys', '-t', 'dash', '-l', text]);
	let last = '';
	// A timeout shows the screen as it was last read: what the user would have seen instead.
	const waitForScreen = async (what: string, check: (text: string) => boolean, timeoutMs?: number) => waitFor(what, async () => {
		last = await screen();
		return check(last) && last;
	}, timeoutMs).catch((error: Error) => {
		throw new Error(`${error.message}; the screen was:\n${last}`);
	});
	return {screen, keys, type, waitForScreen, tmux};
}
