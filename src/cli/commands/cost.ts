import {loadConfig} from '../../core/config/config.js';
import type {Config} from '../../core/config/config-schema.js';
import {costReport, type QuotaWindow} from '../../core/cost/cost.js';
import {UsageError} from '../../core/errors.js';
import {formatMinutes, formatTokens as count, parseSince} from '../../core/cost/units.js';
import {totalOf} from '../../core/cost/usage.js';
import {table} from '../../ui/format.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

const dollars = (value: number | undefined) => (value === undefined ? '-' : `~$${value.toFixed(2)}`);

/** "1.2M of 5M tokens of the 5 h window used, resets in 2 h; at this rate the 5 h window runs out in 38 min". Pure. */
function windowSentence(window: QuotaWindow, budget: Config['budget']): string {
	const hours = budget.window_hours;
	return `${count(window.used)} of ${count(budget.window_tokens)} tokens of the ${hours} h window used, resets in ${formatMinutes(window.resetsInMinutes)}; `
		+ (window.minutesLeft === 0 ? 'the window is spent'
			: Number.isFinite(window.minutesLeft) ? `at this rate the ${hours} h window runs out in ${formatMinutes(window.minutesLeft)}`
				: `at this rate the ${hours} h window lasts until it resets`)
		+ (window.runsOutBeforeReset ? ' (before it resets: queued jobs wait)' : '');
}

/** `ao cost [--json] [--since DURATION]`: tokens and an estimated cost per job, the burn rate, the quota window. */
export default defineCommand<[], {json?: boolean; since?: string; host?: string}>({
	name: 'cost',
	description: 'tokens and estimated cost per job, the burn rate of all agents, and the quota window projection',
	options: [
		{flags: '--json', description: 'as JSON'},
		{flags: '--since <when>', description: 'only what was spent since then: a duration back from now (30m, 2h, 1d) or a date'},
		{flags: '--host <name>', description: 'only this host (local: this machine), when hosts are configured'},
	],
	async run(io, [], options) {
		const ctx = context(io);
		const now = Date.now();
		const since = options.since === undefined ? undefined : parseSince(options.since, now);
		if (options.since !== undefined && since === undefined) {
			throw new UsageError(`--since ${JSON.stringify(options.since)} is not a duration or a date; try --since 2h, --since 1d or --since 2026-11-26`);
		}

		const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths, env: ctx.env});
		const report = await costReport(ctx.paths, config, {now, since});
		const hostCost = options.host === 'local' || Object.keys(config.hosts).length === 0 ? undefined : await import('../../core/hosts/cost.js');
		const hosts = hostCost ? await hostCost.hostCosts(ctx.paths, config, ctx.env, options.since) : undefined;
		const accounts = hostCost && hosts ? hostCost.accountWindows(report, hosts, config, now) : [];
		// This machine's window is the one of its subscription when other hosts spend it too.
		const ours = accounts.find(entry => entry.hosts.includes('local'));
		if (ours) report.window = ours.window;
		if (options.json) {
			io.json(hosts ? {...report, hosts: Object.fromEntries(hosts.map(entry => [entry.host, 'report' in entry ? entry.report : {problem: entry.problem}])), accounts} : report);
			return;
		}

		const rows = [['ID', 'NAME', 'AGENT', 'STATE', 'TOKENS', 'IN/OUT/CACHE', 'COST (est.)', 'TOK/MIN']];
		for (const job of report.jobs) {
			const parts = job.tokens ? `${count(job.tokens.input)}/${count(job.tokens.output)}/${count(job.tokens.cacheWrite + job.tokens.cacheRead)}` : '-';
			rows.push([job.id, job.name, job.agent, job.state, count(job.total), parts, dollars(job.costUsd), job.perMinute === undefined ? '-' : count(job.perMinute)]);
		}

		const lines = report.jobs.length > 0 ? table(rows, io.columns) : [since === undefined ? 'no jobs' : 'no job ran or spent tokens in that time'];
		const period = report.since ? ` since ${report.since.slice(0, 16).replace('T', ' ')} UTC` : '';
		lines.push('', `total ${count(totalOf(report.total))} tokens${period}, ~$${report.costUsd.toFixed(2)} (an estimate from the prices table) · all live agents together burn ${count(report.burnRate)} tokens/min now`);
		if (report.window && !ours) lines.push(windowSentence(report.window, config.budget));

		if (hosts) {
			const {costByHost} = await import('../../core/hosts/cost.js');
			const byHost = costByHost(report, hosts);
			lines.push('', ...table([['HOST', 'TOKENS', 'COST (est.)'], ...byHost.rows.map(row => [row.host, row.tokens === undefined ? '-' : count(row.tokens), row.problem ?? dollars(row.costUsd)])], io.columns),
				`all hosts: ${count(byHost.tokens)} tokens, ~$${byHost.costUsd.toFixed(2)}${byHost.rows.some(row => row.problem) ? ' (without the hosts that did not answer)' : ''}`);
			for (const entry of accounts) {
				const who = entry.hosts.map(name => (name === 'local' ? 'this machine' : name)).join(', ');
				const left = entry.missing.length > 0 ? ` (without ${entry.missing.join(', ')}: no answer)` : '';
				lines.push(`account ${entry.account} (${who}): ${windowSentence(entry.window, config.budget)}, together ${count(entry.burnRate)} tokens/min${left}`);
			}
		}

		io.out(lines.join('\n'));
	},
});
