import {appendFileSync} from 'node:fs';
import {errorMessage} from '../../core/errors.js';
import {strategies} from '../../agents/index.js';
import {report} from '../../core/jobs/report.js';
import type {JobState} from '../../core/jobs/states.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

/**
 * `ao report <state> [--reason]`, or `ao report --hook EVENT [--agent NAME] [PAYLOAD]` from an agent's hook: the
 * payload (JSON) comes on stdin (Claude Code, Gemini CLI) or as the last argument (Codex's notify).
 */
export default defineCommand<[string | undefined], {reason?: string; hook?: string; agent?: string}>({
	name: 'report',
	description: '(for agents and their hooks) record the agent\'s own state: working, needs-input or ready',
	args: [['[state]', 'working, needs-input or ready']],
	options: [
		{flags: '--reason <text>', description: 'why, shown in ao list'},
		{flags: '--hook <event>', description: 'read an agent hook\'s payload (JSON) for this event: from stdin, or the last argument'},
		{flags: '--agent <kind>', description: 'whose hook it is: claude (default), codex or gemini'},
	],
	async run(io, [state], options) {
		const ctx = context(io);
		const jobId = ctx.env.AO_JOB_ID;
		if (!options.hook) {
			await report(ctx.paths, jobId, {state: state as JobState, reason: options.reason ?? ''});
			return;
		}

		// A hook must never fail the agent's turn (Claude Code blocks on exit code 2): problems go to the supervisor log.
		try {
			const strategy = strategies[options.agent ?? 'claude'];
			if (!strategy?.readHook) throw new Error(`no agent "${options.agent}" with hooks`);
			const input = state ?? (io.stdin.isTTY ? '' : io.readAll());
			const payload = input.trim() ? JSON.parse(input) as Record<string, unknown> : {};
			const reading = strategy.readHook(options.hook, payload);
			if (reading) await report(ctx.paths, jobId, reading, strategy.reportsAll);
		} catch (error) {
			try {
				appendFileSync(ctx.paths.supervisorLog, `${new Date().toISOString()} ${jobId ?? '-'} hook ${options.hook} not recorded: ${errorMessage(error)}\n`);
			} catch {
				// Nowhere to write: stay quiet rather than disturb the agent.
			}
		}
	},
});
