import {appendFileSync, readFileSync} from 'node:fs';
import {loadConfig} from '../core/config.js';
import {errorMessage} from '../core/errors.js';
import {checkToolCall, denyDecision, guardReason} from '../core/guard.js';
import {jobIdPattern} from '../core/job.js';
import {wakeSupervisor} from '../core/report.js';
import {isLive} from '../core/states.js';
import {JobStore} from '../core/store.js';
import {guardBlocked} from '../core/transitions.js';
import {context} from './context.js';

/**
 * `ao guard`: Claude Code's PreToolUse hook. Prints the documented deny decision for a call matching guard.deny
 * and holds the job in needs-input until the user replies or dismisses it; prints nothing (the call goes ahead) otherwise. Always exits 0: a hook that
 * fails must not be read as a verdict.
 */
export async function run(options: {agent?: string} = {}): Promise<void> {
	const ctx = context();
	const jobId = ctx.env.AO_JOB_ID;
	try {
		const input = process.stdin.isTTY ? '' : readFileSync(0, 'utf8');
		const payload = input.trim() ? JSON.parse(input) as Record<string, unknown> : {};
		const {config} = await loadConfig({cwd: typeof payload.cwd === 'string' ? payload.cwd : ctx.cwd, paths: ctx.paths});
		const verdict = checkToolCall(payload, config.guard.deny);
		if (!verdict) return;
		process.stdout.write(denyDecision(verdict, options.agent) + '\n');
		if (!jobId || !jobIdPattern.test(jobId)) return;
		const reason = guardReason(payload, verdict);
		const store = new JobStore(ctx.paths);
		const at = new Date().toISOString();
		const before = await store.read(jobId);
		const after = await store.update(jobId, job => (isLive(job.state) && job.state !== 'queued' ? guardBlocked(reason, at) : undefined), 'guard');
		// Every block is in the timeline, even when the job already showed this very reason.
		if (after.state === before.state && after.reason === before.reason) {
			await store.appendEvent(jobId, {at, from: before.state, to: before.state, reason, signal: 'guard'});
		}

		wakeSupervisor(ctx.paths);
	} catch (error) {
		try {
			appendFileSync(ctx.paths.supervisorLog, `${new Date().toISOString()} ${jobId ?? '-'} guard could not decide: ${errorMessage(error)}\n`);
		} catch {
			// Nowhere to write: stay quiet rather than disturb the agent.
		}
	}
}
