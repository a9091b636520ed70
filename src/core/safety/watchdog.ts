import {createHash} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {Config} from '../config/config-schema.js';
import {worktreeState} from '../git/git.js';
import type {Job} from '../jobs/job.js';
import {processTable, treeCpuUse} from '../processes/processes.js';
import type {PaneInfo} from '../tmux/tmux.js';
import {formatTokens} from '../cost/units.js';

/** What the watchdog measured of one job since its worktree last changed. */
export interface Signs {
	/** Tokens spent since the worktree last changed (undefined: the agent keeps no usage record). */
	tokensSinceChange?: number;
	/** Minutes spent working (not waiting for the user) since the worktree last changed. */
	workingMinutesSinceChange: number;
	/** Screen reads in a row, while the agent kept printing, that found the same screen. */
	screenRepeats: number;
	/** Seconds without printing anything while its processes always had work ready to run (a loop, not a wait). */
	busySeconds: number;
}

/** Why the job looks like a runaway, or undefined. Pure. */
export function runawayReason(signs: Signs, watchdog: Config['watchdog']): string | undefined {
	// The texts name the limit, not the count, so a flag stays the same while the count grows (one event, not many).
	if (watchdog.runaway_tokens > 0 && (signs.tokensSinceChange ?? 0) >= watchdog.runaway_tokens) {
		return `runaway: spent over ${formatTokens(watchdog.runaway_tokens)} tokens without changing its worktree`;
	}

	if (watchdog.runaway_minutes > 0 && signs.workingMinutesSinceChange >= watchdog.runaway_minutes) {
		return `runaway: worked over ${watchdog.runaway_minutes} min without changing its worktree`;
	}

	if (watchdog.loop_reads > 0 && signs.screenRepeats >= watchdog.loop_reads) return `runaway: printing the same screen over and over (${watchdog.loop_reads} reads in a row)`;
	if (watchdog.cpu_busy_s > 0 && signs.busySeconds >= watchdog.cpu_busy_s) return `runaway: busy on the CPU for over ${watchdog.cpu_busy_s} s without output`;
	return undefined;
}

/** How many different screens a loop may take turns with. */
const recentScreens = 3;

/** Busy: a process ready to run at every look (at least this many), and this share of a CPU used over the silence. */
const minBusyLooks = 3;
const busyShare = 0.1;

interface Mark {
	fingerprint: string;
	/** Tokens spent when the worktree was last seen to change, and at the last look. */
	tokens: number;
	lastTokens: number;
	workingMs: number;
}

interface CpuLook {
	/** When the pane last printed, or last had nothing ready to run (as far as the watchdog saw), and the CPU time its processes had used then. */
	silentSince: number;
	cpuAtSilence: number;
	activity: number;
	/** Looks since then, each of which found a process ready to run. */
	looks: number;
}

/** A fingerprint of the worktree's work: git status, plus size and time of every changed file. */
async function fingerprint(dir: string): Promise<string> {
	const {status, paths} = await worktreeState(dir);
	const hash = createHash('sha256').update(status);
	for (const file of paths) {
		const stat = await fs.stat(path.join(dir, file)).catch(() => undefined);
		hash.update(`\0${stat ? `${stat.size}:${stat.mtimeMs}` : 'gone'}`);
	}

	return hash.digest('hex');
}

/**
 * Watches live jobs for runaways: work that spends tokens or time without changing the worktree, a screen that
 * repeats while the agent prints, a CPU kept busy in silence. Its memory lives in the supervisor process.
 */
export class Watchdog {
	private readonly marks = new Map<string, Mark>();
	private readonly screens = new Map<string, {recent: string[]; repeats: number}>();
	private readonly cpu = new Map<string, CpuLook>();
	private lastCheck = 0;

	/**
	 * A screen read of a working job (it printed since the last read). One of the last few screens again counts as a
	 * repeat: a loop of two lines, or a cursor line that comes and goes, shows as screens that take turns.
	 */
	noteScreen(job: Job, screen: string): void {
		const text = screen.trimEnd();
		const last = this.screens.get(job.id);
		const repeated = job.state === 'working' && last !== undefined && last.recent.includes(text);
		const recent = repeated ? last.recent : [text, ...(last?.recent ?? [])].slice(0, recentScreens);
		this.screens.set(job.id, {recent, repeats: repeated ? last.repeats + 1 : 0});
	}

	/**
	 * Every `watchdog.check_s`: what each live job's signs say. Returns the flag per job looked at (undefined: not a
	 * runaway), or nothing when it is not time yet.
	 */
	async check(jobs: Job[], paneByJob: Map<string, PaneInfo>, tokens: Map<string, number>, config: Config, now: number): Promise<Map<string, string | undefined>> {
		const flags = new Map<string, string | undefined>();
		if (now - this.lastCheck < config.watchdog.check_s * 1000) return flags;
		const elapsed = this.lastCheck === 0 ? 0 : now - this.lastCheck;
		this.lastCheck = now;
		const watched = jobs.filter(job => {
			const pane = paneByJob.get(job.id);
			return pane && !pane.dead && ['working', 'needs-input', 'ready'].includes(job.state) && !job.paused;
		});
		for (const id of [...this.marks.keys()]) if (!watched.some(job => job.id === id)) this.forget(id);
		const table = config.watchdog.cpu_busy_s > 0 && watched.length > 0 ? processTable() : undefined;
		// One git status per worktree per look, and only for agents at work: a waiting agent changes nothing.
		const prints = new Map<string, Promise<string>>();
		const printOf = async (dir: string) => {
			if (!prints.has(dir)) prints.set(dir, fingerprint(dir).catch(() => 'unreadable'));
			return prints.get(dir)!;
		};

		for (const job of watched) {
			const pane = paneByJob.get(job.id)!;
			const spent = tokens.get(job.id);
			const needsMark = config.watchdog.runaway_tokens > 0 || config.watchdog.runaway_minutes > 0;
			const mark = needsMark ? await this.updateMark(job, spent ?? 0, elapsed, printOf) : {fingerprint: '', tokens: spent ?? 0, lastTokens: spent ?? 0, workingMs: 0};
			const busySeconds = table ? this.busySeconds(job.id, pane, treeCpuUse(pane.panePid, table), now) : 0;
			flags.set(job.id, runawayReason({
				tokensSinceChange: spent === undefined ? undefined : spent - mark.tokens,
				workingMinutesSinceChange: mark.workingMs / 60_000,
				screenRepeats: this.screens.get(job.id)?.repeats ?? 0,
				busySeconds,
			}, config.watchdog));
		}

		return flags;
	}

	private forget(id: string): void {
		this.marks.delete(id);
		this.screens.delete(id);
		this.cpu.delete(id);
	}

	private async updateMark(job: Job, tokens: number, elapsedMs: number, printOf: (dir: string) => Promise<string>): Promise<Mark> {
		const mark = this.marks.get(job.id);
		// An agent that waits, spent nothing since the last look and is not flagged changed nothing: no git status.
		if (mark && job.state !== 'working' && !job.runaway && tokens === mark.lastTokens) return mark;
		const print = await printOf(job.worktree);
		if (!mark || mark.fingerprint !== print) {
			// The change happened before this look, maybe long before (looks at a waiting agent are skipped): what was
			// spent since the last look is counted as spent after it, or a wait, a file saved, then a spend would hide
			// the spend.
			const base = mark ? mark.lastTokens : tokens;
			const fresh = {fingerprint: print, tokens: base, lastTokens: tokens, workingMs: 0};
			this.marks.set(job.id, fresh);
			return fresh;
		}

		mark.lastTokens = tokens;
		if (job.state === 'working') mark.workingMs += elapsedMs;
		return mark;
	}

	/**
	 * Seconds the job has been silent while busy: at every look its processes had one ready to run (state R: a loop,
	 * not a wait), and over the silence they got a real share of a CPU. The "ready to run" test holds on a loaded
	 * machine too, where the loop gets less of a CPU than it would alone.
	 */
	private busySeconds(id: string, pane: PaneInfo, usage: {seconds: number; runnable: boolean}, now: number): number {
		const last = this.cpu.get(id);
		if (!last || last.activity !== pane.activity || usage.seconds < last.cpuAtSilence || !usage.runnable) {
			this.cpu.set(id, {silentSince: now, cpuAtSilence: usage.seconds, activity: pane.activity, looks: 0});
			return 0;
		}

		last.looks++;
		const silentSeconds = (now - last.silentSince) / 1000;
		const share = silentSeconds > 0 ? (usage.seconds - last.cpuAtSilence) / silentSeconds : 0;
		return last.looks >= minBusyLooks && share >= busyShare ? silentSeconds : 0;
	}
}
