import os from 'node:os';
import path from 'node:path';
import {loadConfig} from '../../core/config/config.js';
import {UsageError} from '../../core/errors.js';
import type {GuardedAgent} from '../../core/guard/answer.js';
import {explainText, rulesText} from '../../core/guard/explain.js';
import {runGuardHook} from '../../core/guard/hook.js';
import {judgeShell} from '../../core/guard/judge.js';
import {machineContext} from '../../core/guard/places.js';
import {guardSettings} from '../../core/guard/settings.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

const agents: GuardedAgent[] = ['claude', 'codex', 'gemini'];

/**
 * `ao guard`: with no option, the agents' hook (bin/ao starts it directly, see src/core/guard/hook.ts); `--explain CMD`
 * shows how a command is taken apart and judged; `--rules` lists the rules and their actions.
 */
export default defineCommand<[], {agent?: string; explain?: string; rules?: boolean; json?: boolean; cwd?: string}>({
	name: 'guard',
	description: 'judge a command as the guard does (--explain), list its rules (--rules); with neither, the hook agents run before a tool call (JSON on stdin)',
	options: [
		{flags: '--explain <command>', description: 'show how COMMAND is parsed and judged (run in --cwd, default here)'},
		{flags: '--rules', description: 'list the rules, their action (deny, ask, off) and what each catches'},
		{flags: '--cwd <dir>', description: 'with --explain: judge as if run in DIR (the main checkout, an agent\'s worktree)'},
		{flags: '--json', description: 'print the verdict (or the rules) as JSON'},
		{flags: '--agent <kind>', description: 'the hook: whose protocol to answer in: claude (the default), codex or gemini'},
	],
	async run(io, [], options) {
		if (options.agent !== undefined && !agents.includes(options.agent as GuardedAgent)) {
			throw new UsageError(`ao guard --agent takes ${agents.join(', ')}; got "${options.agent}"`);
		}

		if (options.explain === undefined && !options.rules) return runGuardHook(options.agent as GuardedAgent | undefined);
		const ctx = context(io);
		const cwd = path.resolve(ctx.cwd, options.cwd ?? '.');
		const {config} = await loadConfig({cwd, paths: ctx.paths, env: ctx.env});
		const settings = guardSettings(config.guard);
		if (options.rules) {
			if (options.json) io.json({rules: rulesText(settings)});
			else for (const line of rulesText(settings)) io.out(line);
			return;
		}

		if (!options.explain?.trim()) throw new UsageError('ao guard --explain takes the command to judge, e.g. ao guard --explain \'git push -f\'');
		const verdict = await judgeShell(options.explain, machineContext(cwd, ctx.env.HOME ?? os.homedir()), settings);
		if (options.json) {
			io.json({action: verdict.action, decisive: verdict.decisive ?? null, findings: verdict.findings, commands: verdict.commands, parseErrors: verdict.parseErrors, sql: verdict.sql});
			return;
		}

		for (const line of explainText(verdict)) io.out(line);
	},
});
