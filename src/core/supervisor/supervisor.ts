import fs from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Config} from '../config/config-schema.js';
import {parseDuration} from '../config/config-schema.js';
import {loadConfig, loadDefaults} from '../config/config.js';
import {stop} from '../jobs/control.js';
import {compilePatterns, deriveState, type Patterns, type Pending, type StateChange} from '../jobs/derive.js';
import {errorMessage} from '../errors.js';
import {claimPid} from '../processes/claim.js';
import {LockBusy} from '../processes/lock.js';
import {claimPidFile} from './pid-file.js';
import {describeBuild, thisBuild} from './build.js';
import {writeSupervisorInfo} from './server.js';
import type {Job} from '../jobs/job.js';
import {notify} from './notify.js';
import {userServers} from '../tmux/user-servers.js';
import {plainText, rotateIfLarge} from '../jobs/output-log.js';
import {StatePaths, userConfigFile} from '../paths.js';
import {startQueued, queueOrder} from '../jobs/start.js';
import {formatStatusLine, statusCounts} from './status-line.js';
import {isLive, type JobState} from '../jobs/states.js';
import {JobStore} from '../jobs/store.js';
import {runTmuxThroughShell, type PaneInfo, type Tmux} from '../tmux/tmux.js';
import {ensurePrivateDir, writeFileAtomic} from '../processes/atomic-file.js';
import {readJobUsage, summarize, type UsageSummary} from '../cost/cost.js';
import {overBudget, pauseJob} from '../safety/pause.js';
import {presetNamed} from '../config/presets.js';
import {strategyFor} from '../../agents/index.js';
import {sumTokens, totalOf, type UsageCache} from '../cost/usage.js';
import {Watchdog} from '../safety/watchdog.js';
import {measureTrees} from '../processes/processes.js';
import {writeResourceSnapshot} from '../safety/resources.js';
import * as transition from '../jobs/transitions.js';
import {ReviewWatch} from '../review/watch.js';
import {HostWatch} from '../hosts/watch.js';
import {serveCommands, type CommandRunner} from './command-socket.js';

/** How often the supervisor reads what the agents' usage records gained. */
const usageReadMs = 2000;
/** How often it measures the agents' process trees. */
const resourceSampleMs = 5000;

export class Supervisor {
	private readonly store: JobStore;
	private wake: (() => void) | undefined;
	private stopping = false;
	/** Per job: a state seen on screen or in silence, waiting out the debounce. */
	private readonly pending = new Map<string, Pending>();
	/** Per pane: the activity time when its screen was last read, so quiet panes are not read again. */
	private readonly lastCapture = new Map<string, {activity: number; atMs: number}>();
	/** Per job: the state last seen, to notify once when a job starts needing the user. */
	private readonly lastSeen = new Map<string, JobState>();
	private readonly patterns = new Map<string, Patterns>();
	private ticks = 0;
	private statusLine = '';
	/** Per job: what was read of its agent's usage records (read again only where they grew). */
	private readonly usage = new Map<string, UsageCache>();
	private lastUsageRead = 0;
	private summary: UsageSummary | undefined;
	private summaryText = '';
	private readonly watchdog = new Watchdog();
	private readonly review: ReviewWatch;
	private readonly hosts: HostWatch;
	/** Jobs whose derived change was not written (the record had moved on): their screen is read again next tick. */
	private readonly redo = new Set<string>();

	private config: Config = loadDefaults();
	/** The config file's modification time when it was last read, so an edit is picked up at the next tick. */
	private configStamp = '';

	constructor(private readonly paths: StatePaths, private readonly tmux: Tmux) {
		this.store = new JobStore(paths);
		this.review = new ReviewWatch(paths, tmux, line => this.log(line));
		this.hosts = new HostWatch(paths, async job => {
			await notify(this.config, this.tmux, {...job, name: `${job.name} on ${job.host}`}, await userServers(this.paths));
			await this.log(`${job.host}:${job.id} notified: ${job.state}`);
		}, line => this.log(line));
	}

	static async create(paths: StatePaths, tmux: Tmux): Promise<Supervisor> {
		await ensurePrivateDir(paths.home);
		const supervisor = new Supervisor(paths, tmux);
		await supervisor.reloadConfig();
		return supervisor;
	}

	/** Reads the config again when the user's file changed. A broken file leaves the last good config in force. */
	private async reloadConfig(): Promise<void> {
		// Size too: an editor that truncates, then writes, can leave the same mtime on the empty file and the full one.
		const stamp = await fs.stat(userConfigFile()).then(stat => `${stat.mtimeMs}:${stat.size}`, () => 'none');
		if (stamp === this.configStamp) return;
		const first = this.configStamp === '';
		this.configStamp = stamp;
		try {
			({config: this.config} = await loadConfig({paths: this.paths}));
			this.patterns.clear();
			if (!first) await this.log('config changed: reloaded');
		} catch (error) {
			// A broken config must not leave agents unsupervised: keep going on what was in force, and say why.
			await this.log(`config not usable, still running on the ${first ? 'defaults' : 'previous config'}: ${errorMessage(error)}`);
		}
	}

	/** Appends to supervisor.log; never throws (a full disk must not crash the loop that keeps agents supervised). */
	async log(message: string): Promise<void> {
		await fs.appendFile(this.paths.supervisorLog, `${new Date().toISOString()} ${message}\n`, {mode: 0o600}).catch(() => undefined);
	}

	/**
	 * Runs until the tmux server is gone or a signal ends it. Returns an exit code. With `commands`, it also answers
	 * ao list, peek and send for bin/ao over the state dir's socket (command-socket.ts).
	 */
	async run(commands?: CommandRunner): Promise<number> {
		await ensurePrivateDir(this.paths.home);
		const holder = await claimPidFile(this.paths);
		if (holder) {
			process.stderr.write(`ao: another supervisor (pid ${holder}) already runs for ${this.paths.home}; this one exits\n`);
			return 0;
		}

		await writeSupervisorInfo(this.paths);
		runTmuxThroughShell();
		const stopServing = commands ? await serveCommands(this.paths, commands, line => this.log(line)) : undefined;
		const release = async () => {
			if (claimPid(this.paths.supervisorPid) !== process.pid) return;
			await fs.rm(this.paths.supervisorInfo, {force: true});
			await fs.rm(this.paths.supervisorPid, {force: true});
		};

		process.on('SIGUSR1', () => this.wake?.());
		let why = 'stopped';
		for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
			process.on(signal, () => {
				why = `stopped by ${signal}`;
				this.stopping = true;
				this.wake?.();
			});
		}

		await this.tmux.setGlobalOption('@ao-supervisor-pid', String(process.pid)).catch(() => undefined);
		await this.log(`supervisor ${process.pid} started: ao ${describeBuild(thisBuild())}, tick ${this.config.supervisor.tick_ms} ms, tmux socket "${this.tmux.socket}", parent ${process.ppid}`);
		try {
			while (!this.stopping) {
				const tickStart = Date.now();
				const serverUp = await this.tick().catch(async error => {
					await this.log(`tick failed: ${errorMessage(error)}`);
					return true;
				});
				if (!serverUp) {
					why = `stopped: no tmux server on socket "${this.tmux.socket}"`;
					break;
				}
				const tookMs = Date.now() - tickStart;
				if (tookMs > 2 * this.config.supervisor.tick_ms) await this.log(`slow tick: ${tookMs} ms (tick_ms ${this.config.supervisor.tick_ms})`);
				// One pass at a time: the next tick is scheduled only after this one finished, so a stall never piles up.
				const controller = new AbortController();
				this.wake = () => controller.abort();
				await sleep(this.config.supervisor.tick_ms, undefined, {signal: controller.signal}).catch(() => undefined);
				this.wake = undefined;
			}
		} finally {
			await this.review.settle();
			await this.hosts.settle();
			await stopServing?.();
			await this.log(`supervisor ${process.pid} ${why}`).catch(() => undefined);
			await release();
		}

		return 0;
	}

	private patternsFor(agent: string): Patterns {
		let patterns = this.patterns.get(agent);
		if (!patterns) {
			const preset = presetNamed(this.config, agent);
			const strategy = strategyFor(agent, preset);
			patterns = compilePatterns(preset?.detect, this.config.detect, strategy.screens, strategy.reportsTurns);
			this.patterns.set(agent, patterns);
		}

		return patterns;
	}

	/**
	 * Panes whose screen is worth reading this tick: they printed since the last read, or the last read was taken
	 * before the second of their last output was over (window_activity counts whole seconds, so output later in the
	 * same second as a read would otherwise never be seen), or a guess awaits its debounce. Quiet panes are not read.
	 */
	private screensToRead(jobs: Job[], paneByJob: Map<string, PaneInfo>): PaneInfo[] {
		return jobs.flatMap(job => {
			const pane = paneByJob.get(job.id);
			if (!pane || pane.dead || job.reports || job.state === 'queued' || !isLive(job.state)) return [];
			const last = this.lastCapture.get(pane.paneId);
			const changed = !last || last.activity !== pane.activity || last.atMs < (pane.activity + 1) * 1000;
			// A change dropped because the record moved on meanwhile (a report, the forecast) is derived again from a fresh read.
			return changed || this.pending.has(job.id) || this.redo.delete(job.id) ? [pane] : [];
		});
	}

	/**
	 * One reconcile pass: one list-panes call for every window, at most one more tmux call for the screens that
	 * changed, then only the jobs whose state changed are written.
	 */
	async tick(): Promise<boolean> {
		await this.reloadConfig();
		// Records first, windows second: a job started in between has no window id in the records read, so it is
		// never taken for one whose window vanished (read the other way round, it was, once in a few hundred starts).
		const {jobs} = await this.store.list();
		const panes = await this.tmux.listPanes();
		if (!panes) return false;
		const nowMs = Date.now();
		const paneByJob = new Map(panes.filter(pane => pane.jobId).map(pane => [pane.jobId!, pane]));
		const toRead = this.screensToRead(jobs, paneByJob);
		const capturedAt = Date.now();
		const screens = await this.tmux.captureScreens(toRead.map(pane => pane.paneId)).catch(() => new Map<string, string>());
		for (const pane of toRead) if (screens.has(pane.paneId)) this.lastCapture.set(pane.paneId, {activity: pane.activity, atMs: capturedAt});
		for (const job of jobs) {
			const screen = screens.get(paneByJob.get(job.id)?.paneId ?? '');
			if (screen !== undefined) this.watchdog.noteScreen(job, screen);
		}

		const rotate = this.ticks++ % 10 === 0;
		const after: Job[] = [];
		for (const job of jobs) {
			if (!isLive(job.state)) {
				this.pending.delete(job.id);
				after.push(job);
				continue;
			}

			const pane = paneByJob.get(job.id);
			const screen = pane ? screens.get(pane.paneId) : undefined;
			const derived = deriveState(job, {
				pane,
				screen: screen === undefined ? undefined : plainText(screen),
				nowMs,
				idleAfterMs: this.config.supervisor.idle_after_s * 1000,
				debounceMs: this.config.supervisor.debounce_ms,
				patterns: this.patternsFor(job.agent),
				pending: this.pending.get(job.id),
			});
			if (derived.pending) this.pending.set(job.id, derived.pending);
			else this.pending.delete(job.id);
			after.push(derived.change ? await this.apply(job, derived.change) : job);
			if (rotate) await rotateIfLarge(this.paths.outputLog(job.id), this.config.logs.max_bytes);
		}

		await this.readUsage(after, paneByJob, nowMs);
		await this.sampleResources(after, paneByJob, nowMs);
		await this.watch(after, paneByJob, nowMs);
		this.review.tick(after, this.config, nowMs, paneByJob);
		this.hosts.tick(this.config, nowMs);
		await this.writeStatusLine(after);
		await this.notifyNew(after, jobs);
		await this.stopIdle(after, paneByJob, nowMs);
		// A start pass already under way (a dispatch's) is left to finish; waiting for it would stall every job's state.
		if (queueOrder(after).length > 0) {
			await startQueued(this.paths, this.tmux, this.config, line => this.log(line), 1000).catch((error: unknown) => {
				if (!(error instanceof LockBusy)) throw error;
			});
		}
		return true;
	}

	/** Writes a derived change, unless the record moved on since it was read (a report came in): then next tick decides. */
	private async apply(job: Job, change: StateChange): Promise<Job> {
		try {
			let logged = '';
			const updated = await this.store.update(job.id, current => {
				if (current.updatedAt !== job.updatedAt) {
					this.redo.add(job.id);
					return undefined;
				}

				logged = `${current.id} ${current.state} -> ${change.state} (${change.reason}) [${change.signal}]`;
				const {signal: _signal, ...fields} = change;
				return fields;
			}, change.signal);
			if (logged) await this.log(logged);
			return updated;
		} catch (error) {
			await this.log(`${job.id} update failed: ${errorMessage(error)}`);
			return job;
		}
	}

	/**
	 * Every couple of seconds: reads what the agents' usage records gained (live jobs; an ended job once), pauses a job
	 * over its budget, and writes the usage summary that list, dashboard, status line and queue read.
	 */
	private async readUsage(jobs: Job[], paneByJob: Map<string, PaneInfo>, nowMs: number): Promise<void> {
		if (nowMs - this.lastUsageRead < usageReadMs) return;
		this.lastUsageRead = nowMs;
		for (const id of [...this.usage.keys()]) if (!jobs.some(job => job.id === id)) this.usage.delete(id);
		for (const job of jobs) {
			if (!isLive(job.state)) {
				if (this.usageOfEnded.has(job.id)) continue;
				this.usageOfEnded.add(job.id);
			}

			const cache = await readJobUsage(this.paths, this.config, job, this.usage.get(job.id));
			if (!cache) continue;
			this.usage.set(job.id, cache);
			if (isLive(job.state)) await this.enforceBudget(job, paneByJob.get(job.id), totalOf(sumTokens(Object.values(cache.byModel))));
		}

		const live = new Set(jobs.filter(job => isLive(job.state)).map(job => job.id));
		this.summary = summarize(this.usage, live, this.config, nowMs, this.hosts.sharedUsage(this.config));
		const {at, ...content} = this.summary;
		const text = JSON.stringify(content);
		// Rewritten when it changed, and every 15 s anyway: readers trust a summary up to a minute old.
		if (text !== this.summaryText || nowMs - Date.parse(this.summaryWrittenAt) > 15_000) {
			this.summaryText = text;
			this.summaryWrittenAt = at;
			await writeFileAtomic(this.paths.usageSummary, JSON.stringify(this.summary)).catch(() => undefined);
		}
	}

	private summaryWrittenAt = new Date(0).toISOString();
	private lastResourceSample = 0;

	/**
	 * Every few seconds: what each live agent's process tree takes (CPU, memory, processes, open files, inotify
	 * watches), for list and dashboard, and so the resource checks count what running agents really hold.
	 */
	private async sampleResources(jobs: Job[], paneByJob: Map<string, PaneInfo>, nowMs: number): Promise<void> {
		if (nowMs - this.lastResourceSample < resourceSampleMs) return;
		this.lastResourceSample = nowMs;
		const roots = new Map(jobs.flatMap(job => {
			const pane = paneByJob.get(job.id);
			return isLive(job.state) && pane && !pane.dead ? [[job.id, pane.panePid] as [string, number]] : [];
		}));
		const measured = roots.size > 0 ? await measureTrees(roots) : new Map();
		await writeResourceSnapshot(this.paths, {at: new Date(nowMs).toISOString(), jobs: Object.fromEntries(measured)}).catch(() => undefined);
	}
	/** Ended jobs whose usage was read once: it cannot grow any more. */
	private readonly usageOfEnded = new Set<string>();

	private async enforceBudget(job: Job, pane: PaneInfo | undefined, tokens: number): Promise<void> {
		if (job.budgetReset) {
			await this.store.update(job.id, () => transition.budgetRebased(tokens), 'budget').catch(() => undefined);
			return;
		}

		const reason = overBudget(job, tokens, this.config);
		if (!reason || !pane || pane.dead || job.state === 'queued') return;
		try {
			await pauseJob(this.paths, this.tmux, this.config, {job, pane}, 'budget', reason);
			await this.log(`${job.id} paused: ${reason}`);
		} catch (error) {
			await this.log(`${job.id} pause failed: ${errorMessage(error)}`);
		}
	}

	/** The watchdog's look (every watchdog.check_s): flags runaways, pauses them if asked, clears flags that went away. */
	private async watch(jobs: Job[], paneByJob: Map<string, PaneInfo>, nowMs: number): Promise<void> {
		const tokens = new Map(Object.entries(this.summary?.jobs ?? {}).map(([id, usage]) => [id, usage.tokens]));
		const flags = await this.watchdog.check(jobs, paneByJob, tokens, this.config, nowMs);
		for (const [id, flag] of flags) {
			const job = jobs.find(candidate => candidate.id === id)!;
			if (flag === job.runaway) continue;
			await this.store.update(id, () => transition.runawayFlag(flag), 'watchdog').catch(() => undefined);
			if (!flag) {
				await this.log(`${id} no longer looks like a runaway`);
				continue;
			}

			await this.store.appendEvent(id, {at: new Date().toISOString(), from: job.state, to: job.state, reason: flag, signal: 'watchdog'});
			await this.log(`${id} flagged ${flag}`);
			if (this.config.watchdog.pause_runaway) {
				const pane = paneByJob.get(id);
				if (pane) await pauseJob(this.paths, this.tmux, this.config, {job: await this.store.read(id), pane}, 'runaway', flag).catch(async error => this.log(`${id} pause failed: ${errorMessage(error)}`));
			}
		}
	}

	/** Keeps the status-line file current (only written when it changes), so the tmux segment costs a `cat`. */
	private async writeStatusLine(jobs: Job[]): Promise<void> {
		const line = formatStatusLine(statusCounts([...jobs, ...this.hosts.remoteJobs()]), this.config.status.glyphs, this.summary);
		if (line === this.statusLine) return;
		this.statusLine = line;
		await writeFileAtomic(this.paths.statusLineFile, line + '\n').catch(() => undefined);
	}

	/** Notifies once per arrival in needs-input or ready, whoever made the change (a report, the screen, silence). */
	private async notifyNew(jobs: Job[], asRead: Job[]): Promise<void> {
		const readState = new Map(asRead.map(job => [job.id, job.state]));
		for (const job of jobs) {
			// Not seen by an earlier tick (this supervisor just started): the record as this tick read it is the before,
			// so a change made in this very tick is announced too, and one announced before a restart is not again.
			const before = this.lastSeen.get(job.id) ?? readState.get(job.id);
			this.lastSeen.set(job.id, job.state);
			if (before !== undefined && before !== job.state && (job.state === 'needs-input' || job.state === 'ready')) {
				await notify(this.config, this.tmux, job, await userServers(this.paths));
				await this.log(`${job.id} notified: ${job.state}${job.reason ? ` (${job.reason})` : ''}`);
			}
		}
	}

	/** Stops agents that have waited for the user longer than supervisor.idle_stop_after with nobody watching. */
	private async stopIdle(jobs: Job[], paneByJob: Map<string, PaneInfo>, nowMs: number): Promise<void> {
		const after = parseDuration(this.config.supervisor.idle_stop_after) ?? 0;
		if (after === 0) return;
		for (const job of jobs) {
			const pane = paneByJob.get(job.id);
			if ((job.state !== 'ready' && job.state !== 'needs-input') || !pane || pane.dead || pane.viewed) continue;
			if (nowMs - Date.parse(job.stateSince) < after) continue;
			await stop(this.paths, this.tmux, {job, pane}, 'idle');
			await this.log(`${job.id} stopped: idle in ${job.state} for ${this.config.supervisor.idle_stop_after}, nobody attached; attach, send or peek resumes it`);
		}
	}
}
