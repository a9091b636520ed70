import {appendFileSync, readFileSync} from 'node:fs';
import os from 'node:os';
import {loadConfig, loadDefaults} from '../config/config.js';
import {errorMessage} from '../errors.js';
import {jobIdPattern} from '../jobs/job.js';
import {StatePaths} from '../paths.js';
import {reportGuard} from '../jobs/report.js';
import {hookAnswer, jobReason, type GuardedAgent} from './answer.js';
import {judgeToolCall} from './judge.js';
import {machineContext} from './places.js';
import {guardSettings} from './settings.js';

/**
 * `ao guard`, the hook an agent runs before each tool call (Claude Code's and Codex's PreToolUse, Gemini CLI's
 * BeforeTool): reads the call on stdin, prints the deny or ask answer (nothing: the call goes ahead), and records it
 * on the job. Always exits 0: a hook that fails must not be read as a verdict. bin/ao starts it without the rest of
 * the CLI: it runs before every shell command an agent makes.
 */
export async function runGuardHook(agent: GuardedAgent = 'claude', env: NodeJS.ProcessEnv = process.env): Promise<void> {
	const paths = new StatePaths();
	const jobId = env.AO_JOB_ID;
	try {
		const input = process.stdin.isTTY ? '' : readFileSync(0, 'utf8');
		const payload = input.trim() ? JSON.parse(input) as Record<string, unknown> : {};
		const cwd = typeof payload.cwd === 'string' ? payload.cwd : process.cwd();
		const config = await loadConfig({cwd, paths}).then(loaded => loaded.config, error => {
			// A config with a mistake in it must not switch the guard off: its defaults judge the call.
			log(paths, jobId, `guard read the default rules: ${errorMessage(error)}`);
			return loadDefaults();
		});
		const verdict = await judgeToolCall(payload, machineContext(cwd, env.HOME ?? os.homedir()), guardSettings(config.guard));
		const answer = hookAnswer(verdict, agent);
		if (!answer) return;
		process.stdout.write(answer + '\n');
		if (jobId && jobIdPattern.test(jobId)) await reportGuard(paths, jobId, jobReason(verdict, agent), verdict.action === 'deny' || agent === 'codex');
	} catch (error) {
		log(paths, jobId, `guard could not decide: ${errorMessage(error)}`);
	}
}

function log(paths: StatePaths, jobId: string | undefined, message: string): void {
	try {
		appendFileSync(paths.supervisorLog, `${new Date().toISOString()} ${jobId ?? '-'} ${message}\n`);
	} catch {
		// Nowhere to write: stay quiet rather than disturb the agent.
	}
}
