import {readdirSync, readFileSync, statSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {Tmux} from '../../src/core/tmux/tmux.js';
import {dispatchJson, useSandbox, waitFor} from '../helpers/ao.js';
import {randomTask} from '../helpers/random-task.js';

test('1,000 random task strings reach the program in its window byte for byte (through tmux, and past its 16 KB limit)', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await dispatchJson(sandbox, ['-n', 'server-up', '--', 'sleep', '60']);
	const tmux = new Tmux(sandbox.socket);
	const out = path.join(sandbox.dir, 'argv');
	await fs.mkdir(out);
	const envFile = path.join(out, 'env');
	await fs.writeFile(envFile, `export PATH='${process.env.PATH ?? ''}'\n`);
	const tasks = Array.from({length: 1000}, (_, index) => randomTask(index));
	t.true(tasks.some(task => Buffer.byteLength(task) > 16_384), 'some tasks are past tmux\'s command limit');
	const mismatches: number[] = [];
	for (let start = 0; start < tasks.length; start += 50) {
		await Promise.all(tasks.slice(start, start + 50).map(async (task, offset) => {
			const index = start + offset;
			const file = path.join(out, String(index));
			const {windowId} = await tmux.newWindow({
				jobId: `f${String(index).padStart(7, '0')}`, name: `task-${index}`, cwd: sandbox.dir, env: {file: envFile, exact: true},
				argv: ['sh', '-c', 'printf %s "$1" > "$2.part" && mv "$2.part" "$2"', 'sh', task, file],
				logFile: path.join(out, `${index}.log`), argvFile: path.join(out, `${index}.argv`),
			});
			await waitFor(`task ${index} to arrive`, () => {
				try {
					return statSync(file).isFile();
				} catch {
					return false;
				}
			});
			if (readFileSync(file, 'utf8') !== task) mismatches.push(index);
			await tmux.killWindow(windowId);
		}));
	}

	t.deepEqual(mismatches.map(index => JSON.stringify(tasks[index]).slice(0, 80)), []);
});

test('random tasks given to ao dispatch reach the agent byte for byte', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const tasks = Array.from({length: 8}, (_, index) => randomTask(index * 7 + 3)).concat(['-starts with a dash', 'ends in a semicolon;', '--', '--verbose is broken', '-- a separator first']);
	const jobs = await Promise.all(tasks.map(async task => dispatchJson(sandbox, ['--task', task])));
	for (const [index, job] of jobs.entries()) {
		const record = await waitFor(`the fixture of ${job.id}`, async () => JSON.parse(await fs.readFile(path.join(sandbox.home, `fixture-${job.id}.json`), 'utf8')) as {argv: string[]});
		t.deepEqual(record.argv, [tasks[index]]);
	}
});

/** Every file under `dir`, except in the state dir and the worktree root, which ao owns. */
function filesOutsideAo(dir: string, skip: string[]): string[] {
	const found: string[] = [];
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		if (skip.includes(full)) continue;
		found.push(full);
		if (entry.isDirectory()) found.push(...filesOutsideAo(full, skip));
	}

	return found.sort();
}

test('100 hostile names and job references are refused with one clear line, and no file appears outside ao\'s own dirs', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await dispatchJson(sandbox, ['-n', 'real', 'x']);
	const skip = [sandbox.home, path.join(sandbox.dir, 'repo.worktrees')];
	const before = filesOutsideAo(sandbox.dir, skip);
	const bases = ['../x', '../../etc/passwd', 'a/b', '/tmp/x', ';rm -rf ~', 'a b', 'x'.repeat(300), '', '.', '..', '-n', 'a\nb', '$(touch pwned)', '`touch pwned`', 'name;', 'é', 'deadbeef', 'x.lock', 'x.', 'a..b', '~', '*', '%3', '#{pane_id}', '\u0000'.slice(1) + '\t'];
	const hostile = Array.from({length: 100}, (_, index) => {
		const base = bases[index % bases.length]!;
		return index < bases.length ? base : `${base}${['/..', ';', ' ', '\n', '$', '`', '*'][index % 7]}`;
	});
	const unclear: string[] = [];
	const check = (what: string, result: {exitCode: number; stderr: string}) => {
		const lines = result.stderr.trim().split('\n');
		if (result.exitCode === 0 || lines.length !== 1 || !lines[0]!.startsWith('ao: ') || / at .*\.js:\d+/.test(result.stderr)) unclear.push(`${what}: exit ${result.exitCode}, ${JSON.stringify(result.stderr)}`);
	};

	// Every one as a name and as a job reference; the commands that write (rm, rename) get the basic kinds.
	for (let start = 0; start < hostile.length; start += 10) {
		await Promise.all(hostile.slice(start, start + 10).map(async (name, offset) => {
			check(`dispatch -n ${JSON.stringify(name)}`, await sandbox.ao(['dispatch', '-n', name, 'x']));
			check(`peek ${JSON.stringify(name)}`, await sandbox.ao(['peek', name]));
			if (start + offset >= bases.length) return;
			check(`rm ${JSON.stringify(name)}`, await sandbox.ao(['rm', name]));
			check(`rename real ${JSON.stringify(name)}`, await sandbox.ao(['rename', 'real', name]));
		}));
	}

	t.deepEqual(unclear, []);
	t.deepEqual(filesOutsideAo(sandbox.dir, skip), before);
	t.deepEqual((await sandbox.aoJson<Array<{name: string}>>(['list', '--all'])).map(job => job.name), ['real']);
});
