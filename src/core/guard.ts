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
		if (match) return {matched: match[0].trim().replaceAll(/\s+/g, ' ').slice(0, 80), pattern};
	}

	return undefined;
}

/** Claude Code's documented PreToolUse answer that blocks the call and tells the agent why. Pure. */
export function denyDecision(verdict: GuardVerdict): string {
	return JSON.stringify({
		hookSpecificOutput: {
			hookEventName: 'PreToolUse',
			permissionDecision: 'deny',
			permissionDecisionReason: `Blocked by ao's guard: "${verdict.matched}" matches a destructive pattern (guard.deny). Ask the user to run it themselves if it is really wanted.`,
		},
	});
}
