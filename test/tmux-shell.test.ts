import {randomBytes} from 'node:crypto';
import test from 'ava';
import {execa} from 'execa';
import {runTmuxThroughShell, ServerNotRunning, Tmux} from '../src/core/tmux/tmux.js';
import {killTmuxServer} from './helpers/ao.js';

// The supervisor runs tmux through a shell of its own (cheaper to fork than Node): the same argv must reach tmux.
// This file's worker runs every tmux call that way.
runTmuxThroughShell();

async function server(t: {teardown: (fn: () => Promise<void>) => void}): Promise<Tmux> {
	const socket = `ao-test-shell-${randomBytes(4).toString('hex')}`;
	t.teardown(async () => killTmuxServer(socket));
	await execa('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'ao', 'sleep 600']);
	return new Tmux(socket);
}

test('arguments reach tmux as they are: quotes, $, backticks, backslashes, tabs, unicode, a final ;', async t => {
	const tmux = await server(t);
	for (const value of [String.raw`it's "quoted" $HOME $(id) \`id\` \\ \n`, 'tab\there', 'ünïcødé ✓', 'ends with ;', '-starts-with-a-dash', '']) {
		await tmux.run(['set-option', '-g', '@ao-test', value]);
		t.is(await tmux.run(['show-option', '-gv', '@ao-test']), `${value}\n`, value);
	}
});

test('a newline in an argument goes the usual way, and arrives whole', async t => {
	const tmux = await server(t);
	await tmux.run(['set-option', '-g', '@ao-test', 'two\nlines']);
	t.is(await tmux.run(['show-option', '-gv', '@ao-test']), 'two\nlines\n');
});

test('calls made at once are answered each with its own output, in any order they were asked', async t => {
	const tmux = await server(t);
	await Promise.all(Array.from({length: 20}, async (_, index) => tmux.run(['set-option', '-g', `@ao-test-${index}`, `value ${index}`])));
	const values = await Promise.all(Array.from({length: 20}, async (_, index) => tmux.run(['show-option', '-gv', `@ao-test-${index}`])));
	t.deepEqual(values, Array.from({length: 20}, (_, index) => `value ${index}\n`));
});

test('tmux\'s errors and a server that is not running are told as they are without the shell', async t => {
	const tmux = await server(t);
	await t.throwsAsync(tmux.run(['kill-window', '-t', 'ao:9']), {message: /^tmux kill-window: can't find window: 9/});
	const none = new Tmux(`ao-test-none-${randomBytes(4).toString('hex')}`);
	await t.throwsAsync(none.run(['list-panes']), {instanceOf: ServerNotRunning});
	t.is(await none.listPanes(), undefined);
});
