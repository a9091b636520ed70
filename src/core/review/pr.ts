import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {Config} from '../config/config-schema.js';
import {AoError} from '../errors.js';
import * as review from '../git/review.js';
import type {Target} from '../jobs/control.js';
import type {Job, PullRequest} from '../jobs/job.js';
import {JobStore} from '../jobs/store.js';
import * as transition from '../jobs/transitions.js';
import {StatePaths, tildify} from '../paths.js';
import {runProgram, type ProgramResult} from '../processes/processes.js';
import {readWork, requireWorktree, taskTitle} from './work.js';

/** What a pull request is opened with. */
export interface PrRequest {
	branch: string;
	base: string;
	title: string;
	bodyFile: string;
	draft: boolean;
}

/** The pull request's description: the task, the commits, the diff stat. Pure. */
export function prBody(job: Pick<Job, 'id' | 'name' | 'agent' | 'task'>, commits: string[], stat: string): string {
	return [
		job.task.trim() || job.name,
		'',
		'Commits:',
		...commits.map(commit => `- ${commit}`),
		'',
		'```',
		stat.trimEnd(),
		'```',
		'',
		`Opened by ao for job ${job.id} (${job.name}), agent ${job.agent}.`,
	].join('\n');
}

/** `gh pr create` for the request, as data (what runs when review.pr_command is not set). Pure. */
export function ghCreateArgv(request: PrRequest): string[] {
	return ['gh', 'pr', 'create', '--head', request.branch, '--base', request.base, '--title', request.title, '--body-file', request.bodyFile, ...(request.draft ? ['--draft'] : [])];
}

/** The pull request's URL (the last one printed) and its number (the URL's last part). Pure. */
export function readPrUrl(output: string): {url: string; number?: number} | undefined {
	const url = output.match(/https?:\/\/\S+/g)?.at(-1)?.replace(/[.,;)]+$/, '');
	if (!url) return undefined;
	const number = /\/(\d+)\/?$/.exec(url)?.[1];
	return {url, ...(number ? {number: Number(number)} : {})};
}

function lastLine(result: ProgramResult): string {
	return `${result.stderr}\n${result.stdout}`.trim().split('\n').map(line => line.trim()).filter(Boolean).at(-1) ?? '';
}

/** Runs review.pr_command (a shell command with AO_PR_* set), or `gh pr create`. */
async function createPr(config: Config, request: PrRequest, cwd: string): Promise<ProgramResult> {
	const command = config.review.pr_command.trim();
	if (command) {
		return runProgram('sh', ['-c', command], {
			cwd,
			env: {AO_PR_BRANCH: request.branch, AO_PR_BASE: request.base, AO_PR_TITLE: request.title, AO_PR_BODY_FILE: request.bodyFile, AO_PR_DRAFT: request.draft ? '1' : ''},
		});
	}

	const [program, ...args] = ghCreateArgv(request);
	const result = await runProgram(program!, args, {cwd});
	if (result.missing) throw new AoError('gh (GitHub\'s CLI) is not installed, and ao pr uses it to open the pull request; install it (https://cli.github.com) and run gh auth login, or set review.pr_command to your forge\'s CLI');
	return result;
}

/** `ao pr`: pushes the job's branch and opens a pull request onto its base; the job keeps its URL and number. */
export async function openPr(paths: StatePaths, config: Config, target: Target, options: {draft?: boolean}): Promise<{job: Job; pr: PullRequest; remote: string; already: boolean}> {
	const {job} = target;
	const {worktree} = requireWorktree(job);
	if (!job.branch) throw new AoError(`job ${job.name} has no branch of its own to open a pull request from`);
	if (job.pr && job.pr.state === 'open') return {job, pr: job.pr, remote: '', already: true};
	const work = await readWork(job, {snapshot: false});
	if (work.uncommitted.length > 0) {
		throw new AoError(`${job.name} has ${work.uncommitted.length} uncommitted file${work.uncommitted.length === 1 ? '' : 's'} in ${tildify(worktree)}, which the pull request would not have; have the agent commit them (ao send ${job.name} ...), or commit them yourself`, 1, work.uncommitted.slice(0, 10).map(line => `  ${line}`));
	}

	if (work.commits.length === 0) throw new AoError(`${job.name} has no commits that ${work.baseName} lacks; nothing to open a pull request for`);
	const remote = await review.remoteFor(worktree, work.baseName);
	if (!remote) throw new AoError(`the repository ${tildify(work.repo)} has no remote to push ${job.branch} to; add one (git remote add origin URL)`);
	await review.pushBranch(worktree, remote, job.branch);
	const bodyFile = path.join(paths.jobDir(job.id), 'pr-body.md');
	const stat = await review.diffText(worktree, work.forkPoint, work.head, {stat: true});
	await fs.writeFile(bodyFile, prBody(job, work.commits, stat), {mode: 0o600});
	const result = await createPr(config, {branch: job.branch, base: work.baseName, title: taskTitle(job), bodyFile, draft: Boolean(options.draft)}, worktree);
	const found = readPrUrl(result.stdout);
	if (result.exitCode !== 0 || !found) {
		const what = config.review.pr_command.trim() ? `review.pr_command "${config.review.pr_command.trim()}"` : 'gh pr create';
		throw new AoError(`${what} ${result.exitCode === 0 ? 'printed no pull request URL' : `failed (exit ${result.exitCode ?? '?'})`}${lastLine(result) ? `: ${lastLine(result)}` : ''}; the branch ${job.branch} is pushed to ${remote}`);
	}

	const pr: PullRequest = {...found, state: 'open', checkedAt: new Date().toISOString()};
	const updated = await new JobStore(paths).update(job.id, () => transition.pullRequest(pr), 'cli');
	return {job: updated, pr, remote, already: false};
}

/** What the forge says of a pull request: its state and the checks that failed. */
export interface PrView {
	state: PullRequest['state'];
	failing: string[];
}

const failedConclusions = new Set(['FAILURE', 'TIMED_OUT', 'CANCELLED', 'ACTION_REQUIRED', 'STARTUP_FAILURE', 'ERROR']);

/** Reads `gh pr view --json state,statusCheckRollup` (check runs and commit statuses alike). Pure. */
export function readPrView(json: string): PrView | undefined {
	let value: unknown;
	try {
		value = JSON.parse(json);
	} catch {
		return undefined;
	}

	const record = value as {state?: unknown; statusCheckRollup?: unknown};
	const state = typeof record.state === 'string' ? record.state.toLowerCase() : '';
	if (state !== 'open' && state !== 'merged' && state !== 'closed') return undefined;
	const checks = Array.isArray(record.statusCheckRollup) ? record.statusCheckRollup as Array<Record<string, unknown>> : [];
	const failing = checks.filter(check => failedConclusions.has(String(check.conclusion ?? check.state ?? '').toUpperCase()))
		.map(check => String(check.name ?? check.context ?? 'a check'));
	return {state, failing: [...new Set(failing)]};
}

/** Asks the forge about one pull request: review.pr_view_command, or `gh pr view URL --json ...`. */
export async function viewPr(config: Config, pr: PullRequest, cwd: string): Promise<PrView | undefined> {
	const command = config.review.pr_view_command.trim();
	const result = command
		? await runProgram('sh', ['-c', command], {cwd, env: {AO_PR_URL: pr.url, AO_PR_NUMBER: pr.number === undefined ? '' : String(pr.number)}, timeoutMs: 30_000})
		: await runProgram('gh', ['pr', 'view', pr.url, '--json', 'state,statusCheckRollup'], {cwd, timeoutMs: 30_000});
	return result.exitCode === 0 ? readPrView(result.stdout) : undefined;
}

/** The directory to run the forge's CLI in for a job: its worktree, else its repository. */
export function forgeDir(job: Job): string {
	return existsSync(job.worktree) ? job.worktree : job.repo && existsSync(job.repo) ? job.repo : os.tmpdir();
}
