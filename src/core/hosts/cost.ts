import type {Config} from '../config/config-schema.js';
import {sharedWindow, type CostReport, type QuotaWindow} from '../cost/cost.js';
import {totalOf} from '../cost/usage.js';
import type {StatePaths} from '../paths.js';
import {runOnHost, sshProblem} from './remote.js';

/** One host's cost report, or why there is none. */
export type HostCost = {host: string; report: CostReport} | {host: string; problem: string};

/** `ao cost --json` of every configured host, in parallel (with --since passed on). */
export async function hostCosts(paths: StatePaths, config: Config, env: NodeJS.ProcessEnv, since?: string): Promise<HostCost[]> {
	return Promise.all(Object.entries(config.hosts).map(async ([name, host]) => {
		const result = await runOnHost(paths, host, ['cost', '--json', '--host', 'local', ...(since === undefined ? [] : ['--since', since])], env, 15_000);
		if (result.exitCode !== 0) return {host: name, problem: result.exitCode === 255 ? `unreachable (${sshProblem(result)})` : sshProblem({stderr: result.stderr, exitCode: result.exitCode})};
		try {
			return {host: name, report: JSON.parse(result.stdout) as CostReport};
		} catch {
			return {host: name, problem: 'its ao cost --json could not be read (another ao version?)'};
		}
	}));
}

/** Tokens and dollars per host and over all of them, this machine first. Pure. */
export function costByHost(local: CostReport, hosts: HostCost[]): {rows: Array<{host: string; tokens?: number; costUsd?: number; problem?: string}>; tokens: number; costUsd: number} {
	const rows = [{host: 'local', tokens: totalOf(local.total), costUsd: local.costUsd}, ...hosts.map(entry => ('report' in entry
		? {host: entry.host, tokens: totalOf(entry.report.total), costUsd: entry.report.costUsd}
		: {host: entry.host, problem: entry.problem}))];
	return {rows, tokens: rows.reduce((sum, row) => sum + (row.tokens ?? 0), 0), costUsd: rows.reduce((sum, row) => sum + (row.costUsd ?? 0), 0)};
}

/** One subscription spent from several hosts: who is on it (local: this machine) and its window, when one is set. */
export interface AccountWindow {
	account: string;
	hosts: string[];
	/** The hosts on it that did not answer: left out of the window. */
	missing: string[];
	/** What the hosts on it that answered burn together (tokens per minute). */
	burnRate: number;
	window: QuotaWindow;
}

/**
 * The quota windows of the subscriptions more than one host spends (hosts.<name>.account, and budget.account for
 * this machine), from each host's per-minute totals and burn rate, measured against this machine's budget. Pure.
 */
export function accountWindows(local: CostReport, hosts: HostCost[], config: Config, now: number): AccountWindow[] {
	if (config.budget.window_tokens <= 0) return [];
	const members = new Map<string, string[]>();
	const join = (account: string | undefined, host: string) => {
		if (account) members.set(account, [...members.get(account) ?? [], host]);
	};

	join(config.budget.account, 'local');
	for (const [name, host] of Object.entries(config.hosts)) join(host.account, name);
	const reports = new Map<string, CostReport>([['local', local], ...hosts.flatMap(entry => ('report' in entry ? [[entry.host, entry.report] as const] : []))]);
	return [...members].filter(([, names]) => names.length > 1).map(([account, names]) => {
		// With this machine on it, the window is told as the supervisor tells it: this machine's, shared with the others.
		const own = names.includes('local') ? local : undefined;
		const others = names.filter(name => name !== 'local' && reports.has(name)).map(name => ({host: name, minutes: reports.get(name)!.minutes ?? [], burnRate: reports.get(name)!.burnRate}));
		const window = sharedWindow(new Map(own?.minutes ?? []), own?.burnRate ?? 0, others, {...config.budget, account}, now);
		const burnRate = others.reduce((sum, other) => sum + other.burnRate, own?.burnRate ?? 0);
		return {account, hosts: names, missing: names.filter(name => !reports.has(name)), burnRate, window};
	});
}
