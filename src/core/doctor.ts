import fs from 'node:fs/promises';
import path from 'node:path';
import {loadConfig} from './config/config.js';
import {logoutRisk, readLogindFacts} from './supervisor/logind.js';
import {ensurePrivateDir} from './processes/atomic-file.js';
import {errorMessage} from './errors.js';
import {gitVersion} from './git/git.js';
import {hasMergeTreeWriteTree} from './git/review.js';
import {describeLeftover, findLeftovers} from './jobs/leftovers.js';
import {StatePaths, tildify} from './paths.js';
import {observe} from './jobs/observe.js';
import {readLimits} from './processes/processes.js';
import {checkResources, measuredNeeds, readResourceSnapshot, type Measured} from './safety/resources.js';
import {supervisorPane, supervisorPid} from './supervisor/server.js';
import {runningJobs} from './jobs/start.js';
import {jobIdPattern} from './jobs/job.js';
import {JobStore} from './jobs/store.js';
import {tmuxSupportsPopup, type Tmux} from './tmux/tmux.js';

export interface Check {
	name: string;
	ok: boolean;
	detail: string;
}

async function check(name: string, probe: () => Promise<string>): Promise<Check> {
	try {
		return {name, ok: true, detail: await probe()};
	} catch (error) {
		return {name, ok: false, detail: errorMessage(error)};
	}
}

/** Everything ao depends on, each with what is wrong and what to do. */
export async function runDoctor(paths: StatePaths, tmux: Tmux, cwd: string): Promise<Check[]> {
	return Promise.all([
		check('tmux', async () => {
			const version = await tmux.version();
			return tmuxSupportsPopup(version) ? version : `${version} (popups need tmux 3.2+; ao attach opens a window instead)`;
		}),
		check('git', async () => {
			const version = await gitVersion();
			return hasMergeTreeWriteTree(version) ? version : `${version} (ao merge and the conflict forecast need git 2.38+ for merge-tree --write-tree: upgrade git; ao diff works without it)`;
		}),
		check('node', async () => process.version),
		check('config', async () => {
			const {sources, skipped} = await loadConfig({cwd, paths});
			const files = sources.map(source => tildify(source.file)).join(', ');
			return skipped.length > 0 ? `valid (${files}); untrusted .ao.yaml keys ignored: ${skipped.join(', ')}` : `valid (${files})`;
		}),
		check('state dir', async () => {
			await ensurePrivateDir(paths.home);
			const probe = path.join(paths.home, `.doctor-${process.pid}`);
			await fs.writeFile(probe, 'ok');
			await fs.rm(probe);
			const {jobs, problems} = await new JobStore(paths).list();
			if (problems.length > 0) throw new Error(`${tildify(paths.home)}: ${problems.length} unreadable job(s): ${problems.map(problem => problem.message).join('; ')}`);
			return `${tildify(paths.home)} writable, ${jobs.length} job(s)`;
		}),
		...(await limitChecks(paths, tmux, cwd)),
		check('leftovers', async () => {
			const leftovers = await findLeftovers(paths, tmux);
			if (leftovers.length > 0) throw new Error(`${leftovers.map(describeLeftover).join('; ')}; ao doctor --repair cleans up`);
			return 'none (no half-made job, no window without a record)';
		}),
		check('logout', async () => {
			const risk = logoutRisk(await readLogindFacts(await tmux.serverPid()));
			if (risk.kills) throw new Error(risk.detail);
			return risk.detail;
		}),
		check('private', () => privateFiles(paths)),
		check('server', async () => {
			const panes = await tmux.listPanes();
			if (!panes) return `not running (socket "${tmux.socket}"); the next ao dispatch starts it`;
			const supervisor = supervisorPane(panes);
			if (!supervisor || supervisor.dead) throw new Error('running, but the supervisor (window 0) is not; any ao dispatch restarts it');
			return `running (socket "${tmux.socket}", server pid ${await tmux.serverPid()}), supervisor pid ${supervisorPid(paths) ?? 'starting'}, ${panes.length - 1} agent window(s)`;
		}),
	]);
}

/** The resource checks for one more agent now, and for concurrency.max_running agents. */
async function limitChecks(paths: StatePaths, tmux: Tmux, cwd: string): Promise<Check[]> {
	try {
		const {config} = await loadConfig({cwd, paths});
		const {jobs, panes} = await observe(paths, tmux);
		// Without a server, the next one starts from this shell and inherits its limits.
		const limits = await readLimits(panes ? await tmux.serverPid() : process.pid);
		const live = runningJobs(jobs);
		const running = live.length;
		// One more agent: what the running ones really hold, and one more of the default preset as measured.
		const measured = measuredNeeds(readResourceSnapshot(paths), live, config.agent.default);
		const describe = (agents: number, withMeasured?: Measured): Check => {
			const checks = checkResources(limits, config.limits, agents, withMeasured);
			const failed = checks.filter(item => !item.ok);
			return {
				name: `limits x${agents}`,
				ok: failed.length === 0,
				detail: (failed.length > 0 ? failed : checks).map(item => item.detail).join('; ') || 'no limits to check on this platform',
			};
		};

		return [describe(running + 1, measured), ...(config.concurrency.max_running !== running + 1 ? [describe(config.concurrency.max_running)] : [])];
	} catch (error) {
		return [{name: 'limits', ok: false, detail: errorMessage(error)}];
	}
}

/** The state dir is the user's alone (0700), and so is each job's environment file and output log (0600). */
async function privateFiles(paths: StatePaths): Promise<string> {
	const open: string[] = [];
	const mode = async (file: string, wanted: number) => {
		const stat = await fs.stat(file).catch(() => undefined);
		if (stat && (stat.mode & 0o077) !== 0) open.push(`${tildify(file)} is ${(stat.mode & 0o777).toString(8)} (chmod ${wanted.toString(8)})`);
		return stat !== undefined;
	};

	await mode(paths.home, 0o700);
	const ids = await fs.readdir(paths.jobsDir).catch(() => [] as string[]);
	let envFiles = 0;
	for (const id of ids.filter(name => jobIdPattern.test(name))) {
		if (await mode(paths.envFile(id), 0o600)) envFiles++;
		await mode(paths.outputLog(id), 0o600);
		await mode(paths.stateFile(id), 0o600);
	}

	if (open.length > 0) throw new Error(`others can read: ${open.join('; ')}`);
	return `state dir 0700; ${envFiles} agent environment file(s) and the jobs' logs 0600`;
}
