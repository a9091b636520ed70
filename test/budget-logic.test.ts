import test from 'ava';
import {loadDefaults} from '../src/core/config/config.js';
import {quotaBlock, quotaWindow, recentMinutes, sharedWindow, summarize, type CostReport} from '../src/core/cost/cost.js';
import {accountWindows} from '../src/core/hosts/cost.js';
import {statusPaths} from '../src/core/git/git.js';
import {allowance, overBudget} from '../src/core/safety/pause.js';
import {reported, turnEndedWhilePaused, unpaused} from '../src/core/jobs/transitions.js';
import type {Job} from '../src/core/jobs/job.js';
import {descendants, parsePsTime, type ProcessInfo} from '../src/core/processes/processes.js';
import {formatStatusLine, usageLine} from '../src/core/supervisor/status-line.js';
import {parseSince, parseTokens} from '../src/core/cost/units.js';
import {accumulate, emptyCache} from '../src/core/cost/usage.js';
import {runawayReason} from '../src/core/safety/watchdog.js';

const minute = 60_000;
const base = Date.parse('2026-11-26T10:00:00.000Z');
const at = (minutes: number) => base + minutes * minute;
const perMinute = (entries: Array<[number, number]>) => new Map(entries.map(([offset, tokens]) => [Math.floor(at(offset) / minute), tokens]));

test('quota window: opens with the first token after the last window closed, and projects at the burn rate', t => {
	// Spent at 0..10 min: the window opened at 0 and resets at 300; 60k of 100k used, 40k left at 1k/min = 40 min.
	const open = quotaWindow(perMinute([[0, 30_000], [10, 30_000]]), at(20), 5, 100_000, 1000);
	t.deepEqual(open, {used: 60_000, resetsInMinutes: 280, minutesLeft: 40, runsOutBeforeReset: true});
	// A slow burn lasts past the reset.
	t.false(quotaWindow(perMinute([[0, 30_000]]), at(20), 5, 100_000, 100).runsOutBeforeReset);
	// Old usage (a window that closed) does not count: the next window opens with the token at 400.
	const later = quotaWindow(perMinute([[0, 90_000], [400, 5000]]), at(410), 5, 100_000, 0);
	t.is(later.used, 5000);
	t.is(later.resetsInMinutes, 290);
	t.is(later.minutesLeft, Number.POSITIVE_INFINITY);
	// Nothing open: a full window ahead. Spent: zero left, and queued jobs wait.
	t.is(quotaWindow(new Map(), at(0), 5, 100_000, 0).resetsInMinutes, 300);
	const spent = quotaWindow(perMinute([[0, 120_000]]), at(30), 5, 100_000, 0);
	t.is(spent.minutesLeft, 0);
	t.true(spent.runsOutBeforeReset);
});

test('quotaBlock says why queued jobs wait, and nothing while the window lasts', t => {
	const budget = {window_tokens: 100_000, window_hours: 5, per_job_tokens: 0, account: ''};
	t.is(quotaBlock({used: 60_000, resetsInMinutes: 280, minutesLeft: 40, runsOutBeforeReset: true}, budget),
		'quota: at this rate the 5 h window runs out in 40 min, before it resets in 4.7 h (budget.window_tokens)');
	t.is(quotaBlock({used: 120_000, resetsInMinutes: 270, minutesLeft: 0, runsOutBeforeReset: true}, budget),
		'quota: the 5 h window\'s 100k tokens are spent; it resets in 4.5 h (budget.window_tokens)');
	t.is(quotaBlock({used: 1, resetsInMinutes: 100, minutesLeft: 500, runsOutBeforeReset: false}, budget), undefined);
	t.is(quotaBlock(undefined, budget), undefined);
});

test('summarize adds the live jobs\' burn rates and leaves ended ones out of it', t => {
	const config = loadDefaults();
	config.budget.window_tokens = 1_000_000;
	const line = (id: string, tokens: number, offset: number) => JSON.stringify({type: 'assistant', timestamp: new Date(at(offset)).toISOString(), message: {id, model: 'claude-sonnet-4-5', usage: {output_tokens: tokens}}});
	const live = accumulate(emptyCache('a'), [line('a1', 5000, 0), line('a2', 5000, 1)]);
	const ended = accumulate(emptyCache('b'), [line('b1', 7000, 1)]);
	const summary = summarize(new Map([['aaaaaaaa', live], ['bbbbbbbb', ended]]), new Set(['aaaaaaaa']), config, at(2));
	t.deepEqual(summary.jobs, {aaaaaaaa: {tokens: 10_000, perMinute: 2000}, bbbbbbbb: {tokens: 7000, perMinute: 1400}});
	t.is(summary.burnRate, 2000);
	t.is(summary.window!.used, 17_000);
	t.deepEqual(summary.minutes, [[Math.floor(at(0) / minute), 5000], [Math.floor(at(1) / minute), 12_000]], 'this machine\'s own minutes, for the hosts on its account');
	t.is(summary.window!.shared, undefined);
});

test('hosts on one subscription share one window: their minutes add up, a window one opened counts for all, the burn rates add', t => {
	const budget = {window_tokens: 100_000, window_hours: 5, per_job_tokens: 0, account: 'max'};
	// box1 opened the window at 0; this machine spends from 100 on: its tokens fall in box1's window, reset at 300.
	const box1 = {host: 'box1', minutes: recentMinutes(perMinute([[0, 40_000]]), at(120)), burnRate: 500};
	const box2 = {host: 'box2', minutes: recentMinutes(perMinute([[50, 20_000]]), at(120)), burnRate: 500};
	const shared = sharedWindow(perMinute([[100, 10_000]]), 1000, [box1, box2], budget, at(120));
	t.deepEqual(shared, {shared: {account: 'max', hosts: ['box1', 'box2'], burnRate: 2000}, used: 70_000, resetsInMinutes: 180, minutesLeft: 15, runsOutBeforeReset: true});
	// Alone, this machine's window opened at 100 and lasts: 10k used at 1k/min.
	t.deepEqual(sharedWindow(perMinute([[100, 10_000]]), 1000, [], budget, at(120)), {used: 10_000, resetsInMinutes: 280, minutesLeft: 90, runsOutBeforeReset: true});
	t.is(quotaBlock(shared, budget), 'quota: at this rate account max\'s 5 h window runs out in 15 min, before it resets in 3 h (budget.window_tokens; spent with box1, box2)');
	// A host passes on only its last day.
	t.deepEqual(recentMinutes(perMinute([[-2000, 5], [0, 7]]), at(0)), [[Math.floor(at(0) / minute), 7]]);
});

test('ao cost\'s accounts: the subscriptions more than one host spends, without the hosts that did not answer', t => {
	const config = loadDefaults();
	config.budget = {window_tokens: 100_000, window_hours: 5, per_job_tokens: 0, account: 'max'};
	config.hosts = {box1: {ssh: 'b1', account: 'max'}, box2: {ssh: 'b2', account: 'max'}, box3: {ssh: 'b3', account: 'team'}, box4: {ssh: 'b4', account: 'team'}, box5: {ssh: 'b5'}};
	const report = (minutes: Array<[number, number]>, burnRate: number): CostReport => ({jobs: [], total: {input: 0, output: 0, cacheWrite: 0, cacheRead: 0}, costUsd: 0, burnRate, minutes: recentMinutes(perMinute(minutes), at(10))});
	const windows = accountWindows(report([[0, 1000]], 100), [
		{host: 'box1', report: report([[1, 2000]], 100)},
		{host: 'box2', problem: 'unreachable (timed out)'},
		{host: 'box3', report: report([[2, 4000]], 0)},
		{host: 'box4', report: report([[3, 8000]], 0)},
		{host: 'box5', report: report([[3, 16_000]], 0)},
	], config, at(10));
	t.deepEqual(windows.map(entry => [entry.account, entry.hosts, entry.missing, entry.window.used, entry.burnRate]), [
		['max', ['local', 'box1', 'box2'], ['box2'], 3000, 200],
		['team', ['box3', 'box4'], [], 12_000, 0],
	]);
	// This machine's window is told as the supervisor tells it: shared with the others that answered.
	t.deepEqual(windows[0]!.window.shared, {account: 'max', hosts: ['box1'], burnRate: 200});
	config.budget.window_tokens = 0;
	t.deepEqual(accountWindows(report([], 0), [], config, at(10)), [], 'no window set: nothing to project');
});

test('a job is over budget once it spent its allowance since it was last resumed', t => {
	const config = loadDefaults();
	t.is(overBudget({name: 'x'}, 1e9, config), undefined, 'no budget set: never');
	config.budget.per_job_tokens = 100_000;
	t.is(allowance({}, config), 100_000);
	t.is(allowance({budget: 5000}, config), 5000);
	t.is(overBudget({name: 'x'}, 99_999, config), undefined);
	t.is(overBudget({name: 'fix'}, 100_000, config), 'budget: spent 100k of 100k tokens; ao resume fix grants as many again');
	t.is(overBudget({name: 'x', budgetBase: 100_000}, 150_000, config), undefined, 'resumed at 100k: counts from there');
	t.regex(overBudget({name: 'x', budget: 5000}, 6000, config)!, /^budget: spent 6k of 5k/);
	t.is(overBudget({name: 'x', paused: {why: 'budget', how: 'sigstop', at: ''}}, 1e9, config), undefined, 'already paused');
});

test('runaway: tokens or working minutes without a worktree change, a repeating screen, a busy silent CPU', t => {
	const watchdog = {runaway_tokens: 1000, runaway_minutes: 30, pause_runaway: false, loop_reads: 10, cpu_busy_s: 60, check_s: 30};
	const calm = {tokensSinceChange: 999, workingMinutesSinceChange: 29, screenRepeats: 9, busySeconds: 59};
	t.is(runawayReason(calm, watchdog), undefined);
	t.is(runawayReason({...calm, tokensSinceChange: 1500}, watchdog), 'runaway: spent over 1k tokens without changing its worktree');
	t.is(runawayReason({...calm, workingMinutesSinceChange: 31}, watchdog), 'runaway: worked over 30 min without changing its worktree');
	t.is(runawayReason({...calm, screenRepeats: 10}, watchdog), 'runaway: printing the same screen over and over (10 reads in a row)');
	t.is(runawayReason({...calm, busySeconds: 61}, watchdog), 'runaway: busy on the CPU for over 60 s without output');
	t.is(runawayReason({...calm, tokensSinceChange: undefined, screenRepeats: 100}, {...watchdog, loop_reads: 0}), undefined, '0 turns a check off');
});

test('--budget and --since parse what people type, and nothing else', t => {
	t.is(parseTokens('200000'), 200_000);
	t.is(parseTokens('200k'), 200_000);
	t.is(parseTokens('1.5M'), 1_500_000);
	for (const bad of ['0', '-5', 'lots', '1e6', '']) t.is(parseTokens(bad), undefined, bad);
	const now = Date.parse('2026-11-26T12:00:00Z');
	t.is(parseSince('2h', now), now - 7_200_000);
	t.is(parseSince('1d', now), now - 86_400_000);
	t.is(parseSince('2026-11-26T09:00:00Z', now), Date.parse('2026-11-26T09:00:00Z'));
	for (const bad of ['yesterday', '0', '2027-01-01', 'off']) t.is(parseSince(bad, now), undefined, bad);
});

test('the status line and the usage line show the burn rate, and the quota only when it runs out first', t => {
	const glyphs = {needs_input: '?', ready: '!', working: '*', done: '+'};
	const counts = {needsInput: 1, ready: 0, working: 3, done: 0};
	t.is(formatStatusLine(counts, glyphs), 'ao 1? 3*');
	t.is(formatStatusLine(counts, glyphs, {burnRate: 45_000}), 'ao 1? 3* 45k/min');
	t.is(formatStatusLine(counts, glyphs, {burnRate: 45_000, window: {used: 1, resetsInMinutes: 200, minutesLeft: 38, runsOutBeforeReset: true}}), 'ao 1? 3* 45k/min quota 38min left');
	t.is(formatStatusLine(counts, glyphs, {burnRate: 0.2}), 'ao 1? 3*');
	t.is(usageLine(undefined), '');
	t.is(usageLine({burnRate: 45_000, window: {used: 1_200_000, resetsInMinutes: 126, minutesLeft: 38, runsOutBeforeReset: true}}),
		'burning 45k tokens/min · quota window 1.2M used, runs out in 38 min, resets in 2.1 h (queued jobs wait)');
	t.is(usageLine({burnRate: 0, window: {used: 0, resetsInMinutes: 300, minutesLeft: Number.POSITIVE_INFINITY, runsOutBeforeReset: false}}),
		'burning 0 tokens/min · quota window 0 used, lasts at this rate, resets in 5 h');
});

test('git status paths, renames and untracked files included; the process tree below a pid', t => {
	const status = ['# branch.oid abc', '# branch.head main', '1 .M N... 100644 100644 100644 a b src/a file.ts', '2 R. N... 100644 100644 100644 a b R100 new.ts', 'old.ts', '? notes.md', ''].join('\0');
	t.deepEqual(statusPaths(status), ['src/a file.ts', 'new.ts', 'notes.md']);
	const table = new Map<number, ProcessInfo>([[1, {pid: 1, ppid: 0, state: 'S', cpuSeconds: 0}], [10, {pid: 10, ppid: 1, state: 'S', cpuSeconds: 1}], [11, {pid: 11, ppid: 10, state: 'R', cpuSeconds: 2}], [12, {pid: 12, ppid: 11, state: 'R', cpuSeconds: 3}], [20, {pid: 20, ppid: 1, state: 'S', cpuSeconds: 9}]]);
	t.deepEqual(descendants(10, table), [10, 11, 12]);
	t.is(parsePsTime('1-02:03:04'), 86_400 + 7384);
	t.is(parsePsTime('02:03.50'), 123.5);
});

test('an agent that ends its turn while held by a budget pause is ready at resume, and is told nothing (no new turn)', t => {
	const paused = {paused: {why: 'budget' as const, how: 'keys' as const, at: '2026-12-02T03:43:11.000Z'}};
	const job = {...paused, state: 'needs-input' as const, reason: 'budget: spent', said: {state: 'working' as const, reason: 'working'}} as unknown as Job;
	// The report comes in while paused: the state holds, and what the agent said is kept.
	const patch = reported(job, {state: 'ready', reason: 'finished its turn', userPrompt: false, at: '2026-12-02T03:43:11.500Z'});
	t.is(patch?.state, undefined);
	t.deepEqual(patch?.said, {state: 'ready', reason: 'finished its turn'});
	const after = {...job, ...patch} as Job;
	t.true(turnEndedWhilePaused(after));
	t.like(unpaused(after, 3000), {state: 'ready', reason: 'finished its turn', paused: undefined, budgetBase: 3000});
	// A report from before the pause is not the end of the turn it interrupted.
	t.false(turnEndedWhilePaused({...after, reportedAt: '2026-12-02T03:43:10.000Z'}));
	t.like(unpaused({...after, reportedAt: '2026-12-02T03:43:10.000Z'}, 3000), {state: 'working', reason: 'resumed'});
});
