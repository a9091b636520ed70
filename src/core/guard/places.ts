import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import type {GuardContext, Repository as RepositoryFacts} from './rule.js';

interface Repository extends RepositoryFacts {
	commonDir: string;
}

/**
 * Which paths hold what a user cannot get back: the root, the home and what holds it, the system's top folders,
 * the folders above the one a command runs in, a repository's main checkout and its .git. Pure but for the
 * checkout lookups, which read a few small files.
 */

const systemFolders = new Set(['/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/opt', '/proc', '/root', '/sbin', '/srv', '/sys', '/usr', '/var', '/mnt', '/media', '/snap', '/Users', '/System', '/Library', '/Applications', '/Volumes', '/private']);

export interface Place {
	/** The path as written, with any trailing glob (`/*`, `*`) taken off. */
	written: string;
	/** Where it points, when that is known. */
	resolved?: string;
	/** It ends in a glob: everything inside `resolved`. */
	contents: boolean;
}

/** Where a path argument of a command points: `~`, `$HOME` and relative paths resolved against the command's directory. */
export function placeOf(written: string, cwd: string | undefined, home: string, remote: boolean): Place {
	const contents = /(^|\/)(\*|\.\*|\*\.\*)$/.test(written);
	const base = contents ? written.replace(/\/?(\*|\.\*|\*\.\*)$/, '') || (written.startsWith('/') ? '/' : '.') : written;
	const expanded = base === '~' || base.startsWith('~/') ? `${remote ? '~' : home}${base.slice(1)}` : remote ? base : base.replace(/^\$\{?HOME\}?(?=\/|$)/, home);
	if (expanded.includes('$') || expanded.includes('`')) return {written: base, contents};
	if (expanded.startsWith('/')) return {written: base, resolved: path.resolve(expanded), contents};
	if (remote) return {written: base, ...(base === '~' || base.startsWith('~/') ? {resolved: base} : {}), contents};
	return {written: base, ...(cwd ? {resolved: path.resolve(cwd, expanded)} : {}), contents};
}

/** Why removing `place` recursively destroys what matters, or undefined when it is an ordinary folder. */
export function protectedPlace(place: Place, command: {cwd?: string; remote: boolean}, context: GuardContext): string | undefined {
	const target = place.resolved;
	if (!target) return undefined;
	if (command.remote) {
		if (target === '/' || target === '~' || target === '~/' || systemFolders.has(target)) return target === '/' ? 'the root' : `${target}`;
		return undefined;
	}

	if (target === '/') return 'the root';
	if (target === context.home) return 'the home folder';
	if (context.home.startsWith(`${target}/`)) return `${target}, which holds the home folder`;
	if (systemFolders.has(target)) return `the system folder ${target}`;
	// Above where the command runs, or above where the agent is (after a `cd ..`).
	if ([command.cwd ?? context.cwd, context.cwd].some(cwd => cwd.startsWith(`${target}/`))) return `${place.written}, a folder above this one`;
	const cwd = command.cwd ?? context.cwd;
	const repository = context.repoOf(cwd);
	const main = repository?.mainCheckout;
	if (main && (target === main || main.startsWith(`${target}/`))) return target === main ? 'the main checkout' : `${target}, which holds the main checkout`;
	if (main && (target === path.join(main, '.git') || target.startsWith(`${path.join(main, '.git')}/`))) return 'the main checkout\'s .git';
	const own = context.repoOf(target);
	if (own?.inMain && own.top === target) return 'the main checkout';
	return undefined;
}

/** Finds `.git` from `dir` up: a folder means a main checkout, a file a linked worktree (an agent's own). */
function gitEntry(dir: string): {root: string; isMain: boolean; gitFile?: string} | undefined {
	let current = path.resolve(dir);
	for (;;) {
		const entry = path.join(current, '.git');
		try {
			const stat = statSync(entry);
			return {root: current, isMain: stat.isDirectory(), ...(stat.isFile() ? {gitFile: entry} : {})};
		} catch {
			// Not here: look one level up.
		}

		const parent = path.dirname(current);
		if (parent === current) return undefined;
		current = parent;
	}
}

/** The repository `dir` is in: its top, its main checkout, and whether `dir` is in that main checkout. */
function repositoryOf(dir: string): Repository | undefined {
	const found = gitEntry(dir);
	if (!found) return undefined;
	if (found.isMain) return {top: found.root, mainCheckout: found.root, inMain: true, commonDir: path.join(found.root, '.git')};
	try {
		const gitDir = /^gitdir:\s*(.+)$/m.exec(readFileSync(found.gitFile!, 'utf8'))?.[1]?.trim();
		if (!gitDir) return undefined;
		const own = path.resolve(found.root, gitDir);
		const commonDir = path.resolve(own, readFileSync(path.join(own, 'commondir'), 'utf8').trim());
		return {top: found.root, mainCheckout: path.dirname(commonDir), inMain: false, commonDir};
	} catch {
		return undefined;
	}
}

/** The machine as the guard's rules see it: the home, checkouts read from disk, files read when a rule needs them. */
export function machineContext(cwd: string, home: string): GuardContext {
	return {
		cwd,
		home,
		repoOf(dir) {
			const found = repositoryOf(dir);
			return found && {top: found.top, mainCheckout: found.mainCheckout, inMain: found.inMain};
		},
		baseBranches(dir) {
			const branches = ['main', 'master'];
			const common = repositoryOf(dir)?.commonDir;
			if (!common) return branches;
			try {
				const head = /^ref: refs\/heads\/(.+)$/m.exec(readFileSync(path.join(common, 'HEAD'), 'utf8'))?.[1];
				if (head && !branches.includes(head)) branches.push(head);
			} catch {
				// No HEAD to read: main and master only.
			}

			return branches;
		},
		readFile(file) {
			try {
				return readFileSync(file, 'utf8').slice(0, 1_000_000);
			} catch {
				return undefined;
			}
		},
	};
}
