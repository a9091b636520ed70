/**
 * `make bench`: prints figures for the DESIGN.md budgets that exist so far. Nothing here passes or fails.
 * Runs against its own tmux socket and state dir, and removes only what it made.
 */
import {randomBytes} from 'node:crypto';
import {mkdtempSync, readFileSync, realpathSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';

const root = fileURLToPath(new URL('../../', import.meta.url));
const aoBin = path.join(root, 'bin', 'ao');
const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ao-bench-')));
const socket = `ao-bench-${randomBytes(3).toString('hex')}`;
const repo = path.join(dir, 'repo');
const env = {
	AO_HOME: path.join(dir, 'state'), AO_SOCKET: socket, AO_CONFIG: path.join(dir, 'config.yaml'), XDG_CONFIG_HOME: path.join(dir, 'xdg'),
	GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@ao.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@ao.invalid', NO_COLOR: '1',
};
const rows: Array<[string, string, string]> = [];

async function ao(args: string[]): Promise<string> {
	return String((await execa(process.execPath, [aoBin, ...args], {cwd: repo, env})).stdout);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
	const start = process.hrtime.bigint();
	await run();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

async function medianOf(times: number, run: () => Promise<unknown>): Promise<number> {
	const values = [];
	for (let i = 0; i < times; i++) values.push(await timed(run));
	return median(values);
}

function report(what: string, value: string, budget: string): void {
	rows.push([what, value, budget]);
	process.stdout.write(`${what.padEnd(58)} ${value.padStart(12)}   budget: ${budget}\n`);
}

function rssMb(pid: number): number {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return Number(match?.[1] ?? 0) / 1024;
}

function cpuTicks(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

async function main(): Promise<void> {
	await fs.writeFile(env.AO_CONFIG, 'agent:\n  default: shell\n');
	await fs.mkdir(repo);
	await execa('git', ['init', '-q'], {cwd: repo});
	await fs.writeFile(path.join(repo, 'README.md'), '# bench\n');
	await execa('git', ['add', '-A'], {cwd: repo, env});
	await execa('git', ['commit', '-qm', 'init'], {cwd: repo, env});
	process.stdout.write(`ao bench on ${os.cpus().length} cores, node ${process.version}, ${(await execa('tmux', ['-V'])).stdout}\n\n`);

	report('node -e 0 (the floor under any ao command; median of 20)', `${(await medianOf(20, () => execa(process.execPath, ['-e', '0']))).toFixed(0)} ms`, '');
	report('ao --version (median of 20)', `${(await medianOf(20, () => ao(['--version']))).toFixed(0)} ms`, '< 100 ms');

	await ao(['dispatch', '-n', 'warmup', '--', 'sleep', '600']);
	const dispatchMs = [];
	for (let i = 0; i < 10; i++) dispatchMs.push(await timed(() => ao(['dispatch', '-n', `d${i}`, '--', 'sleep', '600'])));
	const byHandMs = [];
	for (let i = 0; i < 10; i++) {
		byHandMs.push(await timed(async () => {
			await execa('git', ['worktree', 'add', '-q', '-b', `hand/${i}`, path.join(dir, `hand-${i}`), 'HEAD'], {cwd: repo});
			await execa('tmux', ['-L', socket, 'new-window', '-d', '-t', 'ao:', '-c', path.join(dir, `hand-${i}`), 'sleep', '600']);
		}));
	}

	const dispatchMedian = median(dispatchMs);
	const byHandMedian = median(byHandMs);
	report('ao dispatch, worktree + window (median of 10)', `${dispatchMedian.toFixed(0)} ms`, `< 2x by hand`);
	report('  by hand: git worktree add + tmux new-window', `${byHandMedian.toFixed(0)} ms`, `ratio ${(dispatchMedian / byHandMedian).toFixed(2)}x`);
	for (let i = 0; i < 10; i++) await execa('tmux', ['-L', socket, 'kill-window', '-t', `ao:${i + 12}`], {reject: false});

	for (let i = 11; i < 20; i++) await ao(['dispatch', '-n', `d${i}`, '--', 'sleep', '600']);
	await sleep(2000);
	const supervisorPid = Number(await fs.readFile(path.join(env.AO_HOME, 'supervisor.pid'), 'utf8'));
	const serverPid = Number((await execa('tmux', ['-L', socket, 'display-message', '-p', '#{pid}'])).stdout);
	const supervisorRss = rssMb(supervisorPid);
	const serverRss = rssMb(serverPid);
	report('supervisor + tmux server RSS, 20 live agents', `${(supervisorRss + serverRss).toFixed(1)} MB`, '< 100 MB');
	report('  supervisor / tmux server', `${supervisorRss.toFixed(1)} / ${serverRss.toFixed(1)} MB`, '');

	for (let i = 20; i < 50; i++) await ao(['dispatch', '-n', `d${i}`, '--no-worktree', '--', 'sleep', '600']);
	report('ao list --json, 50 jobs (median of 20)', `${(await medianOf(20, () => ao(['list', '--json']))).toFixed(0)} ms`, '< 150 ms');
	report('ao list (table), 50 jobs (median of 20)', `${(await medianOf(20, () => ao(['list']))).toFixed(0)} ms`, '');

	const ticksPerSecond = 100;
	const seconds = 10;
	const before = cpuTicks(supervisorPid);
	await sleep(seconds * 1000);
	const cpu = ((cpuTicks(supervisorPid) - before) / ticksPerSecond / seconds) * 100;
	report(`supervisor CPU, 50 idle agents (${seconds} s)`, `${cpu.toFixed(2)} %`, '< 2% of one core');
}

try {
	await main();
} finally {
	await execa('tmux', ['-L', socket, 'kill-server'], {reject: false});
	await sleep(300);
	await fs.rm(dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 100});
}
