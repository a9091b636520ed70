import {isShellTool, type Verdict} from './judge.js';

/** How the guard's verdict is worded: for the agent (its hook protocol), and for the user (the job's reason). Pure. */

export type GuardedAgent = 'claude' | 'codex' | 'gemini';

/** One line cut to `max` characters (not cleanReason: a command's "|" and "·" are part of it). */
function shorten(text: string, max: number): string {
	const flat = text.replaceAll(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The hook's answer: Claude Code's and Codex's PreToolUse `permissionDecision`, Gemini CLI's BeforeTool `decision`.
 * Codex has no "ask" (it runs the command anyway), so a doubt is denied there, with the reason.
 */
export function hookAnswer(verdict: Verdict, agent: GuardedAgent = 'claude'): string | undefined {
	const finding = verdict.decisive;
	if (!finding) return undefined;
	const action = agent === 'codex' ? 'deny' : finding.action;
	const rule = `rule ${finding.rule}: ${finding.what}`;
	const why = action === 'deny'
		? `Blocked by ao's guard (${rule}). Do not look for another way to do it: tell the user what you wanted to run and why, so they can run it themselves or allow it (ao guard --explain shows the rule).`
		: `ao's guard asks the user before this runs (${rule}).`;
	if (agent === 'gemini') return JSON.stringify({decision: action, reason: why});
	return JSON.stringify({hookSpecificOutput: {hookEventName: 'PreToolUse', permissionDecision: action, permissionDecisionReason: why}});
}

/**
 * What the job shows: `guard: denied git push origin +main (force push)`, `guard: asks before psql -c "..." (...)`.
 * An MCP tool is named before its query.
 */
export function jobReason(verdict: Verdict, agent: GuardedAgent = 'claude'): string {
	const finding = verdict.decisive!;
	const denied = finding.action === 'deny' || agent === 'codex';
	const tool = isShellTool(verdict.tool) ? '' : `${verdict.tool.replace(/^mcp__/, '')} `;
	const head = `guard: ${denied ? 'denied' : 'asks before'} ${tool}`;
	const what = shorten(finding.what, 36);
	// A job's reason is at most 100 characters (reasons.ts): the command gets what the rest leaves.
	return `${head}${shorten(verdict.call, Math.max(20, 100 - head.length - what.length - 3))} (${what})`;
}
