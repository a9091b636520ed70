import type {Arg, SimpleCommand} from './shell.js';
import type {SqlStatementReport} from './sql.js';

/** The shapes every guard rule shares, and small helpers for reading a command's arguments. Pure. */

export type RuleAction = 'deny' | 'ask';

/** One finding: which rule, and what it saw ("force push", "DELETE without WHERE"). */
export interface Hit {
	rule: string;
	what: string;
}

export interface Repository {
	/** The top of the checkout `dir` is in (the main checkout or a linked worktree). */
	top: string;
	/** The repository's main checkout (its first working tree: the user's, not an agent's). */
	mainCheckout: string;
	inMain: boolean;
}

/** What the rules may ask about the machine: where the home is, which checkout a directory is in, file contents. */
export interface GuardContext {
	cwd: string;
	home: string;
	/** The repository `dir` is in, if any. */
	repoOf(dir: string): Repository | undefined;
	/** The branches that count as a base for `dir`'s repository: main, master and the main checkout's branch. */
	baseBranches(dir: string): string[];
	readFile(file: string): string | undefined;
}

/** What a rule judged, for `ao guard --explain`: the SQL it read, say. */
export interface Notes {
	sql: SqlStatementReport[];
}

export interface Checker {
	/** Cheap test of the raw command text: false means none of this checker's rules can apply (nothing is parsed). */
	screen: RegExp;
	check(command: SimpleCommand, context: GuardContext, notes: Notes): Hit[];
}

export interface RuleInfo {
	name: string;
	action: RuleAction;
	/** One line for the docs and `ao guard --rules`. */
	about: string;
}

/** A word that is wholly an expansion (`"$X"`, `$(cat f)`, `` `...` ``): the script it holds is made at run time. */
export function isOpaque(arg: Arg): boolean {
	return !arg.literal && /^(\$\{?[\w@*#?]+\}?|\$\(.*\)|`.*`)$/s.test(arg.text);
}

/** Words of a command that are not options (`-x`, `--long`); `--` ends options. */
export function positionals(args: Arg[], takesValue: string[] = []): Arg[] {
	const found: Arg[] = [];
	let optionsOver = false;
	for (let index = 0; index < args.length; index++) {
		const text = args[index]!.text;
		if (!optionsOver && text === '--') {
			optionsOver = true;
		} else if (!optionsOver && text.startsWith('-') && text !== '-') {
			if (takesValue.includes(text)) index++;
		} else {
			found.push(args[index]!);
		}
	}

	return found;
}

/** Whether a short flag letter is set, alone or in a cluster (`-rf`, `-fr`), or a long one is given. */
export function hasFlag(args: Arg[], short: string | undefined, ...long: string[]): boolean {
	return args.some(arg => {
		const text = arg.text;
		if (text === '--') return false;
		if (long.some(name => text === name || text.startsWith(`${name}=`))) return true;
		return short !== undefined && /^-[a-zA-Z]+$/.test(text) && text.slice(1).includes(short);
	});
}

/** The value of an option given as `-c VALUE`, `--command VALUE` or `--command=VALUE`, for each time it is given. */
export function optionValues(args: Arg[], ...names: string[]): Arg[] {
	const values: Arg[] = [];
	for (let index = 0; index < args.length; index++) {
		const text = args[index]!.text;
		const name = names.find(each => text === each || (each.startsWith('--') && text.startsWith(`${each}=`)));
		// A value option at the end of a cluster of short flags: psql -tAc "SQL".
		const clustered = names.find(each => /^-[a-zA-Z]$/.test(each) && /^-[a-zA-Z]{2,}$/.test(text) && text.endsWith(each[1]!));
		if (!name && clustered && args[index + 1]) {
			values.push(args[index + 1]!);
			index++;
			continue;
		}

		if (!name) {
			// A short option glued to its value: -e"DROP ...".
			const glued = names.find(each => /^-[a-zA-Z]$/.test(each) && text.length > 2 && text.startsWith(each));
			if (glued) values.push({...args[index]!, text: text.slice(2)});
			continue;
		}

		if (text === name) {
			if (args[index + 1]) values.push(args[index + 1]!);
			index++;
		} else {
			values.push({...args[index]!, text: text.slice(name.length + 1)});
		}
	}

	return values;
}

/** `git -C dir`, `-c k=v`, `--git-dir ...` come before the subcommand: skips them, noting the directory. */
export function subcommand(args: Arg[], takesValue: string[]): {name?: string; rest: Arg[]; dir?: string} {
	let dir: string | undefined;
	for (let index = 0; index < args.length; index++) {
		const text = args[index]!.text;
		if (takesValue.includes(text)) {
			if (text === '-C') dir = dir ? `${dir}/${args[index + 1]?.text ?? ''}` : args[index + 1]?.text;
			index++;
		} else if (!text.startsWith('-')) {
			return {name: text, rest: args.slice(index + 1), ...(dir ? {dir} : {})};
		}
	}

	return {rest: [], ...(dir ? {dir} : {})};
}
