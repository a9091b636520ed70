import {randomUUID} from 'node:crypto';
import {agentEnvironment, sshAgentLink, writeAgentEnv, type EnvSource} from '../processes/agent-env.js';
import {existsSync, statSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {permissionModes, riskyModes, type Config, type PermissionMode, type Preset} from '../config/config-schema.js';
import {loadConfig} from '../config/config.js';
import {AoError, OptionError, UsageError} from '../errors.js';
import * as git from '../git/git.js';
import {currentBranch, fetchPullRequest, remoteFor, worktreeOfBranch} from '../git/review.js';
import type {Job} from './job.js';
import {LockBusy} from '../processes/lock.js';
import {logoutWarning} from '../supervisor/logind.js';
import {checkName, nameFromTask} from './names.js';
import {aoBin, socketName, StatePaths, tildify} from '../paths.js';
import {fillArgv, findPreset, findProgram} from '../config/presets.js';
import {strategyFor} from '../../agents/index.js';
import {shell} from '../../agents/shell.js';
import {runningJobs, startQueued} from './start.js';
import {readUsageSummary} from '../cost/cost.js';
import {formatMinutes} from '../cost/units.js';
import {JobStore} from './store.js';
import {isModeTrusted} from '../safety/trust.js';
import {Tmux} from '../tmux/tmux.js';
import {provisionWorktree, runSetup, withRepoLock, worktreePath} from '../git/worktree.js';
import * as transition from './transitions.js';

export interface DispatchRequest {
	task: string;
	name?: string;
	agent?: string;
	cwd: string;
	branch?: string;
	/** Start from this pull request: its `pull/N/head` is fetched into a new branch (ao/pr-N unless `branch`). */
	pr?: number;
	noWorktree?: boolean;
	carry?: boolean;
	/** The argv after `--`: run as is, with the shell preset. */
	command?: string[];
	/** Queued jobs with a higher priority start first. */
	priority?: number;
	/** Dispatch even though CI=true. */
	allowCi?: boolean;
	/** Permission mode, mapped to arguments by the preset's `modes`. */
	mode?: string;
	/** Tokens this job may spend before it is paused (overrides budget.per_job_tokens). */
	budget?: number;
	/** The dispatching shell's environment: the agent's, less its terminal's (see agentEnvironment). */
	env?: NodeJS.ProcessEnv;
	/** `server`: the agent gets the tmux server's environment instead, with only PATH and ao's from the shell. */
	envFrom?: EnvSource;
}

export interface DispatchResult {
	job: Job;
	warnings: string[];
	/** 1 for the next to start, when the job had to wait. */
	queuePosition?: number;
}

/** What to undo if a dispatch fails half way, so nothing is left half-made. */
interface Undo {
	jobId?: string;
	worktree?: {repo: string; dir: string};
	branch?: {repo: string; name: string};
	name?: string;
}

async function undo(store: JobStore, steps: Undo): Promise<void> {
	if (steps.worktree) await git.removeWorktree(steps.worktree.repo, steps.worktree.dir).catch(() => undefined);
	if (steps.branch) await git.deleteBranch(steps.branch.repo, steps.branch.name).catch(() => undefined);
	if (steps.jobId && steps.name) await store.releaseName(steps.name, steps.jobId).catch(() => undefined);
	if (steps.jobId) await store.remove(steps.jobId).catch(() => undefined);
}

/** The name the user asked for (refused if another job has it), or the first free one of base, base-2, base-3... */
async function claimJobName(store: JobStore, id: string, wanted: string | undefined, base: string): Promise<string> {
	if (wanted !== undefined) {
		const holder = await store.claimName(wanted, id);
		if (holder) throw new OptionError('name', option => `the name "${wanted}" is taken by job ${holder}; pick another ${option}, or remove that job (ao rm ${holder})`);
		return wanted;
	}

	for (let n = 1; ; n++) {
		const candidate = n === 1 ? base : `${base}-${n}`;
		if (!(await store.claimName(candidate, id))) return candidate;
	}
}

/** Where the agent will run: a new worktree of the repo at cwd, or cwd itself with --no-worktree. */
async function checkWorkplace(request: DispatchRequest): Promise<{repo?: string; uncommitted: string[]; base?: string}> {
	if (request.noWorktree) return {uncommitted: []};
	const repo = await git.repoRoot(request.cwd);
	if (!repo) {
		throw new AoError(`${tildify(request.cwd)} is not in a git repository, and parallel agents there would write the same files; run "git init" and commit, or pass --no-worktree to run the agent in this directory`);
	}

	const [commits, uncommitted, validBranch, base] = await Promise.all([
		git.hasCommits(repo),
		git.uncommittedChanges(repo),
		request.branch === undefined || git.isValidBranchName(repo, request.branch),
		currentBranch(repo),
	]);
	if (!commits) {
		throw new AoError(`the repository at ${tildify(repo)} has no commits yet, and a worktree starts from one; commit first (git commit --allow-empty -m init) or pass --no-worktree`);
	}

	if (!validBranch) throw new OptionError('branch', option => `${option} ${JSON.stringify(request.branch)} is not a valid git branch name`);
	// A branch checked out in two places would fight: each checkout's commits move the other's files under it.
	const busy = request.branch === undefined ? undefined : await worktreeOfBranch(repo, request.branch);
	if (busy) {
		throw new OptionError('branch', option => `${option} ${request.branch} is checked out in ${tildify(busy)}${busy === repo ? ' (the main checkout)' : ''}, and one branch cannot be in two worktrees; give a new branch (it starts from HEAD), or switch that checkout to another branch first`);
	}

	if (request.pr !== undefined && (await git.branchExists(repo, request.branch ?? `ao/pr-${request.pr}`))) {
		throw new OptionError('branch', option => `the branch ${request.branch ?? `ao/pr-${request.pr}`} for pull request #${request.pr} exists already (an earlier dispatch of it?); delete it (git branch -D) or give another with ${option}`);
	}

	return {repo, uncommitted, base};
}

/**
 * The arguments for a permission mode. A mode the preset does not list is refused; auto and bypass only where they
 * were accepted once, in a terminal, with `ao trust DIR --mode M` (DIR: the repository's top, or where ao runs).
 */
async function checkMode(paths: StatePaths, agent: string, preset: Preset, mode: string | undefined, dir: string): Promise<string[]> {
	if (mode === undefined) return [];
	if (!(permissionModes as readonly string[]).includes(mode)) throw new OptionError('mode', option => `${option} must be one of ${permissionModes.join(', ')}; got "${mode}"`);
	const args = preset.modes?.[mode as PermissionMode];
	if (!args) throw new UsageError(`agent ${agent} has no "${mode}" mode${preset.modes ? ` (it has: ${Object.keys(preset.modes).join(', ')})` : ''}; add it under agents.${agent}.modes`);
	if ((riskyModes as string[]).includes(mode) && !(await isModeTrusted(paths, dir, mode))) {
		throw new UsageError(`--mode ${mode} lets the agent act without asking; accept it once for ${tildify(dir)} by running "ao trust ${tildify(dir)} --mode ${mode}" in a terminal`);
	}

	return args;
}

/** The mode's arguments go right after the program. Pure. */
function withModeArgs(argv: string[], modeArgs: string[]): string[] {
	return modeArgs.length === 0 ? argv : [argv[0]!, ...modeArgs, ...argv.slice(1)];
}

/** Refuses where agents must not pile up unseen: AO_DISABLE=1, or CI without --allow-ci. */
export function checkAllowed(env: NodeJS.ProcessEnv, allowCi: boolean): void {
	if (env.AO_DISABLE === '1') throw new UsageError('AO_DISABLE=1 is set, so ao dispatch is off here; unset it to dispatch');
	if (env.CI === 'true' && !allowCi) throw new UsageError('CI=true: ao dispatch refuses in CI so that no run leaves agents behind; pass --allow-ci if this job should start agents');
}

/** With a quota window set: how many times as fast the agents burn it once this one runs, and when it runs out. */
async function quotaWarning(paths: StatePaths, config: Config): Promise<string | undefined> {
	if (config.budget.window_tokens === 0) return undefined;
	const agents = runningJobs((await new JobStore(paths).list()).jobs).length + 1;
	if (agents < 2) return undefined;
	const window = (await readUsageSummary(paths))?.window;
	const hours = config.budget.window_hours;
	const projection = !window || !Number.isFinite(window.minutesLeft) ? ''
		: window.minutesLeft === 0 ? `; the ${hours} h window is spent` : `; at the current rate the ${hours} h window runs out in ${formatMinutes(window.minutesLeft)}`;
	return `${agents} agents running: quota burns ~${agents}x as fast as one${projection} (ao cost)`;
}

export async function dispatch(request: DispatchRequest, paths = new StatePaths()): Promise<DispatchResult> {
	const env = request.env ?? process.env;
	checkAllowed(env, Boolean(request.allowCi));
	const cwd = path.resolve(request.cwd);
	if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new OptionError('cwd', option => `${option} ${tildify(cwd)} is not a directory`);
	const {config, skipped, sources} = await loadConfig({cwd, env, paths});
	const warnings: string[] = [];
	if (skipped.length > 0) {
		const file = sources.find(source => source.untrusted)!.file;
		warnings.push(`${tildify(file)} sets ${skipped.join(', ')}, ignored until you approve that file: ao trust ${tildify(path.dirname(file))}`);
	}

	const command = request.command?.length ? request.command : undefined;
	if (command && request.task) throw new UsageError('give either a task or a command after "--", not both');
	if (command && request.agent && request.agent !== 'shell') throw new UsageError(`a command after "--" runs as is, with the shell agent; drop --agent ${request.agent}`);
	const agent = command ? 'shell' : request.agent ?? config.agent.default;
	const preset = findPreset(config, agent);
	if (agent === 'shell' && !command && !request.task) throw new UsageError('the shell agent needs something to run: ao dispatch --agent shell "npm test", or ao dispatch -- npm test');
	const template = command ?? preset.command;
	const strategy = command ? shell : strategyFor(agent, preset);
	const program = fillArgv(template.slice(0, 1), {task: request.task, sessionId: '', id: '', name: '', worktree: cwd, ao: aoBin})[0]!;
	const searchPath = env.PATH ?? '';
	if (!findProgram(program, searchPath)) {
		throw new OptionError('agent', option => `"${program}" (agent ${agent}) is not on your PATH; install it, or pick another ${option} (${Object.keys(config.agents).join(', ')})`, 1);
	}

	if (request.name !== undefined) checkName(request.name);
	const {repo, uncommitted, base} = await checkWorkplace({...request, cwd});
	const modeArgs = await checkMode(paths, agent, preset, request.mode, repo ?? cwd);
	if (repo && uncommitted.length > 0 && !request.carry) {
		warnings.push(`${tildify(repo)} has ${uncommitted.length} uncommitted change${uncommitted.length === 1 ? '' : 's'} the agent will not see (it starts from HEAD); --carry brings them into its worktree`);
	}

	const store = new JobStore(paths);
	const tmux = new Tmux(socketName(env));
	const steps: Undo = {};
	try {
		const id = await store.claimId();
		steps.jobId = id;
		const name = await claimJobName(store, id, request.name, nameFromTask(request.task || command?.join(' ') || '', agent));
		steps.name = name;
		const now = new Date().toISOString();
		const job: Job = {
			id, name, agent, task: request.task, argv: [], state: 'queued', reason: 'preparing', preparing: true, dispatchPid: process.pid, cwd, worktree: cwd,
			kind: strategy.name, sessionId: randomUUID(), pinned: false, priority: request.priority ?? 0, createdAt: now, updatedAt: now, stateSince: now,
		};
		if (repo) {
			job.repo = repo;
			if (base) job.base = base;
			job.worktree = worktreePath(config.worktree.root, {repo, name, id});
			if (existsSync(job.worktree)) job.worktree += `-${id}`;
			const existingBranch = request.pr === undefined && request.branch !== undefined && (await git.branchExists(repo, request.branch));
			job.branch = request.branch ?? (request.pr === undefined ? `ao/${name}` : `ao/pr-${request.pr}`);
			if (!request.branch && (await git.branchExists(repo, job.branch))) job.branch += `-${id}`;
			job.createdBranch = !existingBranch;
		}

		const values = {...strategy.placeholders?.({ao: aoBin}), task: request.task, sessionId: job.sessionId, id, name, worktree: job.worktree, ao: aoBin};
		job.argv = withModeArgs(fillArgv(template, values), modeArgs);
		if (!command && preset.resume) job.resumeArgv = withModeArgs(fillArgv(preset.resume, values), modeArgs);
		if (request.mode) job.mode = request.mode;
		if (request.budget !== undefined) job.budget = request.budget;
		const envFrom = request.envFrom ?? 'shell';
		job.envFrom = envFrom;
		const agentEnv = agentEnvironment({
			from: envFrom, caller: {...env, PATH: searchPath}, preset: preset.env, ao: {AO_JOB_ID: id, AO_HOME: paths.home, AO_SOCKET: tmux.socket},
			sshAuthSock: envFrom === 'shell' ? sshAgentLink(paths, env) : undefined,
		});
		if (envFrom === 'shell') job.homes = {HOME: agentEnv.HOME, CODEX_HOME: agentEnv.CODEX_HOME};
		await store.create(job);
		const prepared = await strategy.prepare?.({
			ao: aoBin, env: agentEnv, repo, worktree: job.worktree, stateDir: paths.home,
		});
		// The strategy's variables replace the shell's (they point at what it just prepared), under the preset's and ao's.
		await writeAgentEnv(paths, id, {...agentEnv, ...prepared, ...preset.env, AO_JOB_ID: id, AO_HOME: paths.home, AO_SOCKET: tmux.socket});
		if (repo) {
			await fs.mkdir(path.dirname(job.worktree), {recursive: true});
			// git worktree add reads every other worktree's metadata, and fails if one is half-made at that moment.
			if (request.pr !== undefined) {
				const remote = await remoteFor(repo, base);
				if (!remote) throw new AoError(`--pr ${request.pr} fetches the pull request from the repository's remote, and ${tildify(repo)} has none; add it (git remote add origin URL)`);
				await fetchPullRequest(repo, remote, request.pr, job.branch!);
				steps.branch = {repo, name: job.branch!};
			}

			await withRepoLock(paths, repo, () => git.addWorktree(repo, job.worktree, job.branch!, !job.createdBranch || request.pr !== undefined));
			steps.worktree = {repo, dir: job.worktree};
			if (job.createdBranch) steps.branch = {repo, name: job.branch!};
			if (request.carry && uncommitted.length > 0) await git.carryChanges(repo, job.worktree);
			warnings.push(...(await provisionWorktree(config, repo, job.worktree)));
			if (config.worktree.setup.trim()) await runSetup(config.worktree.setup, job.worktree, envFrom === 'shell' ? agentEnv : {...env, ...agentEnv});
		}

		await store.update(id, () => transition.prepared(), 'dispatch');
		// From here the job exists for good: if it cannot start now, it waits in the queue for the supervisor.
		steps.jobId = undefined;
		steps.worktree = undefined;
		steps.branch = undefined;
		const burn = await quotaWarning(paths, config);
		if (burn) warnings.push(burn);
		const logout = await logoutWarning(paths, () => tmux.serverPid());
		if (logout) warnings.push(logout);
		const {waiting} = await startQueued(paths, tmux, config, undefined, config.concurrency.start_wait_s * 1000).catch(async (error: unknown) => {
			if (!(error instanceof LockBusy)) throw error;
			// Another start pass (the supervisor's, with a long queue on a slow machine) outlasted our wait: no need to
			// wait longer, the supervisor's next pass starts this job in its turn.
			await store.update(id, () => transition.waiting('waiting for the supervisor, busy starting other agents'), 'dispatch');
			return {started: [], waiting: []};
		});
		const final = await store.read(id);
		const position = waiting.findIndex(other => other.id === id);
		return {job: final, warnings, queuePosition: position === -1 ? undefined : position + 1};
	} catch (error) {
		await undo(store, steps);
		throw error;
	}
}
