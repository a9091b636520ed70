import type {Config} from '../config/config-schema.js';
import type {CostReport} from '../cost/cost.js';
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
