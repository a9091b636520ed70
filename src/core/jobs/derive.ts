import type {ScreenRule} from '../../agents/types.js';
import type {Job} from './job.js';
import {cleanReason, reasonMaxLength} from './reasons.js';
import {isLive, type JobState} from './states.js';
import type {PaneInfo} from '../tmux/tmux.js';

/** Which signal decided a state: the agent's own report, its process, its screen, or its silence. */
export type Signal = 'report' | 'process' | 'screen' | 'idle';

export interface StateChange {
	state: JobState;
	reason: string;
	exitCode?: number;
	signal: Signal;
}

/** How long a dead pane may go without an exit status before ao stops waiting for one. */
export const exitStatusGraceSeconds = 5;

/**
 * What the process signal says about a job: its pane died (exit status -> completed or failed) or its window is
 * gone (failed, lost). Undefined when nothing changes. Jobs that cannot change, and queued jobs that have no window
 * yet, are left alone. Pure.
 */
export function deriveFromProcess(job: Job, pane: PaneInfo | undefined, nowSeconds = Date.now() / 1000): StateChange | undefined {
	if (!isLive(job.state) || !job.windowId) return undefined;
	if (!pane) return {state: 'failed', reason: 'lost', signal: 'process'};
	if (!pane.dead) return undefined;
	if (pane.deadSignal !== undefined) return {state: 'failed', reason: `killed by signal ${pane.deadSignal}`, signal: 'process'};
	// tmux marks a pane dead when its terminal closes, and fills in the exit status a moment later, when it
	// reaps the process: until then the outcome is unknown, and a later look decides.
	if (pane.deadStatus === undefined) {
		const waited = pane.deadTime === undefined ? Infinity : nowSeconds - pane.deadTime;
		return waited < exitStatusGraceSeconds ? undefined : {state: 'failed', reason: 'exited, status unknown', signal: 'process'};
	}

	const exitCode = pane.deadStatus;
	return exitCode === 0
		? {state: 'completed', reason: 'exit 0', exitCode, signal: 'process'}
		: {state: 'failed', reason: `exit ${exitCode}`, exitCode, signal: 'process'};
}

/** The job as it is now: its record with what the process signal says applied. Pure. */
export function currentView(job: Job, pane: PaneInfo | undefined, nowSeconds = Date.now() / 1000): Job {
	const change = deriveFromProcess(job, pane, nowSeconds);
	if (!change) return job;
	const {signal: _signal, ...fields} = change;
	return {...job, ...fields};
}

export interface Patterns {
	/** The agent's own screens (src/agents/<name>.ts), checked first, against the whole screen. */
	rules: ScreenRule[];
	/** The agent reports the start and end of every turn itself (AgentStrategy.reportsTurns). */
	reportsTurns?: boolean;
	needsInput: RegExp[];
	working: RegExp[];
}

/** A state seen on the screen or in the silence, not yet believed: it must hold for the debounce time. */
export interface Pending {
	state: JobState;
	reason: string;
	signal: Signal;
	since: number;
}

export interface Observation {
	pane: PaneInfo | undefined;
	/** The visible screen as plain text, when it was read this tick. */
	screen?: string;
	nowMs: number;
	idleAfterMs: number;
	debounceMs: number;
	patterns: Patterns;
	pending?: Pending;
}

export interface Derived {
	change?: StateChange;
	/** What to remember for the next tick (undefined: nothing pending). */
	pending?: Pending;
}

/** Screen lines (from the bottom, blank ones skipped) where a question or a busy sign counts: older lines are history. */
export const promptLines = 3;

/** The indexes (in `lines`) of the prompt area: the last `promptLines` lines with something on them. Pure. */
export function promptArea(lines: string[]): number[] {
	return lines.flatMap((line, index) => (line.trim() === '' ? [] : [index])).slice(-promptLines);
}

/** The index of the lowest line of the prompt area that a pattern matches. */
function matchingLine(lines: string[], patterns: RegExp[]): number | undefined {
	return promptArea(lines).reverse().find(index => patterns.some(pattern => pattern.test(lines[index]!)));
}

/**
 * What a question on the screen asks, as one short sentence: the matched line, or, when that line is only key hints
 * ("Enter to confirm · Esc to cancel") or frame, the question above it (the nearest line ending in "?"). Pure.
 */
export function askedOnScreen(lines: string[], index: number, prefix = 'asks: '): string {
	const own = cleanReason(lines[index]!, reasonMaxLength - prefix.length);
	if (own && /[?:]\s*(\[[^\]]*\]|\([^)]*\))?$/.test(own)) return prefix + own;
	for (let above = index - 1; above >= Math.max(0, index - 8); above--) {
		const line = cleanReason(lines[above]!, reasonMaxLength - prefix.length);
		if (line?.endsWith('?')) return prefix + line;
	}

	return prefix + (own ?? 'a question on its screen');
}

/** The first of the agent's own screen rules that the screen matches, as a state and a clean reason. Pure. */
export function knownScreen(screen: string, rules: ScreenRule[]): Omit<Pending, 'since'> | undefined {
	for (const rule of rules) {
		const match = rule.pattern.exec(screen);
		if (!match) continue;
		const said = typeof rule.reason === 'string' ? rule.reason : rule.reason(match);
		return {state: rule.state, reason: cleanReason(said) ?? rule.state, signal: 'screen'};
	}

	return undefined;
}

/** What the screen and the silence suggest, before debouncing. Undefined: they say nothing new. Pure. */
export function screenCandidate(job: Job, observation: Observation): Omit<Pending, 'since'> | undefined {
	const {pane, screen, nowMs, idleAfterMs, patterns} = observation;
	if (!pane || pane.dead) return undefined;
	const activityMs = pane.activity * 1000;
	const printedSinceState = activityMs > Date.parse(job.stateSince);
	if (screen !== undefined) {
		const known = knownScreen(screen, patterns.rules);
		if (known) return known;
	}

	// An agent that reports some states itself (Codex's notify, Gemini's hooks) is read from its own screens only:
	// output and silence say nothing of it that its reports do not say better. One that reports every turn's start
	// and end has its word back once the screen that overrode it is gone: a spinner still drawn as its AfterAgent
	// hook said "ready" must not leave the job working for good. Never back to a question it asked: the screen moving
	// on means it was answered.
	if (job.reportedAt) {
		const said = job.said;
		return patterns.reportsTurns && screen !== undefined && said && said.state !== job.state && said.state !== 'needs-input' ? {...said, signal: 'report'} : undefined;
	}
	if (screen !== undefined) {
		const lines = screen.split('\n');
		const question = matchingLine(lines, patterns.needsInput);
		if (question !== undefined) return {state: 'needs-input', reason: askedOnScreen(lines, question), signal: 'screen'};
		const busy = matchingLine(lines, patterns.working);
		if (busy !== undefined) return {state: 'working', reason: cleanReason(lines[busy]!) ?? 'working', signal: 'screen'};
	} else if (job.state === 'needs-input' && !printedSinceState) {
		// The question is still on screen: nothing was printed since it was seen.
		return undefined;
	}

	const silentMs = nowMs - activityMs;
	if (silentMs >= idleAfterMs) return {state: 'ready', reason: `no output for ${Math.round(silentMs / 1000)}s`, signal: 'idle'};
	if (job.state !== 'working' && (printedSinceState || screen !== undefined)) return {state: 'working', reason: 'printing', signal: 'screen'};
	return undefined;
}

/**
 * The state of a live job from every signal, most exact first: its process (dead, gone), then its own reports
 * (an agent that reports is trusted and never second-guessed from the screen), then screen patterns, then silence.
 * A paused job (budget, runaway) keeps its state.
 * Screen and silence must say the same thing for `debounceMs` before the state changes. Pure.
 */
export function deriveState(job: Job, observation: Observation): Derived {
	const processChange = deriveFromProcess(job, observation.pane, observation.nowMs / 1000);
	if (processChange) return {change: processChange};
	// A paused or guard-blocked agent stays where the pause or block put it (needs input) until the user acts; only
	// its process can end that.
	if (!isLive(job.state) || !job.windowId || job.state === 'queued' || job.reports || job.paused || job.block) return {};
	const candidate = screenCandidate(job, observation);
	if (!candidate || (candidate.state === job.state && candidate.reason === job.reason) || (candidate.state === job.state && candidate.signal === 'idle')) return {};
	// The agent said this state itself, with a reason more exact than its screen's ("permission: touch a.txt", not
	// "permission: [Shell]").
	if (candidate.state === job.state && job.said?.state === job.state && job.said.reason === job.reason) return {};
	if (candidate.state === job.state) return {change: candidate};
	const pending = observation.pending;
	// What a pattern found on the screen has been there since the pane last printed (window_activity, whole seconds,
	// so one second later to be safe): a read that came late, on a busy supervisor, still counts that time. Output
	// itself ("printing") has no such history: it must go on for the debounce time.
	// Not when the screen says other than what the agent itself said last: a screen read a moment before its hook
	// ran (the "esc to cancel" of a turn its AfterAgent just ended) must still be there after the debounce.
	const contradicts = job.said !== undefined && job.said.state !== candidate.state;
	const onScreenSince = candidate.signal === 'screen' && candidate.reason !== 'printing' && observation.pane && !contradicts ? (observation.pane.activity + 1) * 1000 : Number.POSITIVE_INFINITY;
	const since = Math.min(pending && pending.state === candidate.state ? pending.since : observation.nowMs, onScreenSince);
	if (observation.nowMs - since >= observation.debounceMs) return {change: candidate};
	return {pending: {...candidate, since}};
}

/** Compiles the configured patterns, the preset's own first, after the agent's own screen rules. Pure. */
export function compilePatterns(preset: {needs_input?: string[]; working?: string[]} | undefined, general: {needs_input?: string[]; working?: string[]}, rules: ScreenRule[] = [], reportsTurns = false): Patterns {
	const compile = (sources: string[]) => sources.map(source => new RegExp(source, 'i'));
	return {
		rules,
		...(reportsTurns ? {reportsTurns} : {}),
		needsInput: compile([...(preset?.needs_input ?? []), ...(general.needs_input ?? [])]),
		working: compile([...(preset?.working ?? []), ...(general.working ?? [])]),
	};
}
