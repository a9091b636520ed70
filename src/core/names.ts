import {UsageError} from './errors.js';
import {jobIdPattern} from './job.js';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A short name from the task's first words: "Fix the flaky test!" -> "fix-the-flaky-test". Pure. */
export function nameFromTask(task: string, fallback: string): string {
	const words = task.normalize('NFKD').toLowerCase().replaceAll(/[^a-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
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
	const problem = !namePattern.test(name) || name.includes('..') || name.endsWith('.lock') || name.endsWith('.')
		? 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'
		: jobIdPattern.test(name) ? '8 hex digits look like a job id; pick a name with other characters' : undefined;
	if (problem) throw new UsageError(`invalid name ${JSON.stringify(name)}: ${problem}`);
}

/** `base`, or `base-2`, `base-3`... whichever no other job uses. Pure. */
export function uniqueName(base: string, taken: Set<string>): string {
	if (!taken.has(base)) return base;
	for (let n = 2; ; n++) {
		const candidate = `${base}-${n}`;
		if (!taken.has(candidate)) return candidate;
	}
}
