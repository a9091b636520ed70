/**
 * `make bench`: the figures behind DESIGN.md's performance budgets, as a table on stdout and in bench/results.json
 * (with the machine they were taken on). Every figure is a median with its min and max; two ways of doing one job run
 * alternately in the same invocation, with their ratio. Nothing here passes or fails. Each section runs in a world
 * of its own (tmux socket, state dir) and removes only what it made.
 */
import {readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {claudeSideBySide} from './claude-bg.js';
import {hostsSideBySide} from './hosts.js';
import {realTurn} from './real-turn.js';
import {alternate, cpuPercent, figures, machine, pssMb, record, recordPair, rssMb, samplesOf, setSection} from './lib.js';
import {aoBin, root, World} from './world.js';

interface JobState {
	state: string;
}

const running = ['working', 'needs-input', 'ready'];

async function cliStart(): Promise<void> {
	const section = 'CLI start (no server, empty state dir)';
	const world = new World('cli');
	await world.init();
	try {
		record(section, 'node -e 0 (the floor under any node program)', 'ms', await samplesOf(20, async () => execa(process.execPath, ['-e', '0'])));
		record(section, 'ao --version', 'ms', await samplesOf(20, async () => world.ao(['--version'])), {budget: '< 100 ms'});
		record(section, 'ao list --json, 0 jobs', 'ms', await samplesOf(20, async () => world.ao(['list', '--json'])));
	} finally {
		await world.cleanup();
	}
}

/** `ao guard` as an agent's hook runs it before each shell command: a typical command, and ones that need the parsers. */
async function guardHook(): Promise<void> {
	const section = 'guard hook (ao guard, a PreToolUse payload on stdin)';
	const world = new World('guard');
	await world.init();
	const hook = (command: string) => async () => execa(process.execPath, [aoBin, 'guard'], {
		cwd: world.repo, env: world.env, input: JSON.stringify({hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: {command}, cwd: world.repo}),
	});
	const floor = async () => execa(process.execPath, ['-e', '0']);
	try {
		const cases: Array<[string, string]> = [
			['npm test', 'a typical command (no rule is about it: nothing parsed)'],
			['git push origin +main', 'git push origin +main (the shell parser loads)'],
			['psql -c "DELETE FROM users WHERE id > 0"', 'psql -c "DELETE ... WHERE" (shell and SQL parsers)'],
		];
		for (const [index, [command, name]] of cases.entries()) {
			const pair = await alternate(20, hook(command), floor);
			recordPair(section, [`ao guard: ${name}`, 'node -e 0'], 'ms', pair, index === 0 ? '< 1.5x node -e 0' : undefined);
		}
	} finally {
		await world.cleanup();
	}
}

async function dispatchVersusByHand(): Promise<void> {
	const section = 'dispatch in a repository of 2,000 files (a shell agent: sleep)';
	const world = new World('dispatch');
	await world.init(2000);
	try {
		await world.ao(['dispatch', '-n', 'warmup', '--', 'sleep', '600']);
		const pair = await alternate(10,
			async index => world.ao(['dispatch', '-n', `d${index}`, '--', 'sleep', '600']),
			async index => {
				const dir = path.join(world.dir, `hand-${index}`);
				await execa('git', ['worktree', 'add', '-q', '-b', `hand/${index}`, dir, 'HEAD'], {cwd: world.repo});
				await execa('tmux', ['-u', '-L', world.socket, 'new-window', '-d', '-t', 'ao:', '-c', dir, 'sleep', '600']);
			});
		recordPair(section, ['ao dispatch (worktree, window, record, log pipe)', 'by hand: git worktree add -b + tmux new-window -c'], 'ms', pair, '< 2x by hand');
	} finally {
		await world.cleanup();
	}
}

/** RSS of the supervisor and the tmux server (and, apart, of the agent.sh shell under each agent), five samples. */
async function overheadAt(section: string, world: World, agents: number): Promise<void> {
	const supervisorAndServer: number[] = [];
	const shells: number[] = [];
	for (let index = 0; index < 5; index++) {
		supervisorAndServer.push(rssMb(world.supervisorPid()) + rssMb(await world.serverPid()));
		shells.push((await world.agentShells()).reduce((sum, pid) => sum + pssMb(pid), 0));
		await sleep(500);
	}

	record(section, `supervisor + tmux server RSS, ${agents} live agents`, 'MB', supervisorAndServer, agents === 20 ? {budget: '< 100 MB'} : {});
	if (agents > 0) record(section, `  + the ${agents} agent.sh shells (PSS)`, 'MB', shells);
}

async function dispatchMany(world: World, from: number, to: number): Promise<void> {
	for (let start = from; start < to; start += 4) {
		await Promise.all(Array.from({length: Math.min(4, to - start)}, async (_, offset) => world.ao(['dispatch', '-n', `live-${start + offset}`, '--no-worktree', '--', 'sleep', '3600'])));
	}
}

async function overhead(): Promise<void> {
	const section = 'overhead (agents are `sleep`, not counted) and the CLI with 50 jobs';
	const world = new World('overhead');
	await world.init();
	try {
		await world.ao(['dispatch', '-n', 'boot', '--no-worktree', '--', 'true']);
		await sleep(2000);
		await world.ao(['rm', 'boot']);
		await overheadAt(section, world, 0);
		await dispatchMany(world, 0, 20);
		await sleep(3000);
		await overheadAt(section, world, 20);
		await dispatchMany(world, 20, 50);
		await sleep(3000);
		record(section, 'ao list --json, 50 jobs', 'ms', await samplesOf(20, async () => world.ao(['list', '--json'])), {budget: '< 150 ms'});
		record(section, 'ao list (table), 50 jobs', 'ms', await samplesOf(20, async () => world.ao(['list'])));
		record(section, 'ao status (the command), 50 jobs', 'ms', await samplesOf(20, async () => world.ao(['status'])));
		const statusSh = path.join(root, 'tmux', 'status.sh');
		record(section, 'status segment as the plugin runs it (tmux/status.sh), 50 jobs', 'ms', await samplesOf(20, async () => execa(statusSh, {env: {...process.env, AO_HOME: world.home}})), {budget: '< 60 ms'});
		const cpu = [];
		for (let index = 0; index < 3; index++) cpu.push(await cpuPercent(world.supervisorPid(), 10));
		record(section, 'supervisor CPU, 50 idle agents (3 x 10 s)', '%', cpu, {budget: '< 2% of one core'});
		await dispatchMany(world, 50, 100);
		await sleep(3000);
		await overheadAt(section, world, 100);
		// The CLI's start at 100 jobs, each alternated with node -e 0 (the floor under any node program).
		const floor = async () => execa(process.execPath, ['-e', '0']);
		recordPair(section, ['ao list --json, 100 jobs', 'node -e 0'], 'ms', await alternate(20, async () => world.ao(['list', '--json']), floor), '< 1.3x node -e 0');
		recordPair(section, ['ao peek live-7, 100 jobs', 'node -e 0'], 'ms', await alternate(20, async () => world.ao(['peek', 'live-7']), floor), '< 1.5x node -e 0');
		recordPair(section, ['ao send live-7, 100 jobs', 'node -e 0'], 'ms', await alternate(20, async () => world.ao(['send', 'live-7', 'x', '--no-enter']), floor), '< 1.5x node -e 0');
	} finally {
		await world.cleanup();
	}
}

/**
 * 100 agents under one server, each switching between working (printing) and asking [y/N] three times on its own
 * clock: how long until all run, and how many of the transitions the agents made the supervisor saw and logged.
 */
async function scale(): Promise<void> {
	const section = 'scale: 100 agents that switch state on their own, cap 100 (default tick 1 s, debounce 1.5 s)';
	const world = new World('scale', 'supervisor:\n  idle_after_s: 600\n');
	await world.init();
	const cycles = 3;
	const script = `printf 'Proceed? [y/N] '; sleep 5; for i in ${Array.from({length: cycles}, (_, index) => index + 1).join(' ')}; do for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do echo "working $i.$j"; sleep 0.2; done; printf 'Proceed? [y/N] '; sleep 5; done; sleep 3600`;
	try {
		const started = Date.now();
		for (let start = 0; start < 100; start += 4) {
			await Promise.all([0, 1, 2, 3].map(async offset => world.ao(['dispatch', '-n', `agent-${start + offset}`, '--no-worktree', '--', 'sh', '-c', script])));
		}

		const dispatched = Date.now() - started;
		let notRunning = 100;
		for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
			const jobs = JSON.parse(await world.ao(['list', '--all', '--json'])) as JobState[];
			notRunning = 100 - jobs.filter(job => running.includes(job.state)).length;
			if (notRunning === 0) break;
			await sleep(200);
		}

		record(section, '100 dispatches (4 at a time), then every agent running', 's', [(Date.now() - started) / 1000], {
			note: `dispatching took ${(dispatched / 1000).toFixed(1)} s${notRunning > 0 ? `; ${notRunning} never ran (given up after 2 min)` : ''}`,
		});
		// Each agent: asks, then (works, asks) x cycles: 1 + 2 x cycles transitions after its start.
		await sleep((5 + cycles * 10 + 8) * 1000);
		const expected = 100 * (1 + 2 * cycles);
		let seen = 0;
		for (const id of await fs.readdir(path.join(world.home, 'jobs'))) {
			const events = (await fs.readFile(path.join(world.home, 'jobs', id, 'events.jsonl'), 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {signal: string; from: string; to: string});
			seen += events.filter(event => event.signal === 'screen' && event.from !== event.to).length;
		}

		record(section, `transitions the supervisor logged, of the ${expected} the agents made`, 'count', [seen], {note: `${((seen / expected) * 100).toFixed(1)}%`});
		const supervisorCpu = await cpuPercent(world.supervisorPid(), 10);
		record(section, 'supervisor CPU with 100 agents (10 s, after the cycles)', '%', [supervisorCpu]);
	} finally {
		await world.cleanup();
	}
}

/** Job records written straight into a state dir (no agents): what the dashboard lists and moves through. */
async function fakeJobs(home: string, repo: string, count: number): Promise<void> {
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

/** Key press to repaint when moving the selection (from the dashboard's own AO_BENCH log), its idle CPU and RSS. */
async function dashboard(count: number): Promise<void> {
	const section = 'dashboard (blessed, in a 160x50 tmux pane)';
	const world = new World(`dash${count}`);
	await world.init();
	await fakeJobs(world.home, world.repo, count);
	const log = path.join(world.dir, 'dashboard.log');
	const envArgs = Object.entries({...world.env, AO_SOCKET: `${world.socket}-none`, AO_BENCH: log, LANG: 'C.UTF-8', TERM: 'xterm-256color'}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	await execa('tmux', ['-u', '-L', world.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'd', '-x', '160', '-y', '50', ...envArgs, '--', process.execPath, aoBin, 'dashboard']);
	try {
		await sleep(2500);
		const pid = Number(await world.tmux(['display-message', '-p', '-t', 'd', '#{pane_pid}']));
		await fs.writeFile(log, '');
		for (let index = 0; index < 60; index++) {
			await world.tmux(['send-keys', '-t', 'd', index % 20 < 10 ? 'j' : 'k']);
			await sleep(40);
		}

		await sleep(500);
		const times = readFileSync(log, 'utf8').split('\n').filter(line => line.startsWith('select ')).map(line => Number(line.slice(7)));
		record(section, `key press to repaint, ${count} jobs`, 'ms', times, count === 100 ? {budget: '< 50 ms at 100 jobs'} : {});
		record(section, `CPU while idle (refresh every second), ${count} jobs`, '%', [await cpuPercent(pid, 10)]);
		record(section, `RSS, ${count} jobs`, 'MB', [rssMb(pid)]);
	} finally {
		await world.cleanup();
	}
}

const sections: Record<string, () => Promise<void>> = {
	cli: cliStart,
	guard: guardHook,
	dispatch: dispatchVersusByHand,
	overhead,
	scale,
	dashboard: async () => {
		await dashboard(10);
		await dashboard(100);
	},
	claude: async () => {
		await claudeSideBySide(4);
		await claudeSideBySide(10);
	},
	turn: async () => realTurn(Number(process.env.AO_BENCH_TURNS ?? 5)),
	hosts: hostsSideBySide,
};

// `node dist/bench/run.js [section...]` runs only those sections (cli, guard, dispatch, overhead, scale, dashboard, claude, turn, hosts).
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(sections);
const facts = machine();
process.stdout.write(`ao bench: ${Object.entries(facts).map(([key, value]) => `${key} ${value}`).join(' · ')}\n`);
process.stdout.write(`${'figure'.padStart(8)}${' '.repeat(58)}${'median'.padStart(12)} ${'min .. max'.padStart(16)}\n`);
for (const name of chosen) {
	const run = sections[name];
	if (!run) throw new Error(`no bench section "${name}"; there are: ${Object.keys(sections).join(', ')}`);
	setSection(name);
	await run();
}

// A run of some sections replaces only theirs in results.json; the others stay as they were last measured.
const out = path.join(root, 'bench', 'results.json');
interface Results {
	sections: Record<string, {date: string; machine: Record<string, string | number>; figures: typeof figures}>;
}

const previous: Partial<Results> = await fs.readFile(out, 'utf8').then(text => JSON.parse(text) as Partial<Results>, () => ({}));
const results: Results = {sections: typeof previous.sections === 'object' && previous.sections !== null && !Array.isArray(previous.sections) ? previous.sections : {}};
const date = new Date().toISOString();
for (const name of chosen) results.sections[name] = {date, machine: facts, figures: figures.filter(figure => figure.key === name)};
await fs.writeFile(out, JSON.stringify(results, null, 2) + '\n');
process.stdout.write(`\nwrote ${path.relative(process.cwd(), out) || out} (${chosen.join(', ')})\n`);
