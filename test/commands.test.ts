import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {commandIndex} from '../src/cli/commands/index.js';
import {splitCommand, takeHost} from '../src/cli/program.js';
import {useSandbox, type JobJson} from './helpers/ao.js';

// ao's commands run in-process here, with an injected IO: what they print is read from memory, not from a child.

test('every command module is indexed under its own name and aliases, and nothing else', async t => {
	for (const entry of commandIndex) {
		const spec = (await entry.load()).default;
		t.deepEqual(entry.words, [spec.name, ...(spec.aliases ?? [])], spec.name);
	}
});

test('takeHost: --host NAME anywhere before --, or AO_HOST; --host local stays for the commands that list every host', t => {
	t.deepEqual(takeHost(['--host', 'box1', 'peek', 'x'], {}), {host: 'box1', args: ['peek', 'x']});
	t.deepEqual(takeHost(['peek', 'x', '--host=box1'], {}), {host: 'box1', args: ['peek', 'x']});
	t.deepEqual(takeHost(['dispatch', '--', 'sh', '--host', 'y'], {}), {host: undefined, args: ['dispatch', '--', 'sh', '--host', 'y']});
	t.deepEqual(takeHost(['list'], {AO_HOST: 'box2'}), {host: 'box2', args: ['list']});
	t.deepEqual(takeHost(['list', '--host', 'local'], {}), {host: 'local', args: ['list', '--host', 'local']});
	t.deepEqual(takeHost(['peek', 'x', '--host', 'local'], {}), {host: 'local', args: ['peek', 'x']});
});

test('splitCommand: what follows the first -- is dispatch\'s command, and --task takes even "--"', t => {
	t.deepEqual(splitCommand(['dispatch', '-n', 'x', '--', 'sh', '-c', 'echo --']), {args: ['dispatch', '-n', 'x'], command: ['sh', '-c', 'echo --']});
	t.deepEqual(splitCommand(['dispatch', '--task', '--', 'x']), {args: ['dispatch', '--task=--', 'x'], command: []});
	t.deepEqual(splitCommand(['send', 'job', '--', 'text']), {args: ['send', 'job', '--', 'text'], command: []});
});

test('in-process: --version and --help write to the injected stdout and exit 0', async t => {
	const sandbox = useSandbox(t);
	const version = await sandbox.aoInProcess(['--version']);
	t.is(version.exitCode, 0);
	t.regex(version.stdout, /^\d+\.\d+\.\d+\n$/);
	const help = await sandbox.aoInProcess(['peek', '--help']);
	t.is(help.exitCode, 0);
	t.regex(help.stdout, /-n, --lines <n>/);
	t.is(help.stderr, '');
});

test('in-process: bad input is one line on stderr, exit 2, nothing on stdout', async t => {
	const sandbox = useSandbox(t);
	await fs.mkdir(sandbox.repo, {recursive: true});
	const cases: Array<[string[], RegExp]> = [
		[['bogus'], /^ao: unknown command 'bogus' \(Did you mean .*\) \(ao --help lists every command\)\n$/],
		[['peek', 'x', '--lines', '0'], /^ao: --lines must be a positive number of lines, got "0"\n$/],
		[['dispatch', '--priority', 'soon', 'task'], /^ao: --priority must be an integer, got "soon"\n$/],
		[['dispatch', '--budget', 'lots', 'task'], /^ao: --budget must be a number of tokens like 200000, 200k or 1\.5M; got "lots"\n$/],
		[['list', '--under', 'no-such-dir'], /^ao: --under no-such-dir is not a directory; give one that jobs were dispatched in or below\n$/],
		[['stop'], /^ao: give one job to stop, or --all-running\n$/],
		[['server', 'bogus'], /^ao server: unknown command 'bogus' \(ao server --help lists them\)\n$/],
		[['send', 'x'], /^ao: nothing to send: give the text to type/],
		[['--host'], /^ao: --host needs a host name: local \(this machine\) or one of hosts: in your config\n$/],
		[['--host', 'box1', 'list'], /^ao: no host "box1": no hosts are configured; add one under hosts: in your config \(docs\/hosts\.md\)\n$/],
	];
	for (const [args, expected] of cases) {
		const result = await sandbox.aoInProcess(args);
		t.is(result.exitCode, 2, args.join(' '));
		t.regex(result.stderr, expected, args.join(' '));
		t.is(result.stdout, '', args.join(' '));
	}
});

test('in-process: list with no jobs, then a dispatched job in list --json and in the table, with the terminal\'s width', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	t.is((await sandbox.aoInProcess(['list'])).stdout, 'no jobs; start one with: ao dispatch "your task"\n');
	const dispatched = await sandbox.aoInProcess(['dispatch', '--json', '--name', 'inproc', '--', 'sh', '-c', 'echo hello; sleep 60']);
	t.is(dispatched.exitCode, 0, dispatched.stderr);
	const job = JSON.parse(dispatched.stdout) as JobJson;
	t.is(job.name, 'inproc');
	t.is(job.worktree, path.join(path.dirname(sandbox.repo), `${path.basename(sandbox.repo)}.worktrees`, 'inproc'));
	const listed = JSON.parse((await sandbox.aoInProcess(['list', '--json'])).stdout) as JobJson[];
	t.deepEqual(listed.map(item => item.id), [job.id]);
	const narrow = await sandbox.aoInProcess(['list'], {tty: true, columns: 60, env: {NO_COLOR: '1'}});
	const row = narrow.stdout.split('\n').find(line => line.includes(job.id))!;
	t.true(row.length <= 60, row);
	const stopped = await sandbox.aoInProcess(['stop', 'inproc']);
	t.is(stopped.stdout, `stopped ${job.id} (inproc); its window and worktree stay\n`);
});

test('in-process: dispatch --task-file - reads the task from the injected stdin, byte for byte', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const task = 'fix the "quotes" and $dollars\nsecond line';
	const result = await sandbox.aoInProcess(['dispatch', '--json', '--name', 'from-stdin', '--task-file', '-'], {stdin: task});
	t.is(result.exitCode, 0, result.stderr);
	t.is((JSON.parse(result.stdout) as JobJson).task, task);
});

test('in-process: colour only on a terminal, and never with NO_COLOR', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const colourless = await sandbox.aoInProcess(['doctor'], {tty: false});
	t.false(colourless.stdout.includes('\u001B['));
	const coloured = await sandbox.aoInProcess(['doctor'], {tty: true, env: {NO_COLOR: ''}});
	t.true(coloured.stdout.includes('\u001B[32mok  \u001B[0m'), coloured.stdout);
	const plain = await sandbox.aoInProcess(['doctor'], {tty: true, env: {NO_COLOR: '1'}});
	t.false(plain.stdout.includes('\u001B['));
});
