import fs from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {loadConfig} from './config.js';
import {deriveFromProcess} from './derive.js';
import {errorMessage} from './errors.js';
import {isAlive} from './lock.js';
import {rotateIfLarge} from './output-log.js';
import {StatePaths} from './paths.js';
import {isLive} from './states.js';
import {JobStore} from './store.js';
import {Tmux} from './tmux.js';
import {createExclusive, ensurePrivateDir} from './atomic-file.js';

/** Takes the supervisor pid file; returns the pid of the live supervisor that holds it instead, if any. */
async function claimPidFile(file: string): Promise<number | undefined> {
	for (;;) {
		if (await createExclusive(file, String(process.pid))) return undefined;
		const holder = Number(await fs.readFile(file, 'utf8').catch(() => ''));
		if (holder > 0 && holder !== process.pid && isAlive(holder)) return holder;
		await fs.rm(file, {force: true});
	}
}

export class Supervisor {
	private readonly store: JobStore;
	private wake: (() => void) | undefined;
	private stopping = false;

	constructor(private readonly paths: StatePaths, private readonly tmux: Tmux, private readonly tickMs: number, private readonly maxLogBytes: number) {
		this.store = new JobStore(paths);
	}

	static async create(paths: StatePaths, tmux: Tmux): Promise<Supervisor> {
		try {
			const {config} = await loadConfig({paths});
			return new Supervisor(paths, tmux, config.supervisor.tick_ms, config.logs.max_bytes);
		} catch (error) {
			// A broken user config must not leave agents unsupervised: run on the defaults and say why.
			const supervisor = new Supervisor(paths, tmux, 1000, 10_485_760);
			await ensurePrivateDir(paths.home);
			await supervisor.log(`config not usable, running on defaults: ${errorMessage(error)}`);
			return supervisor;
		}
	}

	async log(message: string): Promise<void> {
		await fs.appendFile(this.paths.supervisorLog, `${new Date().toISOString()} ${message}\n`, {mode: 0o600});
	}

	/** Runs until the tmux server is gone or a signal ends it. Returns an exit code. */
	async run(): Promise<number> {
		await ensurePrivateDir(this.paths.home);
		const holder = await claimPidFile(this.paths.supervisorPid);
		if (holder) {
			process.stderr.write(`ao: another supervisor (pid ${holder}) already runs for ${this.paths.home}; this one exits\n`);
			return 0;
		}

		const release = async () => {
			const pid = Number(await fs.readFile(this.paths.supervisorPid, 'utf8').catch(() => ''));
			if (pid === process.pid) await fs.rm(this.paths.supervisorPid, {force: true});
		};

		process.on('SIGUSR1', () => this.wake?.());
		for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
			process.on(signal, () => {
				this.stopping = true;
				this.wake?.();
			});
		}

		await this.tmux.setGlobalOption('@ao-supervisor-pid', String(process.pid)).catch(() => undefined);
		await this.log(`supervisor ${process.pid} started (tick ${this.tickMs} ms)`);
		try {
			while (!this.stopping) {
				const serverUp = await this.tick();
				if (!serverUp) break;
				// One pass at a time: the next tick is scheduled only after this one finished, so a stall never piles up.
				const controller = new AbortController();
				this.wake = () => controller.abort();
				await sleep(this.tickMs, undefined, {signal: controller.signal}).catch(() => undefined);
				this.wake = undefined;
			}
		} finally {
			await this.log(`supervisor ${process.pid} stopped`).catch(() => undefined);
			await release();
		}

		return 0;
	}

	/** One reconcile pass: one list-panes call for every window, then only the jobs whose state changed are written. */
	async tick(): Promise<boolean> {
		const panes = await this.tmux.listPanes();
		if (!panes) return false;
		const paneByJob = new Map(panes.filter(pane => pane.jobId).map(pane => [pane.jobId!, pane]));
		const {jobs} = await this.store.list();
		for (const job of jobs) {
			if (!isLive(job.state)) continue;
			if (!deriveFromProcess(job, paneByJob.get(job.id))) {
				await rotateIfLarge(this.paths.outputLog(job.id), this.maxLogBytes);
				continue;
			}

			try {
				let logged = '';
				await this.store.update(job.id, current => {
					const change = deriveFromProcess(current, paneByJob.get(current.id));
					if (!change) return undefined;
					logged = `${current.id} ${current.state} -> ${change.state} (${change.reason})`;
					const {signal: _signal, ...fields} = change;
					return fields;
				}, 'process');
				if (logged) await this.log(logged);
			} catch (error) {
				await this.log(`${job.id} update failed: ${errorMessage(error)}`);
			}
		}

		return true;
	}
}
