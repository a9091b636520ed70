import type {GuardContext, Hit, RuleAction} from './rule.js';
import {checkers, defaultAction} from './rules.js';
import type {ParsedShell, SimpleCommand} from './shell.js';
import {judgeSql, mayDestroy, type SqlDialect, type SqlStatementReport} from './sql.js';

/**
 * The guard's verdict on a tool call: parse the shell command (only when its text names something a rule is about),
 * run every rule on every simple command it runs, and answer deny (clear destruction), ask (a doubt), or allow.
 */

/** A rule of the user's own (`guard.rules.<name>: {program, args, action, why}`). */
export interface CustomRule {
	name: string;
	programs: string[];
	/** Matched, case-insensitively, against the command's arguments joined by spaces. */
	args?: string;
	action: RuleAction;
	why?: string;
}

export interface GuardSettings {
	/** Built-in rules whose action the config changed (`off` turns one off). */
	actions: Record<string, RuleAction | 'off'>;
	custom: CustomRule[];
	/** Regular expressions over the whole command (the older `guard.deny`): a match denies. */
	patterns: string[];
}

export interface Finding extends Hit {
	action: RuleAction;
	/** The simple command it is about, as written. */
	command: string;
}

export interface Verdict {
	action: 'allow' | RuleAction;
	/** The finding that decided (the first deny, else the first ask). */
	decisive?: Finding;
	findings: Finding[];
	/** What was read: the shell's simple commands (none when no rule could apply and nothing was parsed). */
	commands: SimpleCommand[];
	parseErrors: string[];
	sql: SqlStatementReport[];
	/** The call's text as the job shows it: the shell command, or the tool and its query. */
	call: string;
	tool: string;
}

const unjudgeableScreen = /\beval\b|\b(sh|bash|zsh|dash|ksh|ash)\s+-[a-zA-Z]*c/;

function actionOf(rule: string, settings: GuardSettings): RuleAction | undefined {
	const set = settings.actions[rule];
	if (set === 'off') return undefined;
	return set ?? defaultAction(rule) ?? settings.custom.find(each => each.name === rule)?.action;
}

function decide(findings: Finding[], partial: Omit<Verdict, 'action' | 'findings' | 'decisive'>): Verdict {
	const decisive = findings.find(finding => finding.action === 'deny') ?? findings.find(finding => finding.action === 'ask');
	return {action: decisive?.action ?? 'allow', ...(decisive ? {decisive} : {}), findings, ...partial};
}

function customHits(command: SimpleCommand, settings: GuardSettings): Hit[] {
	const joined = command.args.map(arg => arg.text).join(' ');
	return settings.custom
		.filter(rule => rule.programs.includes(command.program) && (!rule.args || new RegExp(rule.args, 'i').test(joined)))
		.map(rule => ({rule: rule.name, what: rule.why ?? rule.name}));
}

/** Judges one shell command line as it would run in `context.cwd`. */
export async function judgeShell(text: string, context: GuardContext, settings: GuardSettings, tool = 'Bash'): Promise<Verdict> {
	const findings: Finding[] = [];
	const add = (hit: Hit, command: string): void => {
		const action = actionOf(hit.rule, settings);
		if (action && !findings.some(each => each.rule === hit.rule && each.what === hit.what && each.command === command)) findings.push({...hit, action, command});
	};

	for (const pattern of settings.patterns) {
		const match = new RegExp(pattern, 'i').exec(text);
		if (match) add({rule: 'guard.deny', what: `matched ${match[0].trim().replaceAll(/\s+/g, ' ').slice(0, 40)}`}, text);
	}

	const active = checkers.filter(checker => checker.screen.test(text));
	const customs = settings.custom.filter(rule => rule.programs.some(program => text.includes(program)));
	const unjudgeable = unjudgeableScreen.test(text);
	const base = {call: text, tool, sql: [] as SqlStatementReport[]};
	if (active.length === 0 && customs.length === 0 && !unjudgeable) return decide(findings, {...base, commands: [], parseErrors: []});

	// The parser is loaded only for a command that needs it.
	const {parseShell} = await import('./shell.js');
	const parsed: ParsedShell = parseShell(text, {cwd: context.cwd, home: context.home});
	const notes = {sql: base.sql};
	for (const command of parsed.commands) {
		for (const checker of active) for (const hit of checker.check(command, context, notes)) add(hit, command.source);
		for (const hit of customHits(command, settings)) add(hit, command.source);
		if (command.opaque) add({rule: 'shell-unjudgeable', what: `runs ${command.opaque}, a script made at run time`}, command.source);
	}

	if (parsed.errors.length > 0 && active.length > 0) add({rule: 'shell-unjudgeable', what: `the command does not parse (${parsed.errors[0]})`}, text);
	return decide(findings, {...base, commands: parsed.commands, parseErrors: parsed.errors});
}

/** Tools whose input holds a shell command: Claude Code's and Codex's Bash, Gemini CLI's run_shell_command. */
const shellTools = new Set(['Bash', 'run_shell_command', 'shell', 'exec_command', 'local_shell']);

export function isShellTool(tool: string): boolean {
	return shellTools.has(tool);
}

function dialectOf(tool: string): SqlDialect {
	if (/mysql|maria/i.test(tool)) return 'mysql';
	if (/sqlite/i.test(tool)) return 'sqlite';
	if (/mssql|sqlserver/i.test(tool)) return 'transactsql';
	if (/bigquery/i.test(tool)) return 'bigquery';
	if (/snowflake/i.test(tool)) return 'snowflake';
	return 'postgresql';
}

/** The string fields of a tool's input that hold SQL (by their name, or because they read as a statement). */
function queryFields(input: unknown, depth = 0): string[] {
	if (depth > 4 || typeof input !== 'object' || input === null) return [];
	return Object.entries(input as Record<string, unknown>).flatMap(([key, value]) => {
		if (typeof value === 'string') {
			const named = /^(sql|query|queries|statement|statements|command|cmd|script)$/i.test(key);
			const looks = /^\s*(delete|update|drop|truncate|alter|with)\b/i.test(value);
			return (named || looks) && mayDestroy(value) ? [value] : [];
		}

		return queryFields(value, depth + 1);
	});
}

/** Judges a hook's tool call: a shell command is parsed; an MCP tool's query is read as SQL. */
export async function judgeToolCall(payload: Record<string, unknown>, context: GuardContext, settings: GuardSettings): Promise<Verdict> {
	const tool = typeof payload.tool_name === 'string' ? payload.tool_name : '';
	const input = payload.tool_input;
	const command = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).command : undefined;
	if (shellTools.has(tool) || (tool === '' && typeof command === 'string')) {
		return judgeShell(typeof command === 'string' ? command : Array.isArray(command) ? command.join(' ') : '', context, settings, tool || 'Bash');
	}

	const queries = tool.startsWith('mcp__') || tool.includes('sql') || tool.includes('query') ? queryFields(input) : [];
	const findings: Finding[] = [];
	const reports: SqlStatementReport[] = [];
	for (const query of queries) {
		for (const report of judgeSql(query, dialectOf(tool))) {
			reports.push(report);
			const action = report.hit && actionOf(report.hit.rule, settings);
			if (report.hit && action) findings.push({rule: report.hit.rule, what: report.hit.what, action, command: report.statement});
		}
	}

	return decide(findings, {call: queries[0] ?? JSON.stringify(input ?? {}), tool, commands: [], parseErrors: [], sql: reports});
}
