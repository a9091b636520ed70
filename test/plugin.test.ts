import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {StatePaths} from '../src/core/paths.js';
import {confMentionsPlugin, pluginSpellings, runShellLine, shellWord, textToAppend} from '../src/core/tmux/tmux-plugin.js';
import {userServers} from '../src/core/tmux/user-servers.js';
import {aoBin, killTmuxServer, root, useSandbox, waitFor, type AoResult, type AoSandbox} from './helpers/ao.js';

const pluginScript = path.join(root, 'tmux', 'ao.tmux');
const statusScript = path.join(root, 'tmux', 'status.sh');
const installLine = `run-shell '${pluginScript}'`;

type Teardown = {teardown: (fn: () => Promise<void>) => void};

/** A tmux server standing in for the user's own (no config, its state dir the sandbox's); killed when the test ends. */
async function userTmux(t: Teardown, sandbox: AoSandbox) {
	const socket = `ao-plugin-${randomBytes(4).toString('hex')}`;
	t.teardown(async () => {
		await killTmuxServer(socket);
	});
	// The server takes its global environment from this client, so the plugin's `ao tmux register` uses the sandbox.
	await execa('tmux', ['-u', '-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'user', '-x', '120', '-y', '30'], {env: sandbox.env});
	const tmux = async (args: string[]) => String((await execa('tmux', ['-u', '-L', socket, ...args], {reject: false})).stdout);
	const load = async (script = pluginScript) => {
		await execa('tmux', ['-u', '-L', socket, 'run-shell', shellWord(script)]);
	};

	return {socket, tmux, load};
}

/** A copy of the plugin in a checkout whose path needs quoting, with a bin/ao that logs its arguments and $TMUX. */
async function oddCheckout(sandbox: AoSandbox) {
	const checkout = path.join(sandbox.dir, 'my ao\'s $checkout');
	const log = path.join(sandbox.dir, 'fake-ao.log');
	await fs.mkdir(path.join(checkout, 'tmux'), {recursive: true});
	await fs.mkdir(path.join(checkout, 'bin'));
	await fs.copyFile(pluginScript, path.join(checkout, 'tmux', 'ao.tmux'));
	await fs.copyFile(statusScript, path.join(checkout, 'tmux', 'status.sh'));
	await fs.writeFile(path.join(checkout, 'bin', 'ao'), `#!/bin/sh\necho "$* TMUX=$TMUX" >> ${shellWord(log)}\n`, {mode: 0o755});
	await fs.chmod(path.join(checkout, 'tmux', 'ao.tmux'), 0o755);
	return {checkout, script: path.join(checkout, 'tmux', 'ao.tmux'), readLog: async () => fs.readFile(log, 'utf8').catch(() => '')};
}

/** `ao tmux ...` with only the environment given (no $TMUX unless given), HOME a temp dir. */
async function aoTmux(args: string[], env: Record<string, string>): Promise<AoResult> {
	const result = await execa(process.execPath, [aoBin, 'tmux', ...args], {env: {PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env}, extendEnv: false, reject: false, stdin: 'ignore'});
	return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr)};
}

async function tempHome(sandbox: AoSandbox): Promise<{home: string; conf: string; env: Record<string, string>}> {
	const home = path.join(sandbox.dir, 'home');
	await fs.mkdir(home);
	return {home, conf: path.join(home, '.tmux.conf'), env: {HOME: home, AO_HOME: sandbox.home}};
}

test('the plugin binds prefix + A to a popup running this checkout\'s ao dashboard', async t => {
	const {tmux, load} = await userTmux(t, useSandbox(t));
	await load();
	const binding = await tmux(['list-keys', '-T', 'prefix', 'A']);
	t.regex(binding, /^bind-key\s+-T prefix A display-popup -E /);
	t.regex(binding, / -w "?90%"? /);
	t.regex(binding, / -h "?90%"? /);
	t.true(binding.endsWith(` "${aoBin} dashboard"`), binding);
});

test('@ao-key F and @ao-popup off bind F to a new window named ao, and leave A alone', async t => {
	const {tmux, load} = await userTmux(t, useSandbox(t));
	await tmux(['set-option', '-g', '@ao-key', 'F']);
	await tmux(['set-option', '-g', '@ao-popup', 'off']);
	await load();
	t.is(await tmux(['list-keys', '-T', 'prefix', 'F']), `bind-key -T prefix F new-window -n ao "${aoBin} dashboard"`);
	t.is(await tmux(['list-keys', '-T', 'prefix', 'A']), '');
});

test('@ao-popup-size sets the popup\'s width and height', async t => {
	const {tmux, load} = await userTmux(t, useSandbox(t));
	await tmux(['set-option', '-g', '@ao-popup-size', '70%']);
	await load();
	const binding = await tmux(['list-keys', '-T', 'prefix', 'A']);
	t.regex(binding, / -w "?70%"? /);
	t.regex(binding, / -h "?70%"? /);
});

test('sourcing the plugin twice puts the status segment in status-right once, after what was there', async t => {
	const {tmux, load} = await userTmux(t, useSandbox(t));
	const before = await tmux(['show-option', '-gqv', 'status-right']);
	await load();
	await load();
	t.is(await tmux(['show-option', '-gqv', 'status-right']), `${before} #(${statusScript})`);
});

test('@ao-status off leaves status-right as it was', async t => {
	const {tmux, load} = await userTmux(t, useSandbox(t));
	await tmux(['set-option', '-g', '@ao-status', 'off']);
	const before = await tmux(['show-option', '-gqv', 'status-right']);
	await load();
	t.is(await tmux(['show-option', '-gqv', 'status-right']), before);
});

test('the status segment prints what the supervisor wrote, and nothing (exit 0) when there is no such file', async t => {
	const sandbox = useSandbox(t);
	const env = {AO_HOME: sandbox.home, PATH: process.env.PATH ?? ''};
	const missing = await execa(statusScript, [], {env, extendEnv: false, reject: false});
	t.is(missing.exitCode, 0);
	t.is(missing.stdout, '');
	await fs.mkdir(sandbox.home, {recursive: true});
	await fs.writeFile(new StatePaths(sandbox.home).statusLineFile, 'ao 2? 1!');
	const shown = await execa(statusScript, [], {env, extendEnv: false});
	t.is(shown.stdout, 'ao 2? 1!');
});

test('a checkout path with spaces, quotes and $ loads from the install line, and its key runs that checkout\'s ao', async t => {
	const sandbox = useSandbox(t);
	const {socket, tmux} = await userTmux(t, sandbox);
	const {checkout, script, readLog} = await oddCheckout(sandbox);
	const conf = path.join(sandbox.dir, 'tmux.conf');
	await fs.writeFile(conf, `set -g @ao-popup off\n${runShellLine(script)}\n`);
	await tmux(['source-file', conf]);
	t.regex(await tmux(['show-option', '-gqv', 'status-right']), / #\('.*\$checkout\/tmux\/status\.sh'\)$/);
	// Run the bound command as the key would: the same tmux command, sourced.
	const binding = await tmux(['list-keys', '-T', 'prefix', 'A']);
	const command = /^bind-key\s+-T prefix A\s+(new-window .*)$/.exec(binding)?.[1];
	t.truthy(command, binding);
	await fs.writeFile(conf, `${command}\n`);
	await tmux(['source-file', conf]);
	const log = await waitFor('the dashboard command to run', async () => {
		const text = await readLog();
		return text.includes('dashboard') && text;
	});
	const socketPath = (await tmux(['display-message', '-p', '#{socket_path}'])).trim();
	t.regex(log, new RegExp(`^dashboard TMUX=${socketPath},`, 'm'));
	t.true(socketPath.endsWith(socket));
	t.true(checkout.includes(' '));
});

test('loading the plugin runs `ao tmux register` in the background, in the server it loads into', async t => {
	const sandbox = useSandbox(t);
	const {tmux} = await userTmux(t, sandbox);
	const {script, readLog} = await oddCheckout(sandbox);
	await tmux(['run-shell', shellWord(script)]);
	const socketPath = (await tmux(['display-message', '-p', '#{socket_path}'])).trim();
	const log = await waitFor('the registration', async () => {
		const logged = await readLog();
		return logged.includes('tmux register') && logged;
	});
	t.regex(log, new RegExp(`^tmux register TMUX=${socketPath},`, 'm'));
});

test('loading the plugin registers its server, so the supervisor notifies it', async t => {
	const sandbox = useSandbox(t);
	const {tmux, load} = await userTmux(t, sandbox);
	await load();
	const socketPath = (await tmux(['display-message', '-p', '#{socket_path}'])).trim();
	await waitFor('the server in the registry', async () => (await userServers(new StatePaths(sandbox.home))).includes(socketPath));
	t.pass();
});

test('the install line is run-shell with the plain path, quoted for sh and tmux when the path needs it', t => {
	t.is(runShellLine('/opt/ao/tmux/ao.tmux'), 'run-shell \'/opt/ao/tmux/ao.tmux\'');
	t.is(runShellLine('/home/me/my ao/tmux/ao.tmux'), 'run-shell "\'/home/me/my ao/tmux/ao.tmux\'"');
	t.is(runShellLine('/a/it\'s $x/tmux/ao.tmux'), String.raw`run-shell "'/a/it'\\''s \$x/tmux/ao.tmux'"`);
	t.is(runShellLine('/a/#1/tmux/ao.tmux'), 'run-shell "\'/a/##1/tmux/ao.tmux\'"');
});

test('a conf mentions the plugin when any line names its path, absolute or under ~/', t => {
	const spellings = pluginSpellings('/home/me/src/ao/tmux/ao.tmux', '/home/me');
	t.deepEqual(spellings, ['/home/me/src/ao/tmux/ao.tmux', '~/src/ao/tmux/ao.tmux', '$HOME/src/ao/tmux/ao.tmux']);
	t.true(confMentionsPlugin('set -g mouse on\nrun-shell \'/home/me/src/ao/tmux/ao.tmux\'\n', spellings));
	t.true(confMentionsPlugin('run \'~/src/ao/tmux/ao.tmux\'', spellings));
	t.false(confMentionsPlugin('run-shell \'/home/me/other/ao/tmux/ao.tmux\'\n', spellings));
	t.false(confMentionsPlugin('', spellings));
	t.deepEqual(pluginSpellings('/opt/ao/tmux/ao.tmux', '/home/me'), ['/opt/ao/tmux/ao.tmux']);
});

test('the appended text puts the line on a line of its own', t => {
	t.is(textToAppend('', 'L'), 'L\n');
	t.is(textToAppend('set -g mouse on\n', 'L'), 'L\n');
	t.is(textToAppend('set -g mouse on', 'L'), '\nL\n');
});

test('ao tmux install prints the run-shell line for this checkout with a one-line explanation, and writes nothing', async t => {
	const {conf, env} = await tempHome(useSandbox(t));
	const result = await aoTmux(['install'], env);
	t.is(result.exitCode, 0, result.stderr);
	const lines = result.stdout.split('\n');
	t.is(lines.length, 2);
	t.regex(lines[0]!, /^# ao's tmux plugin: .*ao tmux install --apply/);
	t.is(lines[1], installLine);
	await t.throwsAsync(fs.access(conf));
});

test('ao tmux install --apply creates ~/.tmux.conf with exactly the run-shell line and says how to load it now', async t => {
	const {conf, env} = await tempHome(useSandbox(t));
	const result = await aoTmux(['install', '--apply'], env);
	t.is(result.exitCode, 0, result.stderr);
	t.is(await fs.readFile(conf, 'utf8'), `${installLine}\n`);
	t.regex(result.stdout, /^created ~\/\.tmux\.conf: run-shell /);
	t.regex(result.stdout, /tmux source-file ~\/\.tmux\.conf/);
});

test('a second ao tmux install --apply does not add the line again and says it is already there', async t => {
	const {conf, env} = await tempHome(useSandbox(t));
	await aoTmux(['install', '--apply'], env);
	const again = await aoTmux(['install', '--apply'], env);
	t.is(again.exitCode, 0, again.stderr);
	t.is(await fs.readFile(conf, 'utf8'), `${installLine}\n`);
	t.regex(again.stdout, /already loads ao's tmux plugin/);
	t.regex(again.stdout, /tmux source-file ~\/\.tmux\.conf/);
});

test('ao tmux install --apply keeps every line of an existing ~/.tmux.conf and adds its line after them', async t => {
	const {conf, env} = await tempHome(useSandbox(t));
	const existing = 'set -g mouse on\n# my settings\nbind r source-file ~/.tmux.conf';
	await fs.writeFile(conf, existing);
	const result = await aoTmux(['install', '--apply'], env);
	t.is(result.exitCode, 0, result.stderr);
	t.regex(result.stdout, /^appended to ~\/\.tmux\.conf: /);
	t.is(await fs.readFile(conf, 'utf8'), `${existing}\n${installLine}\n`);
});

test('ao tmux register records the tmux server $TMUX points at, for the supervisor\'s notifications', async t => {
	const sandbox = useSandbox(t);
	const {tmux} = await userTmux(t, sandbox);
	const socketPath = (await tmux(['display-message', '-p', '#{socket_path}'])).trim();
	const result = await aoTmux(['register'], {AO_HOME: sandbox.home, HOME: sandbox.dir, TMUX: `${socketPath},1,0`});
	t.is(result.exitCode, 0, result.stderr);
	t.regex(result.stdout, /^registered the tmux server at /);
	t.deepEqual(await userServers(new StatePaths(sandbox.home)), [socketPath]);
});

test('ao tmux register outside tmux fails with exit 2 and one line saying to run it in tmux', async t => {
	const sandbox = useSandbox(t);
	const result = await aoTmux(['register'], {AO_HOME: sandbox.home, HOME: sandbox.dir});
	t.is(result.exitCode, 2);
	t.regex(result.stderr, /^ao: ao tmux register .*\$TMUX is not set.*run it in a tmux pane.*$/);
	t.deepEqual(await userServers(new StatePaths(sandbox.home)), []);
});

test('ao tmux with an unknown command fails with exit 2 in one line that points at its help', async t => {
	const sandbox = useSandbox(t);
	const result = await aoTmux(['bogus'], {AO_HOME: sandbox.home, HOME: sandbox.dir});
	t.is(result.exitCode, 2);
	t.is(result.stderr, 'ao tmux: unknown command \'bogus\' (ao tmux --help lists them)');
});

test('prefix + A in a terminal on the user\'s tmux opens the dashboard in a popup', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await sandbox.ao(['dispatch', '-n', 'popped', 'x']);
	const user = await userTmux(t, sandbox);
	await user.tmux(['set-environment', '-g', 'LANG', 'C.UTF-8']);
	await user.load();
	// A real terminal on that server, recorded by `script`: popups are drawn on the client, not in any pane.
	const typescript = path.join(sandbox.dir, 'terminal.txt');
	const terminal = execa('setsid', ['script', '-qfc', `tmux -L ${user.socket} attach -t user`, typescript], {reject: false, stdin: 'pipe', env: {...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8'}});
	t.teardown(async () => {
		terminal.kill('SIGKILL');
	});
	await waitFor('a client on the user\'s server', async () => (await user.tmux(['list-clients'])).trim() !== '');
	// The user types prefix (Ctrl-b) then A on that terminal.
	terminal.stdin!.write('\u0002A');
	const drawn = await waitFor('the dashboard in the popup', async () => {
		const text = await fs.readFile(typescript, 'utf8').catch(() => '');
		return text.includes('ao dashboard') && text.includes('popped') && text;
	});
	t.truthy(drawn);
});
