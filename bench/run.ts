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
	GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@ao.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@ao.invalid', NO_COLOR: '1', CI: '', AO_DISABLE: '',
};
const rows: Array<[string, string, string]> = [];

/** Ends a tmux server the bench started, and removes the socket file tmux leaves behind. */
async function killServer(name: string): Promise<void> {
	await execa('tmux', ['-L', name, 'kill-server'], {reject: false});
	await fs.rm(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, name), {force: true});
}

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
	process.stdout.write(`${what.padEnd(66)} ${value.padStart(14)}${budget ? `   budget: ${budget}` : ""}\n`);
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

/** Writes `count` job records straight into a state dir (no agents): what the dashboard lists and moves through. */
async function fakeJobs(home: string, count: number): Promise<void> {
	const states = ['needs-input', 'ready', 'working', 'completed', 'failed'];
	for (let index = 0; index < count; index++) {
		const id = (0x10000000 + index).toString(16);
		const now = new Date(Date.now() - index * 1000).toISOString();
		await fs.mkdir(path.join(home, 'jobs', id), {recursive: true});
		await fs.writeFile(path.join(home, 'jobs', id, 'state.json'), JSON.stringify({
			id, name: `job-${index}`, agent: 'claude', task: `task ${index}`, argv: [], state: states[index % states.length], reason: 'bench',
			cwd: repo, worktree: repo, sessionId: '', pinned: false, createdAt: now, updatedAt: now, stateSince: now,
		}));
		await fs.writeFile(path.join(home, 'jobs', id, 'output.log'), `line of output ${index}\n`.repeat(200));
	}
}

/** Key-press-to-repaint for moving the selection (from the dashboard's own AO_BENCH log), its idle CPU and RSS. */
async function benchDashboard(count: number): Promise<void> {
	const home = path.join(dir, `dash-${count}`);
	await fakeJobs(home, count);
	const log = path.join(dir, `dash-${count}.log`);
	const dashSocket = `${socket}-dash`;
	const envArgs = Object.entries({...env, AO_HOME: home, AO_SOCKET: `${socket}-none`, AO_BENCH: log, LANG: 'C.UTF-8', TERM: 'xterm-256color'}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	await execa('tmux', ['-L', dashSocket, '-f', '/dev/null', 'new-session', '-d', '-s', 'd', '-x', '160', '-y', '50', ...envArgs, '--', process.execPath, aoBin, 'dashboard']);
	try {
		await sleep(2500);
		const pid = Number((await execa('tmux', ['-L', dashSocket, 'display-message', '-p', '-t', 'd', '#{pane_pid}'])).stdout);
		await fs.writeFile(log, '');
		for (let i = 0; i < 60; i++) {
			await execa('tmux', ['-L', dashSocket, 'send-keys', '-t', 'd', i % 20 < 10 ? 'j' : 'k']);
			await sleep(40);
		}

		await sleep(500);
		const times = (await fs.readFile(log, 'utf8')).split('\n').filter(line => line.startsWith('select ')).map(line => Number(line.slice(7)));
		const sorted = [...times].sort((a, b) => a - b);
		report(`dashboard: key press to repaint, ${count} jobs (median / p95 of ${times.length})`, `${median(times).toFixed(1)} / ${sorted[Math.floor(sorted.length * 0.95)]!.toFixed(1)} ms`, '< 50 ms at 100 jobs');
		const before = cpuTicks(pid);
		await sleep(10_000);
		report(`dashboard: CPU while idle (refresh every second), ${count} jobs`, `${(((cpuTicks(pid) - before) / 100 / 10) * 100).toFixed(1)} %`, '');
		report(`dashboard: RSS, ${count} jobs`, `${rssMb(pid).toFixed(1)} MB`, '');
	} finally {
		await killServer(dashSocket);
	}
}

try {
	await main();
	await benchDashboard(10);
	await benchDashboard(100);
	const statusSh = path.join(root, 'tmux', 'status.sh');
	report('status segment (tmux/status.sh, median of 20)', `${(await medianOf(20, () => execa(statusSh, {env: {...process.env, AO_HOME: env.AO_HOME}}))).toFixed(1)} ms`, '< 60 ms');
} finally {
	await killServer(socket);
	await sleep(300);
	await fs.rm(dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 100});
}
