import {randomBytes} from 'node:crypto';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {ensurePrivateDir, writeFileAtomic} from '../processes/atomic-file.js';
import {claimantAlive, ownClaim, parseClaim, takeClaim} from '../processes/claim.js';
import {AoError} from '../errors.js';
import {jobIdPattern, parseJob, type Job} from './job.js';
import {withLock} from '../processes/lock.js';
import {StatePaths} from '../paths.js';

export interface StateEvent {
	at: string;
	from: string | null;
	to: string;
	reason: string;
	signal: string;
}

export interface JobProblem {
	id: string;
	message: string;
}

/** Job records on disk: one folder per job, written atomically, read-modify-write serialised per job. */
export class JobStore {
	readonly paths: StatePaths;

	constructor(paths: StatePaths) {
		this.paths = paths;
	}

	async init(): Promise<void> {
		await ensurePrivateDir(this.paths.jobsDir);
	}

	/** Claims a fresh id by creating its folder, so two dispatches can never get the same one. */
	async claimId(): Promise<string> {
		await this.init();
		for (;;) {
			const id = randomBytes(4).toString('hex');
			try {
				await fs.mkdir(this.paths.jobDir(id), {mode: 0o700});
				return id;
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
		}
	}

	/**
	 * Claims `name` for job `id` by creating names/<name> exclusively, so two dispatches never share a name. The claim
	 * holds the job id and the dispatching process: it stands while the job exists, or while that dispatch still runs
	 * (it claims the name before it writes the job). Returns the id of the job that holds the name, if not us.
	 */
	async claimName(name: string, id: string): Promise<string | undefined> {
		const file = this.paths.nameClaim(name);
		await ensurePrivateDir(path.dirname(file));
		const claim = await takeClaim(file, `${id} ${ownClaim()}`, text => {
			const [holder, ...claimant] = text.trim().split(/\s+/);
			if (holder === id) return false;
			const dispatch = parseClaim(claimant.join(' '));
			return jobIdPattern.test(holder ?? '') && (existsSync(this.paths.jobDir(holder!)) || (dispatch !== undefined && claimantAlive(dispatch)));
		});
		return claim.taken ? undefined : claim.holder.trim().split(/\s+/)[0];
	}

	async releaseName(name: string, id: string): Promise<void> {
		const file = this.paths.nameClaim(name);
		const holder = (await fs.readFile(file, 'utf8').catch(() => '')).trim().split(/\s+/)[0];
		if (holder === id) await fs.rm(file, {force: true});
	}

	async create(job: Job): Promise<void> {
		await writeFileAtomic(this.paths.stateFile(job.id), JSON.stringify(job, null, 2) + '\n');
		await this.appendEvent(job.id, {at: job.createdAt, from: null, to: job.state, reason: job.reason, signal: 'dispatch'});
	}

	async read(id: string): Promise<Job> {
		return this.readNow(id);
	}

	/**
	 * Reads one record synchronously: for files this small a sync read is about ten times faster than an async one
	 * (no thread-pool round trip), which is most of what `ao list` spends on 50 jobs.
	 */
	private readNow(id: string): Job {
		let text: string;
		try {
			text = readFileSync(this.paths.stateFile(id), 'utf8');
		} catch (error) {
			throw this.unreadable(id, error);
		}

		return this.parse(id, text);
	}

	/** The same, without blocking: for the dashboard, which must never stall a key press on I/O. */
	private async readLater(id: string): Promise<Job> {
		const text = await fs.readFile(this.paths.stateFile(id), 'utf8').catch(error => {
			throw this.unreadable(id, error);
		});
		return this.parse(id, text);
	}

	private unreadable(id: string, error: unknown): AoError {
		const {code, message} = error as NodeJS.ErrnoException;
		return new AoError(code === 'ENOENT' ? `job ${id} has no state file (was it removed?)` : `cannot read job ${id}: ${message}`);
	}

	private parse(id: string, text: string): Job {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			throw new AoError(`job ${id}: ${this.paths.stateFile(id)} is not valid JSON`);
		}

		const job = parseJob(parsed, id);
		if (typeof job === 'string') throw new AoError(`job ${id}: ${job}`);
		return job;
	}

	/**
	 * Every readable job; unreadable ones are reported in `problems`, never fatal. Sync reads by default (fastest for
	 * a short-lived command); `nonBlocking` for a process that must stay responsive meanwhile (the dashboard).
	 */
	async list(options: {nonBlocking?: boolean} = {}): Promise<{jobs: Job[]; problems: JobProblem[]}> {
		let entries: string[];
		try {
			entries = options.nonBlocking ? await fs.readdir(this.paths.jobsDir) : readdirSync(this.paths.jobsDir);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {jobs: [], problems: []};
			throw error;
		}

		const results = await Promise.all(entries.filter(entry => jobIdPattern.test(entry)).map(async id => {
			try {
				return {job: options.nonBlocking ? await this.readLater(id) : this.readNow(id)};
			} catch (error) {
				return {problem: {id, message: (error as Error).message}};
			}
		}));
		const jobs = results.flatMap(result => (result.job ? [result.job] : []));
		const problems = results.flatMap(result => (result.problem ? [result.problem] : []));
		jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
		return {jobs, problems};
	}

	/**
	 * Read-modify-write of one job under its lock. `change` gets the current record and returns the fields to
	 * change, or undefined for no change. A state change also appends to events.jsonl.
	 */
	async update(id: string, change: (job: Job) => Partial<Job> | undefined, signal = 'cli'): Promise<Job> {
		return withLock(path.join(this.paths.jobDir(id), 'lock'), async () => {
			const current = await this.read(id);
			const patch = change(current);
			if (!patch) return current;
			const now = new Date().toISOString();
			const next: Job = {...current, ...patch, updatedAt: now};
			const stateChanged = next.state !== current.state;
			if (stateChanged) next.stateSince = now;
			await writeFileAtomic(this.paths.stateFile(id), JSON.stringify(next, null, 2) + '\n');
			if (stateChanged || next.reason !== current.reason) {
				await this.appendEvent(id, {at: now, from: current.state, to: next.state, reason: next.reason, signal});
			}

			return next;
		});
	}

	async appendEvent(id: string, event: StateEvent): Promise<void> {
		await fs.appendFile(this.paths.eventsFile(id), JSON.stringify(event) + '\n', {mode: 0o600});
	}

	async remove(id: string): Promise<void> {
		// A supervisor that writes the job down (its window was just closed) can put a file back mid-removal; rm then
		// fails with ENOTEMPTY, and trying again finishes it.
		await fs.rm(this.paths.jobDir(id), {recursive: true, force: true, maxRetries: 5, retryDelay: 50});
	}
}
