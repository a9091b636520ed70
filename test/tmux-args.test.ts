import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {encodeArgvForLauncher, escapeArgument, launcherScript, literalMessage, parsePanes, sessionName, shellQuote, tmuxSupportsPopup} from '../src/core/tmux/tmux.js';

function row(fields: {window?: string; index?: string; pane?: string; pid?: string; dead?: string; status?: string; signal?: string; time?: string; activity?: string; session?: string; attached?: string; active?: string; server?: string; job?: string; name?: string}): string {
	return [
		fields.window ?? '@1',
		fields.index ?? '1',
		fields.pane ?? '%1',
		fields.pid ?? '4242',
		fields.dead ?? '0',
		fields.status ?? '',
		fields.signal ?? '',
		fields.time ?? '',
		fields.activity ?? '1714564800',
		fields.session ?? 'ao',
		fields.attached ?? '0',
		fields.active ?? '1',
		fields.server ?? '4000',
		fields.job ?? 'abcd1234',
		fields.name ?? 'fix-login',
	].join('\t');
}

/** Reverses encodeArgvForLauncher: one argument per line, each byte a \ooo escape. */
function decode(encoded: string): Buffer[] {
	const lines = encoded.split('\n');
	const last = lines.pop();
	if (last !== '') throw new Error('the encoding must end with a newline');
	return lines.map(line => {
		if (!/^(?:\\[0-3][0-7]{2})*$/.test(line)) throw new Error(`not an escaped line: ${line}`);
		return Buffer.from([...line.matchAll(/\\([0-7]{3})/g)].map(match => Number.parseInt(match[1]!, 8)));
	});
}

test('the session name is "ao"', t => {
	t.is(sessionName, 'ao');
});

test('parsePanes reads one window per tab-separated row', t => {
	const output = row({window: '@3', index: '2', pane: '%5', pid: '100', activity: '1714564801', job: 'abcd1234', name: 'fix-login'}) + '\n';
	t.deepEqual(parsePanes(output), [{
		windowId: '@3',
		windowIndex: 2,
		paneId: '%5',
		panePid: 100,
		dead: false,
		deadStatus: undefined,
		deadSignal: undefined,
		deadTime: undefined,
		activity: 1_714_564_801,
		jobId: 'abcd1234',
		viewed: false,
		serverPid: 4000,
		windowName: 'fix-login',
	}]);
});

test('parsePanes marks a window viewed when an attached session shows it', t => {
	const output = [
		row({window: '@1', job: 'aaaa0001'}),
		row({window: '@2', job: 'aaaa0002'}),
		row({window: '@3', job: 'aaaa0003'}),
		row({window: '@1', session: 'ao-view-1', attached: '1', active: '0'}),
		row({window: '@2', session: 'ao-view-1', attached: '1', active: '1'}),
		row({window: '@3', session: 'ao-view-2', attached: '0', active: '1'}),
	].join('\n');
	t.deepEqual(parsePanes(output).map(pane => [pane.windowId, pane.viewed]), [['@1', false], ['@2', true], ['@3', false]]);
});

test('parsePanes drops rows of other sessions, such as grouped view sessions', t => {
	const output = [
		row({window: '@0', index: '0', job: '', name: 'supervisor'}),
		row({window: '@1', session: 'ao-view-123-abc'}),
		row({window: '@1'}),
		row({window: '@9', session: 'work'}),
		row({window: '@8', session: 'ao2'}),
		row({window: '@7', session: ''}),
	].join('\n') + '\n';
	t.deepEqual(parsePanes(output).map(info => info.windowId), ['@0', '@1']);
});

test('parsePanes gives a window without @ao_job no job id', t => {
	const [supervisor] = parsePanes(row({job: '', name: 'supervisor'}));
	t.is(supervisor?.jobId, undefined);
	t.is(supervisor?.windowName, 'supervisor');
});

test('parsePanes reads the exit status of a dead pane', t => {
	const [info] = parsePanes(row({dead: '1', status: '3'}));
	t.true(info?.dead);
	t.is(info?.deadStatus, 3);
	t.is(info?.deadSignal, undefined);
	t.is(parsePanes(row({dead: '1', status: '0'}))[0]?.deadStatus, 0);
});

test('parsePanes reads when a dead pane died, and ignores a death time on a live pane', t => {
	t.is(parsePanes(row({dead: '1', status: '', time: '1714564900'}))[0]?.deadTime, 1_714_564_900);
	t.is(parsePanes(row({dead: '1', status: '0', time: ''}))[0]?.deadTime, undefined);
	t.is(parsePanes(row({dead: '0', time: '1714564900'}))[0]?.deadTime, undefined);
});

test('parsePanes reads the signal of a killed pane and then ignores its status', t => {
	const [info] = parsePanes(row({dead: '1', status: '0', signal: '9'}));
	t.true(info?.dead);
	t.is(info?.deadStatus, undefined);
	t.is(info?.deadSignal, 9);
});

test('parsePanes ignores a status on a live pane', t => {
	const [info] = parsePanes(row({dead: '0', status: '0'}));
	t.false(info?.dead);
	t.is(info?.deadStatus, undefined);
});

test('parsePanes keeps tabs and other text in a window name', t => {
	const [info] = parsePanes(row({name: 'a\tb\t\tc ; "d"'}));
	t.is(info?.windowName, 'a\tb\t\tc ; "d"');
	t.is(info?.jobId, 'abcd1234');
	t.is(parsePanes(row({name: ''}))[0]?.windowName, '');
});

test('parsePanes of empty output is an empty list', t => {
	t.deepEqual(parsePanes(''), []);
	t.deepEqual(parsePanes('\n'), []);
});

test('parsePanes reads several rows without a final newline', t => {
	const output = [row({window: '@1', index: '1'}), row({window: '@2', index: '2', dead: '1', status: '127'})].join('\n');
	t.deepEqual(parsePanes(output).map(info => [info.windowId, info.windowIndex, info.deadStatus]), [['@1', 1, undefined], ['@2', 2, 127]]);
});

test('escapeArgument backslashes only a final ";"', t => {
	t.is(escapeArgument('a;'), 'a\\;');
	t.is(escapeArgument('a\\;'), 'a\\\\;');
	t.is(escapeArgument(';'), '\\;');
	t.is(escapeArgument(';;'), ';\\;');
	t.is(escapeArgument('a;b'), 'a;b');
	t.is(escapeArgument(';a'), ';a');
	t.is(escapeArgument('a; '), 'a; ');
	t.is(escapeArgument(''), '');
	t.is(escapeArgument('plain'), 'plain');
	t.is(escapeArgument('a\\'), 'a\\');
});

test('escapeArgument output is read back by tmux\'s rule as the original argument', t => {
	// tmux (cmd-parse.c): an argument ending in ";" ends the command unless a backslash precedes the ";", in which
	// case that backslash is dropped and the ";" kept.
	const tmuxReads = (argument: string): string | 'separator' => {
		if (!argument.endsWith(';')) return argument;
		const body = argument.slice(0, -1);
		return body.endsWith('\\') ? body.slice(0, -1) + ';' : 'separator';
	};

	for (const argument of ['a;', 'a\\;', ';', '\\;', 'x;;', 'no', '', 'a\\\\;', 'rm -rf ~;']) {
		t.is(tmuxReads(escapeArgument(argument)), argument, JSON.stringify(argument));
	}
});

test('encodeArgvForLauncher writes one line per argument of \\ooo escapes only', t => {
	t.is(encodeArgvForLauncher(['ab', '']), '\\141\\142\n\n');
	t.is(encodeArgvForLauncher(['\n']), '\\012\n');
	const encoded = encodeArgvForLauncher(['echo', 'a b', '$(rm -rf ~)', '%s %d \\n']);
	t.is(encoded.split('\n').length, 5);
	t.regex(encoded, /^(?:(?:\\[0-7]{3})*\n)+$/);
});

test('encodeArgvForLauncher round-trips unicode, newlines, quotes and empty arguments byte for byte', t => {
	const argv = ['claude', '', 'fix "it"\nand \'that\'\r\n\ttoo', 'café 日本語 🚀', '$(rm -rf ~) `id` ; | & > <', '\\', '%%s', ' ', '\u007F\u0001'];
	const decoded = decode(encodeArgvForLauncher(argv));
	t.is(decoded.length, argv.length);
	decoded.forEach((bytes, index) => t.true(bytes.equals(Buffer.from(argv[index]!)), JSON.stringify(argv[index])));
});

test('launch.sh turns the encoded file back into the exact argv it runs', t => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-launch-test-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	const args = ['', 'fix "it"\nand \'that\'', 'café 日本語 🚀', '$(touch pwned) `id`', '\\n %s %%', 'trailing\n\n', '-n', '-e'];
	const argvFile = path.join(dir, 'argv');
	writeFileSync(argvFile, encodeArgvForLauncher([process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args]));
	const output = execFileSync('sh', [launcherScript, argvFile], {cwd: dir, encoding: 'utf8'});
	t.deepEqual(JSON.parse(output) as string[], args);
});

test('shellQuote wraps in single quotes and escapes single quotes', t => {
	t.is(shellQuote('abc'), '\'abc\'');
	t.is(shellQuote(''), '\'\'');
	t.is(shellQuote('it\'s'), '\'it\'\\\'\'s\'');
	t.is(shellQuote('$HOME `id` "x"'), '\'$HOME `id` "x"\'');
});

test('shellQuote output reaches sh as the very same text', t => {
	for (const value of ['plain', '', 'it\'s', '\'\'', '$(id) `id` $HOME', 'a\nb', 'café 🚀', '\\', '"; rm -rf ~; "', '*']) {
		const output = execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], {encoding: 'utf8'});
		t.is(output, value, JSON.stringify(value));
	}
});

test('popups need tmux 3.2 or later', t => {
	t.true(tmuxSupportsPopup('tmux 3.2a'));
	t.true(tmuxSupportsPopup('tmux 3.2'));
	t.true(tmuxSupportsPopup('tmux 3.3a'));
	t.true(tmuxSupportsPopup('tmux 3.10'));
	t.true(tmuxSupportsPopup('tmux 4.0'));
	t.true(tmuxSupportsPopup('tmux next-3.4'));
	t.false(tmuxSupportsPopup('tmux 3.1c'));
	t.false(tmuxSupportsPopup('tmux 3.0'));
	t.false(tmuxSupportsPopup('tmux 2.9a'));
	t.false(tmuxSupportsPopup('tmux master'));
	t.false(tmuxSupportsPopup(''));
});

test('message text is shown as written: tmux formats and strftime sequences are doubled', t => {
	t.is(literalMessage('ao: 100%-done (%3) needs #{input}'), 'ao: 100%%-done (%%3) needs ##{input}');
	const socket = `ao-literal-${process.pid}`;
	try {
		execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', 'sleep 30']);
		const shown = execFileSync('tmux', ['-L', socket, 'display-message', '-p', literalMessage('pane %3 at 100% #{pane_id}')], {encoding: 'utf8'});
		t.is(shown.trim(), 'pane %3 at 100% #{pane_id}');
	} finally {
		execFileSync('tmux', ['-L', socket, 'kill-server'], {stdio: 'ignore'});
		rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), {force: true});
	}
});
