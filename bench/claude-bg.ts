/**
 * Side by side with the tool users would pick instead: Claude Code's own background sessions (`claude --bg`,
 * `claude agents --json`), from the npm package, in a throwaway HOME, offline. The same real `claude` is the agent
 * on both sides; only the processes started here are measured, stopped and, if need be, killed.
 */
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {alternate, childrenOf, median, processesWithEnv, pssMb, record, recordPair, rssMb} from './lib.js';
import {root, World} from './world.js';

const claudeBin = path.join(root, 'node_modules', '.bin', 'claude');

/** A HOME where Claude Code starts without asking anything and without network (it shows "Not logged in"). */
function claudeHome(): {home: string; env: Record<string, string>} {
	const home = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ao-bench-claude-home-')));
	const settings = JSON.stringify({hasCompletedOnboarding: true});
	writeFileSync(path.join(home, '.claude.json'), settings);
	const config = path.join(home, '.claude');
	mkdirSync(config, {recursive: true});
	writeFileSync(path.join(config, '.claude.json'), settings);
	return {
		home,
		env: {
			HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), XDG_STATE_HOME: path.join(home, '.local', 'state'),
			XDG_CACHE_HOME: path.join(home, '.cache'), CLAUDE_CONFIG_DIR: config, DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
			PATH: `${path.dirname(claudeBin)}:${process.env.PATH ?? ''}`,
		},
	};
}

/** Sum of RSS and of PSS over processes, in MB. */
function memoryOf(pids: number[]): {rss: number; pss: number} {
	return pids.reduce((sum, pid) => ({rss: sum.rss + rssMb(pid), pss: sum.pss + pssMb(pid)}), {rss: 0, pss: 0});
}

async function samples(times: number, read: () => Promise<{rss: number; pss: number}> | {rss: number; pss: number}): Promise<{rss: number[]; pss: number[]}> {
	const rss: number[] = [];
	const pss: number[] = [];
	for (let index = 0; index < times; index++) {
		const memory = await read();
		rss.push(memory.rss);
		pss.push(memory.pss);
		await sleep(500);
	}

	return {rss, pss};
}

/** Claude's supervising processes: the daemon and its children (a pty host per session, one spare); not the agents. */
function claudeSupervisors(configDir: string): number[] {
	const lock = path.join(configDir, 'daemon.lock');
	if (!existsSync(lock)) return [];
	const daemon = Number((JSON.parse(readFileSync(lock, 'utf8')) as {pid: number}).pid);
	return [daemon, ...childrenOf(daemon)];
}

export async function claudeSideBySide(sessions: number): Promise<void> {
	const section = `side by side with Claude Code's background sessions (claude --bg), ${sessions} sessions, the real claude ${await claudeVersion()} as the agent`;
	const {home, env} = claudeHome();
	const world = new World(`claude${sessions}`, '', env, 'claude');
	await world.init(20);
	const ids: string[] = [];
	try {
		const dispatches = await alternate(sessions,
			async index => world.ao(['dispatch', '-n', `task-${index}`, `benchmark task ${index}`]),
			async index => {
				const {stdout} = await execa(claudeBin, ['--bg', `benchmark task ${index}`], {cwd: world.repo, env: {...process.env, ...env}, stdin: 'ignore'});
				const id = /backgrounded · ([0-9a-f]+)/.exec(String(stdout))?.[1];
				if (id) ids.push(id);
			});
		recordPair(section, ['ao dispatch -a claude (worktree + window)', 'claude --bg'], 'ms', dispatches);
		// Both sides settle: agents start, Claude's daemon warms its spare.
		await sleep(4000);
		const lists = await alternate(10,
			async () => world.ao(['list', '--json']),
			async () => execa(claudeBin, ['agents', '--json'], {cwd: world.repo, env: {...process.env, ...env}, stdin: 'ignore'}));
		recordPair(section, ['ao list --json', 'claude agents --json'], 'ms', lists);
		const aoProcesses = async () => [world.supervisorPid(), await world.serverPid(), ...(await world.agentShells())];
		const ao = await samples(5, async () => memoryOf(await aoProcesses()));
		const claude = await samples(5, () => memoryOf(claudeSupervisors(env.CLAUDE_CONFIG_DIR!)));
		const aoCount = (await aoProcesses()).length;
		const claudeCount = claudeSupervisors(env.CLAUDE_CONFIG_DIR!).length;
		record(section, `ao: supervisor + tmux server + ${aoCount - 2} agent.sh shells, RSS`, 'MB', ao.rss, {ratio: median(ao.rss) / median(claude.rss)});
		record(section, `claude: daemon + ${claudeCount - 1} pty hosts (one a spare), RSS`, 'MB', claude.rss);
		record(section, 'ao: the same, PSS (shared pages split)', 'MB', ao.pss, {ratio: median(ao.pss) / median(claude.pss)});
		record(section, 'claude: the same, PSS (shared pages split)', 'MB', claude.pss);
	} finally {
		// ao's agents share the HOME: its server goes first, so what is left with that HOME is Claude's.
		await world.cleanup();
		await stopClaude(ids, env, home);
	}
}

async function claudeVersion(): Promise<string> {
	return String((await execa(claudeBin, ['--version'], {reject: false})).stdout).split(' ')[0] ?? '?';
}

/** Stops the sessions and the daemon this benchmark started, waits for their processes, then kills what is left. */
async function stopClaude(ids: string[], env: Record<string, string>, home: string): Promise<void> {
	const options = {env: {...process.env, ...env}, reject: false, stdin: 'ignore' as const};
	const started = [...new Set([...claudeSupervisors(env.CLAUDE_CONFIG_DIR!), ...processesWithEnv(`HOME=${home}`)])];
	for (const id of ids) await execa(claudeBin, ['stop', id], options);
	await execa(claudeBin, ['daemon', 'stop', '--any'], options);
	for (let index = 0; index < 60 && started.some(pid => existsSync(`/proc/${pid}`)); index++) await sleep(500);
	for (const pid of [...started, ...processesWithEnv(`HOME=${home}`)]) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}

	const socketDir = path.join('/tmp', `cc-daemon-${process.getuid?.() ?? 0}`, createHash('sha256').update(env.CLAUDE_CONFIG_DIR!).digest('hex').slice(0, 8));
	await fs.rm(socketDir, {recursive: true, force: true});
	await fs.rm(home, {recursive: true, force: true, maxRetries: 5, retryDelay: 200});
}
