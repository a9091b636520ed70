import {UsageError} from '../errors.js';
import {jobIdPattern} from './job.js';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A short name from the task's first words: "Fix the flaky test!" -> "fix-the-flaky-test". Pure. */
export function nameFromTask(task: string, fallback: string): string {
	const words = task.normalize('NFKD').replaceAll(/\p{M}/gu, '').toLowerCase().replaceAll(/[^a-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
	let name = '';
	for (const word of words) {
		const next = name ? `${name}-${word}` : word;
		if (next.length > 32) break;
		name = next;
	}

	name ||= words[0]?.slice(0, 32) ?? '';
	return name && !jobIdPattern.test(name) ? name : fallback;
}

/** Throws a usage error unless `name` is a safe job name (it becomes a tmux window name and part of a branch). */
export function checkName(name: string): void {
	const problem = !namePattern.test(name) ? 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'
		: name.includes('..') ? 'it may not contain ".." (git refuses it in a branch name)'
		: name.endsWith('.lock') ? 'it may not end in ".lock" (git refuses it in a branch name)'
		: name.endsWith('.') ? 'it may not end in "." (git refuses it in a branch name)'
		: jobIdPattern.test(name) ? '8 hex digits look like a job id; pick a name with other characters' : undefined;
	if (problem) throw new UsageError(`invalid name ${JSON.stringify(name)}: ${problem}`);
}
