import {AoError, UsageError} from '../errors.js';
import type {Job} from './job.js';

const refPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function describe(jobs: Job[]): string {
	return jobs.slice(0, 5).map(job => `${job.id} ${job.name}`).join(', ') + (jobs.length > 5 ? ', ...' : '');
}

/** Finds the job a user means: exact id, then exact name, then unique id prefix. Never a path. Pure. */
export function resolveJob(ref: string, jobs: Job[]): Job {
	if (!refPattern.test(ref) || ref.includes('..')) {
		throw new UsageError(`${JSON.stringify(ref)} is not a job: give a job id, a unique id prefix or a name (see ao list)`);
	}

	const byId = jobs.find(job => job.id === ref);
	if (byId) return byId;
	const byName = jobs.filter(job => job.name === ref);
	if (byName.length === 1) return byName[0]!;
	if (byName.length > 1) throw new AoError(`name "${ref}" is used by ${byName.length} jobs (${describe(byName)}); give the id`);
	const byPrefix = /^[0-9a-f]+$/.test(ref) ? jobs.filter(job => job.id.startsWith(ref)) : [];
	if (byPrefix.length === 1) return byPrefix[0]!;
	if (byPrefix.length > 1) throw new AoError(`"${ref}" matches ${byPrefix.length} jobs (${describe(byPrefix)}); give more of the id`);
	throw new AoError(`no job "${ref}" (see ao list --all)`);
}
