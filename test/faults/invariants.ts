import {existsSync} from 'node:fs';
import type {AoSandbox, JobJson} from '../helpers/ao.js';

/** What must hold after any fault: every window has a record, every record of a started job its worktree. */
export async function brokenInvariants(sandbox: AoSandbox): Promise<string[]> {
	const problems: string[] = [];
	const windows = (await sandbox.tmux(['list-windows', '-a', '-F', '#{window_id} #{@ao_job}'])).split('\n').filter(Boolean);
	const jobs = await sandbox.aoJson<JobJson[]>(['list', '--all']);
	const ids = new Set(jobs.map(job => job.id));
	for (const line of windows) {
		const [windowId, jobId] = line.split(' ');
		if (jobId && !ids.has(jobId)) problems.push(`window ${windowId} runs job ${jobId}, which has no record`);
	}

	for (const job of jobs as Array<JobJson & {preparing?: boolean}>) {
		if (job.repo && !job.preparing && !existsSync(job.worktree)) problems.push(`job ${job.id} points at a missing worktree ${job.worktree}`);
	}

	const windowsByJob = new Map<string, number>();
	for (const line of windows) {
		const jobId = line.split(' ')[1];
		if (jobId) windowsByJob.set(jobId, (windowsByJob.get(jobId) ?? 0) + 1);
	}

	for (const [jobId, count] of windowsByJob) if (count > 1) problems.push(`job ${jobId} has ${count} windows`);
	return problems;
}
