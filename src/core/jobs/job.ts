import type {EnvSource} from '../processes/agent-env.js';
import {isState, type JobState} from './states.js';

/** How ao holds a job: its turn interrupted with keys, its processes stopped, or held at the end of its turn. */
export interface Pause {
	why: 'budget' | 'runaway';
	how: 'keys' | 'sigstop' | 'idle';
	at: string;
}

/** Files a job's work would conflict on, with the base branch or another job (named). */
export interface Conflict {
	with: string;
	files: string[];
}

/** A job's pull request, as the forge last said. */
export interface PullRequest {
	url: string;
	number?: number;
	state: 'open' | 'merged' | 'closed';
	/** Checks that failed on it, by name. */
	failing?: string[];
	/** The failing checks the agent was last told about (review.on_checks_failed: tell-agent), so it is told once. */
	told?: string;
	checkedAt?: string;
}

/** How a job's work landed: merged by `ao merge`, or its pull request merged on the forge. */
export interface Landed {
	how: 'merge' | 'squash' | 'rebase' | 'ff-only' | 'pr';
	into: string;
	/** The commit on `into` that holds the work (the merge, the squash, the branch tip after a rebase). */
	commit?: string;
	/** The job branch's tip when it landed: while it still points there, nothing of it is unsaved. */
	head: string;
	at: string;
}

/** The record in jobs/<id>/state.json. Unknown fields written by newer versions are kept as they are. */
export interface Job {
	id: string;
	name: string;
	agent: string;
	task: string;
	/** The argv the agent was started with. */
	argv: string[];
	state: JobState;
	reason: string;
	/** The directory `ao dispatch` ran in. */
	cwd: string;
	/** The main checkout the worktree came from; undefined with --no-worktree. */
	repo?: string;
	/** The directory the agent works in: its worktree, or cwd with --no-worktree. */
	worktree: string;
	branch?: string;
	sessionId: string;
	windowId?: string;
	pid?: number;
	exitCode?: number;
	pinned: boolean;
	/** Queued jobs with a higher priority start first (default 0). */
	priority?: number;
	/** Which agent strategy it runs (src/agents/<kind>.ts), as its preset said at dispatch. */
	kind?: string;
	/** Where its environment (jobs/<id>/env) came from: the dispatching shell (default) or the tmux server. */
	envFrom?: EnvSource;
	/** HOME and CODEX_HOME in the agent's environment, where its agent keeps the records ao reads usage from. */
	homes?: {HOME?: string; CODEX_HOME?: string};
	/** Records of ao before 0.2 kept the environment here; it moves to jobs/<id>/env at the next start. */
	env?: Record<string, string>;
	/** The preset's resume argv, filled in; the next start uses it when `resumeNext` is set. */
	resumeArgv?: string[];
	resumeNext?: boolean;
	/** The branch was made by ao (ao rm deletes it); false for a --branch that existed. */
	createdBranch?: boolean;
	/** The agent reports its own state (`ao report`); screen and idle guesses are then left out. */
	reports?: boolean;
	reportedAt?: string;
	/** The state and reason the agent last said itself (its words beat its screen's while the state is the same). */
	said?: {state: JobState; reason: string};
	transcriptPath?: string;
	/** The permission mode it was dispatched in (--mode). */
	mode?: string;
	/** Tokens it may spend before ao pauses it (`--budget`); budget.per_job_tokens when unset. */
	budget?: number;
	/** Tokens spent when it was last resumed from a pause: the budget counts from there. */
	budgetBase?: number;
	/** Resumed by a prompt typed to it: the supervisor counts the budget from what it has spent at its next look. */
	budgetReset?: boolean;
	/** Set while ao holds the agent paused (over budget, or a runaway): how, and why. */
	paused?: Pause;
	/** Set while a guard block holds the job in needs-input (see transitions.guardBlocked). */
	block?: {reason: string; at: string};
	/** What the agent reported while the block held: its state once the block is lifted. */
	afterBlock?: {state: JobState; reason: string};
	/** Set while the watchdog sees the agent run away or loop: what it saw. */
	runaway?: string;
	/** Set while dispatch makes the worktree; the queue skips the job until then. */
	preparing?: boolean;
	/** The pid of the `ao dispatch` making it (while preparing): a dead one means the dispatch was cut short. */
	dispatchPid?: number;
	/** When its agent last started (or resumed). */
	startedAt?: string;
	/** The branch the main checkout was on at dispatch: where `ao merge` lands the work. */
	base?: string;
	/** What the work changed since it branched (the supervisor's forecast keeps it current). */
	changes?: {files: number; added: number; removed: number; commits: number};
	/** Commits the base branch gained since the job branched. */
	behind?: number;
	/** Conflicts forecast with the base branch tip and with other jobs' work; none: an empty list or missing. */
	conflicts?: Conflict[];
	pr?: PullRequest;
	landed?: Landed;
	createdAt: string;
	updatedAt: string;
	/** When the job entered its current state. */
	stateSince: string;
	[extra: string]: unknown;
}

export const jobIdPattern = /^[0-9a-f]{8}$/;

/** Checks a parsed state.json; returns the job or a one-line description of what is wrong. Pure. */
export function parseJob(value: unknown, id: string): Job | string {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
	const record = value as Record<string, unknown>;
	for (const key of ['id', 'name', 'agent', 'cwd', 'worktree', 'createdAt', 'updatedAt'] as const) {
		if (typeof record[key] !== 'string') return `"${key}" is missing or not a string`;
	}

	if (record.id !== id) return `"id" is ${JSON.stringify(record.id)} but the folder is ${id}`;
	if (!isState(record.state)) return `"state" is ${JSON.stringify(record.state)}, not a known state`;
	const defaults = {task: '', argv: [], reason: '', sessionId: '', pinned: false, stateSince: record.updatedAt};
	return {...record, ...Object.fromEntries(Object.entries(defaults).filter(([key]) => record[key] === undefined))} as unknown as Job;
}
