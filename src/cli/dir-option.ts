import {statSync} from 'node:fs';
import path from 'node:path';
import {UsageError} from '../core/errors.js';

/** A directory option's value, resolved, and refused in one line when it is not one (a typo would filter to nothing). */
export function existingDir(flag: string, dir: string | undefined, cwd: string): string | undefined {
	if (dir === undefined) return undefined;
	const resolved = path.resolve(cwd, dir);
	if (!statSync(resolved, {throwIfNoEntry: false})?.isDirectory()) throw new UsageError(`${flag} ${dir} is not a directory; give one that jobs were dispatched in or below`);
	return resolved;
}

/** `--under DIR`, with `-C/--cwd DIR` its old spelling kept for one release. */
export const underOptions = [
	{flags: '--under <dir>', description: 'only jobs dispatched in <dir> or below'},
	// -C means "run in DIR" (dispatch, as in git and make); as a filter it stays for one release, unlisted.
	{flags: '-C, --cwd <dir>', hidden: true},
];
