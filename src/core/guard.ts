/**
 * The guard: a Claude Code PreToolUse hook (`ao guard`) that blocks tool calls matching `guard.deny` patterns, such
 * as a DELETE without WHERE, before they run. Pure parts here; the command records the block in the job.
 */

export interface GuardVerdict {
	/** The text that matched, e.g. "DROP TABLE users". */
	matched: string;
	pattern: string;
}

/** The text of a tool call worth checking: a shell command as is, anything else (MCP tools: SQL...) as JSON. Pure. */
export function toolCallText(payload: Record<string, unknown>): string {
	const input = payload.tool_input;
	if (typeof input !== 'object' || input === null) return '';
	const command = (input as Record<string, unknown>).command;
	return typeof command === 'string' ? command : JSON.stringify(input);
}

/** The first deny pattern the tool call matches, or undefined to let it run. Pure. */
export function checkToolCall(payload: Record<string, unknown>, denyPatterns: string[]): GuardVerdict | undefined {
	const text = toolCallText(payload);
	for (const pattern of denyPatterns) {
		const match = new RegExp(pattern, 'i').exec(text);
		// A pattern that ends at a quote or a semicolon keeps it in the match; the verdict names the words.
		if (match) return {matched: match[0].trim().replaceAll(/\s+/g, ' ').replace(/[\s"'`;)]+$/, '').slice(0, 80), pattern};
	}

	return undefined;
}

/**
 * The hook's answer that blocks the call and tells the agent why: Claude Code's documented PreToolUse output, or
 * Gemini CLI's BeforeTool one (`--agent gemini`). Pure.
 */
export function denyDecision(verdict: GuardVerdict, agent = 'claude'): string {
	const why = `Blocked by ao's guard: "${verdict.matched}" matches a destructive pattern (guard.deny). Ask the user to run it themselves if it is really wanted.`;
	if (agent === 'gemini') return JSON.stringify({decision: 'deny', reason: why});
	return JSON.stringify({hookSpecificOutput: {hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: why}});
}

/**
 * What the job shows for a blocked call: the command as the agent wrote it (shortened), and what matched when that
 * is only part of it: `guard: blocked sqlite3 shop.db "DELETE FROM users" (matched DELETE FROM users)`. Pure.
 */
export function guardReason(payload: Record<string, unknown>, verdict: GuardVerdict): string {
	const call = toolCallText(payload).replaceAll(/\s+/g, ' ').trim();
	const tool = typeof payload.tool_name === 'string' && payload.tool_name !== 'Bash' ? `${payload.tool_name} ` : '';
	const shown = call.length > 50 ? `${call.slice(0, 49)}…` : call;
	const matched = verdict.matched.length > 25 ? `${verdict.matched.slice(0, 24)}…` : verdict.matched;
	return shown === verdict.matched ? `guard: blocked ${tool}${shown}` : `guard: blocked ${tool}${shown} (matched ${matched})`;
}
