import fs from 'node:fs/promises';
import path from 'node:path';
import {existsSync} from 'node:fs';
import type {Config} from '../config/config-schema.js';
import {errorMessage} from '../errors.js';
import * as git from '../git/git.js';
import * as review from '../git/review.js';
import {reply} from '../jobs/actions.js';
import type {Job} from '../jobs/job.js';
import {JobStore} from '../jobs/store.js';
import * as transition from '../jobs/transitions.js';
import type {StatePaths} from '../paths.js';
import type {PaneInfo, Tmux} from '../tmux/tmux.js';
import {conflictsOf, forecastChanged, overlappingPairs, pairKey, type WorkFacts} from './forecast.js';
import {forgeDir, viewPr} from './pr.js';
import {prText} from './words.js';

const forecastStates = new Set(['working', 'needs-input', 'ready']);

/**
 * What the supervisor keeps an eye on for review, in the background of its ticks: the conflict forecast of live and
 * ready jobs (only where a head or worktree changed, only overlapping pairs, a cap per pass), and the open pull
 * requests (one look each per review.pr_poll_s).
 */
export class ReviewWatch {
	private readonly known = new Map<string, {key: string; facts: WorkFacts}>();
	private readonly pairs = new Map<string, string[]>();
	private lastForecast = 0;
	private lastPrLook = 0;
	private running: Promise<void> | undefined;
	/** Git older than 2.38 has no merge-tree --write-tree: no forecast (ao doctor says so). */
	private mergeTreeWorks: boolean | undefined;

	constructor(private readonly paths: StatePaths, private readonly tmux: Tmux, private readonly log: (line: string) => Promise<void>) {}

	/** Starts a pass when one is due and none runs; never waits for it (a slow git must not hold the tick). */
	tick(jobs: Job[], config: Config, nowMs: number, paneByJob: Map<string, PaneInfo>): void {
		if (this.running) return;
		const forecastDue = config.review.forecast_s > 0 && nowMs - this.lastForecast >= config.review.forecast_s * 1000;
		const prsDue = nowMs - this.lastPrLook >= config.review.pr_poll_s * 1000 && jobs.some(job => job.pr?.state === 'open');
		if (!forecastDue && !prsDue) return;
		if (forecastDue) this.lastForecast = nowMs;
		if (prsDue) this.lastPrLook = nowMs;
		this.running = (async () => {
			if (forecastDue) await this.forecast(jobs, config);
			if (prsDue) await this.lookAtPrs(jobs, config, paneByJob);
		})().catch(async (error: unknown) => this.log(`review watch failed: ${errorMessage(error)}`)).finally(() => {
			this.running = undefined;
		});
	}

	/** Waits for a pass under way (the supervisor, as it stops). */
	async settle(): Promise<void> {
		await this.running;
	}

	/** The worktree as it is now: HEAD, what git status says, and the times of the changed files (an edit again). */
	private async stateKey(job: Job, baseCommit: string): Promise<string> {
		const {status, paths} = await git.worktreeState(job.worktree);
		const times = await Promise.all(paths.map(async file => (await fs.stat(path.join(job.worktree, file)).catch(() => undefined))?.mtimeMs ?? 0));
		return `${baseCommit}\n${status}\n${times.join(',')}`;
	}

	private async factsOf(job: Job, base: string, baseCommit: string): Promise<WorkFacts | undefined> {
		const head = await review.resolveCommit(job.worktree, 'HEAD');
		if (!head) return undefined;
		const dirty = (await git.uncommittedChanges(job.worktree)).length > 0;
		const snapshot = dirty ? await git.snapshotCommit(job.worktree, `ao: the uncommitted work of ${job.name}`) : head;
		const forkPoint = await review.mergeBase(job.worktree, baseCommit, head) ?? baseCommit;
		const [files, lines, commits, behind, merged] = await Promise.all([
			review.changedFiles(job.worktree, forkPoint, snapshot),
			review.lineCounts(job.worktree, forkPoint, snapshot),
			review.countCommits(job.worktree, forkPoint, head),
			review.countCommits(job.worktree, forkPoint, baseCommit),
			review.mergeTree(job.worktree, baseCommit, snapshot),
		]);
		return {id: job.id, name: job.name, repo: job.repo!, base, snapshot, files, changes: {...lines, commits}, behind, baseConflicts: merged.files};
	}

	private async forecast(jobs: Job[], config: Config): Promise<void> {
		this.mergeTreeWorks ??= review.hasMergeTreeWriteTree(await git.gitVersion());
		if (!this.mergeTreeWorks) return;
		let budget = config.review.forecast_per_pass;
		const candidates = jobs.filter(job => forecastStates.has(job.state) && job.repo && job.branch && job.base && !job.landed && existsSync(job.worktree));
		const baseTips = new Map<string, string | undefined>();
		const facts: WorkFacts[] = [];
		for (const job of candidates) {
			const tipKey = `${job.repo}\0${job.base}`;
			if (!baseTips.has(tipKey)) baseTips.set(tipKey, await review.resolveCommit(job.repo!, job.base!));
			const baseCommit = baseTips.get(tipKey);
			if (!baseCommit) continue;
			const key = await this.stateKey(job, baseCommit);
			const cached = this.known.get(job.id);
			if (cached?.key === key) {
				facts.push(cached.facts);
				continue;
			}

			if (budget <= 0) continue;
			budget--;
			const found = await this.factsOf(job, job.base!, baseCommit);
			if (!found) continue;
			this.known.set(job.id, {key, facts: found});
			facts.push(found);
		}

		const conflictsWith = new Map<string, Array<{name: string; files: string[]}>>();
		for (const [a, b] of overlappingPairs(facts)) {
			const pair = pairKey(a, b);
			let files = this.pairs.get(pair);
			if (!files) {
				if (budget <= 0) continue;
				budget--;
				files = (await review.mergeTree(a.repo, a.snapshot, b.snapshot)).files;
				this.pairs.set(pair, files);
			}

			if (files.length === 0) continue;
			conflictsWith.set(a.id, [...conflictsWith.get(a.id) ?? [], {name: b.name, files}]);
			conflictsWith.set(b.id, [...conflictsWith.get(b.id) ?? [], {name: a.name, files}]);
		}

		await this.write(jobs, facts, conflictsWith);
		this.forget(candidates);
	}

	private async write(jobs: Job[], facts: WorkFacts[], conflictsWith: Map<string, Array<{name: string; files: string[]}>>): Promise<void> {
		const store = new JobStore(this.paths);
		for (const found of facts) {
			const job = jobs.find(candidate => candidate.id === found.id)!;
			const next = {changes: found.changes, behind: found.behind, conflicts: conflictsOf(found, conflictsWith.get(found.id) ?? [])};
			if (!forecastChanged(job, next)) continue;
			await store.update(job.id, current => (current.landed ? undefined : transition.forecast(next)), 'forecast');
			const said = next.conflicts.map(conflict => `${conflict.with} (${conflict.files.join(', ')})`).join('; ');
			if (JSON.stringify(next.conflicts) !== JSON.stringify(job.conflicts ?? [])) await this.log(`${job.id} forecast: ${said ? `conflicts with ${said}` : 'no conflicts'}`);
		}
	}

	/** Drops what is known of jobs no longer forecast, and old pair results. */
	private forget(candidates: Job[]): void {
		const ids = new Set(candidates.map(job => job.id));
		for (const id of this.known.keys()) if (!ids.has(id)) this.known.delete(id);
		const snapshots = new Set([...this.known.values()].map(entry => entry.facts.snapshot));
		for (const pair of this.pairs.keys()) if (!pair.split(':').every(snapshot => snapshots.has(snapshot))) this.pairs.delete(pair);
	}

	private async lookAtPrs(jobs: Job[], config: Config, paneByJob: Map<string, PaneInfo>): Promise<void> {
		const store = new JobStore(this.paths);
		for (const job of jobs.filter(candidate => candidate.pr?.state === 'open')) {
			const view = await viewPr(config, job.pr!, forgeDir(job));
			if (!view) continue;
			const pr = {...job.pr!, state: view.state, failing: view.failing, checkedAt: new Date().toISOString()};
			if (view.state === 'merged') {
				const head = (job.repo && existsSync(job.worktree) ? await review.resolveCommit(job.worktree, 'HEAD') : undefined) ?? '';
				await store.update(job.id, () => ({...transition.pullRequest(pr), ...transition.landed({how: 'pr', into: job.base ?? '', head, at: pr.checkedAt}, `PR ${prText({...pr, state: 'open', failing: []})} merged`, false)}), 'forge');
				const pane = paneByJob.get(job.id);
				if (pane) await this.tmux.killWindow(pane.windowId).catch(() => undefined);
				await this.log(`${job.id} ${prText(pr)}: completed`);
				continue;
			}

			const failing = view.failing.join(', ');
			const pane = paneByJob.get(job.id);
			const tell = config.review.on_checks_failed === 'tell-agent' && failing && failing !== job.pr!.told && pane && !pane.dead;
			if (tell) {
				await reply(this.paths, this.tmux, config, {job, pane}, `The checks of your pull request ${job.pr!.url} failed: ${failing}. Look at why (gh pr checks ${job.pr!.number ?? job.pr!.url}), fix it, commit and push.`).catch(async (error: unknown) => this.log(`${job.id} could not be told of its failing checks: ${errorMessage(error)}`));
				pr.told = failing;
			}

			if (JSON.stringify(pr.failing) !== JSON.stringify(job.pr!.failing ?? []) || pr.state !== job.pr!.state || tell) {
				await store.update(job.id, () => transition.pullRequest(pr), 'forge');
				await this.log(`${job.id} ${prText(pr)}`);
			} else {
				await store.update(job.id, current => (current.pr ? {pr: {...current.pr, checkedAt: pr.checkedAt}} : undefined), 'forge');
			}
		}
	}
}
