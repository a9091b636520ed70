import {appendFileSync, readFileSync} from 'node:fs';
import {errorMessage} from '../core/errors.js';
import {readHook} from '../core/hooks.js';
import {report} from '../core/report.js';
import type {JobState} from '../core/states.js';
import {context} from './context.js';

/** `ao report <state> [--reason]`, or `ao report --hook EVENT` with the hook's JSON payload on stdin. */
export async function run(state: string | undefined, options: {reason?: string; hook?: string}): Promise<void> {
	const ctx = context();
	const jobId = ctx.env.AO_JOB_ID;
	if (!options.hook) {
		await report(ctx.paths, jobId, state as JobState, options.reason ?? '');
		return;
	}

	// A hook must never fail the agent's turn (Claude Code blocks on exit code 2): problems go to the supervisor log.
	try {
		const input = process.stdin.isTTY ? '' : readFileSync(0, 'utf8');
		const payload = input.trim() ? JSON.parse(input) as Record<string, unknown> : {};
		const hook = readHook(options.hook, payload);
		await report(ctx.paths, jobId, hook.state, hook.reason, hook.transcriptPath, options.hook);
	} catch (error) {
		try {
			appendFileSync(ctx.paths.supervisorLog, `${new Date().toISOString()} ${jobId ?? '-'} hook ${options.hook} not recorded: ${errorMessage(error)}\n`);
		} catch {
			// Nowhere to write: stay quiet rather than disturb the agent.
		}
	}
}
