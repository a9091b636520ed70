import path from 'node:path';
import {forEachChild, parse, type Command, type SyntaxNode, type Word} from 'unbash';
import {isOpaque} from './rule.js';

/**
 * A shell command line taken apart into the simple commands it runs, with what runs them seen through: pipelines,
 * `&&`/`;` lists, subshells and groups, `$(...)`, `sh -c '...'`, `eval`, `ssh host '...'`, and the prefixes that
 * run another program (`env`, `sudo`, `xargs`, `nohup`, `time`, `docker exec`, `kubectl exec -- ...`). Pure.
 */

export interface Arg {
	/** The word with its quotes removed; an expansion stays as written (`$HOME/x`). */
	text: string;
	/** False when the word holds an expansion (`$X`, `$(...)`): what it becomes is known only when it runs. */
	literal: boolean;
}

/** What a command reads on stdin: a heredoc's text, a file, or another command's output (for `find`, its starts). */
export type Stdin = {text: string} | {file: string} | {from: string; findStarts?: string[]};

export interface SimpleCommand {
	/** The program's base name (`psql` for `/usr/bin/psql`); empty when the name is itself an expansion. */
	program: string;
	args: Arg[];
	/** The command as written (for a wrapped one, the part that runs the program). */
	source: string;
	/** The directory it runs in, when known: the caller's, then any `cd` before it. */
	cwd?: string;
	stdin?: Stdin;
	/** Files its output is redirected to (`>`, `>>`). */
	writes: string[];
	/** What it was reached through, outermost first: `sudo`, `bash -c`, `ssh box`. */
	via: string[];
	/** Runs on another machine or in a container (ssh, docker exec): its paths are not this machine's. */
	remote: boolean;
	/** `xargs` appends arguments read at run time. */
	moreArgs: boolean;
	/** It runs a string made at run time (`eval "$X"`, `sh -c "$(...)"`): what that does cannot be judged. */
	opaque?: string;
}

export interface ParsedShell {
	commands: SimpleCommand[];
	/** What the parser could not make sense of (an unclosed quote, a dangling `&&`). */
	errors: string[];
}

interface Scope {
	cwd?: string;
	home: string;
	via: string[];
	remote: boolean;
	depth: number;
}

const maxDepth = 6;

/** Parses `source` as bash and lists every simple command it would run. */
export function parseShell(source: string, options: {cwd?: string; home: string}): ParsedShell {
	const result: ParsedShell = {commands: [], errors: []};
	walkScript(source, {cwd: options.cwd, home: options.home, via: [], remote: false, depth: 0}, result);
	return result;
}

function walkScript(source: string, scope: Scope, result: ParsedShell): void {
	if (scope.depth > maxDepth) {
		result.errors.push('nested too deep to follow');
		return;
	}

	const script = parse(source);
	for (const error of (script as {errors?: {message: string}[]}).errors ?? []) result.errors.push(error.message);
	visit(script, source, scope, result);
}

/** Goes through `node` in source order; a `cd` changes the directory of what follows it in the same list. */
function visit(node: SyntaxNode, source: string, scope: Scope, result: ParsedShell, stdin?: Stdin): void {
	switch (node.type) {
		case 'Command':
			runCommand(node, source, scope, result, stdin);
			return;
		case 'Pipeline': {
			let previous: Stdin | undefined;
			for (const command of node.commands) {
				visit(command, source, scope, result, previous);
				previous = command.type === 'Command' ? produced(command, source, scope) : {from: source.slice(command.pos, command.end)};
			}

			return;
		}

		case 'Subshell':
			visit(node.body, source, {...scope}, result);
			return;
		default:
			forEachChild(node, child => visit(child, source, scope, result));
	}
}

/** What a command writes into a pipe, as far as it can be known without running it. */
function produced(command: Command, source: string, scope: Scope): Stdin {
	const all = commandWords(command);
	// Through the prefixes that run another program (sudo find ..., env X=1 cat ...) to the one that writes.
	const start = all.findIndex((word, index) => index === 0 ? !prefixes.has(path.basename(word.text)) : ['find', 'echo', 'printf', 'cat'].includes(path.basename(word.text)));
	const words = start === -1 ? all : all.slice(start);
	const program = words[0] ? path.basename(words[0].text) : '';
	const rest = words.slice(1);
	if ((program === 'echo' || program === 'printf') && rest.every(arg => arg.literal)) {
		return {text: rest.filter(arg => !/^-[neE]+$/.test(arg.text)).map(arg => arg.text.replaceAll('\\n', '\n')).join(' ')};
	}

	const files = rest.filter(arg => !arg.text.startsWith('-'));
	if (program === 'cat' && files.length === 1 && files[0]!.literal) return {file: resolvePath(files[0]!.text, scope)};
	const heredoc = command.redirects.find(redirect => redirect.type === 'HereDoc');
	if (program === 'cat' && files.length === 0 && heredoc?.type === 'HereDoc') return {text: heredoc.body.text};
	if (program === 'find') {
		const first = rest.findIndex(arg => /^[-(!]/.test(arg.text) && !['-H', '-L', '-P'].includes(arg.text));
		const starts = (first === -1 ? rest : rest.slice(0, first)).filter(arg => !['-H', '-L', '-P'].includes(arg.text)).map(arg => arg.text);
		return {from: source.slice(command.pos, command.end), findStarts: starts.length > 0 ? starts : ['.']};
	}

	return {from: source.slice(command.pos, command.end)};
}

function wordArg(word: Word): Arg {
	return {text: word.value, literal: !hasExpansion(word)};
}

function hasExpansion(node: {parts?: readonly unknown[]}): boolean {
	return (node.parts ?? []).some(part => {
		const {type, parts} = part as {type: string; parts?: readonly unknown[]};
		return /Expansion|Substitution/.test(type) || (parts ? hasExpansion({parts}) : false);
	});
}

function commandWords(command: Command): Arg[] {
	const words = command.suffix.filter((item): item is Word => item.type === 'Word');
	return [...(command.name ? [command.name] : []), ...words].map(wordArg);
}

function runCommand(command: Command, source: string, scope: Scope, result: ParsedShell, pipedIn?: Stdin): void {
	// What runs inside the words and redirections first: `$(...)`, `<(...)`, assignments' values.
	forEachChild(command, child => {
		if (child.type !== 'Word' || hasExpansion(child)) visitExpansions(child, source, scope, result);
	});
	let stdin = pipedIn;
	const writes: string[] = [];
	for (const redirect of command.redirects) {
		if (redirect.type === 'HereDoc') stdin = {text: redirect.body.text};
		else if (redirect.type === 'HereString' && redirect.target) stdin = {text: redirect.target.value};
		else if (redirect.type === 'Redirect' && redirect.target) {
			if (redirect.operator === '<') stdin = {file: resolvePath(redirect.target.value, scope)};
			else if (/^(>|>>|>\||&>|&>>)$/.test(redirect.operator)) writes.push(redirect.target.value);
		}
	}

	const words = commandWords(command);
	if (words.length === 0) return;
	unwrap(words, {stdin, writes, text: source.slice(command.pos, command.end)}, scope, result);
}

function visitExpansions(node: SyntaxNode, source: string, scope: Scope, result: ParsedShell): void {
	const script = (node as {script?: SyntaxNode}).script;
	if ((node.type === 'CommandExpansion' || node.type === 'ProcessSubstitution') && script) {
		const own = (script as {source?: string}).source;
		visit(script, own ?? source, {...scope}, result);
		return;
	}

	forEachChild(node, child => visitExpansions(child, source, scope, result));
}

interface Io {
	stdin?: Stdin;
	writes: string[];
	text: string;
}

/** Options of the wrappers that take a value (so the value is not read as the program). */
const valueOptions: Record<string, string[]> = {
	env: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'],
	sudo: ['-u', '--user', '-g', '--group', '-h', '--host', '-p', '--prompt', '-C', '--close-from', '-D', '--chdir', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout'],
	doas: ['-u', '-C'],
	nice: ['-n', '--adjustment'],
	ionice: ['-c', '--class', '-n', '--classdata', '-p', '--pid'],
	timeout: ['-s', '--signal', '-k', '--kill-after'],
	stdbuf: ['-i', '-o', '-e', '--input', '--output', '--error'],
	xargs: ['-a', '--arg-file', '-d', '--delimiter', '-E', '-e', '--eof', '-I', '-i', '--replace', '-L', '-l', '--max-lines', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars', '--process-slot-var'],
	exec: ['-a'],
	flock: ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code'],
	watch: ['-n', '--interval', '-d', '--differences', '-q', '--equexit'],
	chroot: ['--userspec', '--groups'],
	ssh: ['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w', '-B'],
	docker: ['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys', '-v', '--volume', '-p', '--publish', '--name', '--network', '--entrypoint', '-l', '--label', '--mount', '-h', '--hostname', '--platform', '--pull', '--cpus', '-m', '--memory', '--add-host', '--cap-add', '--gpus', '--ulimit', '--restart', '--log-driver', '--dns', '--device', '-c', '--cpu-shares', '--ipc', '--pid', '--shm-size', '--tmpfs', '--user', '--security-opt', '--runtime', '--stop-signal', '--health-cmd', '--init-path', '-a', '--attach', '--index', '-f', '--file', '--project-name', '--profile'],
};

/** Programs that run the rest of their arguments as another command, and where that command starts. */
const prefixes = new Set(['env', 'sudo', 'doas', 'nohup', 'time', 'nice', 'ionice', 'timeout', 'command', 'exec', 'builtin', 'stdbuf', 'chronic', 'setsid', 'unbuffer', 'caffeinate', 'xargs', 'flock', 'chroot', 'torsocks', 'proxychains', 'proxychains4', 'dbus-run-subshell']);
const shells = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'busybox']);

/** Skips a wrapper's options; returns the index of the first word that is not one (the program it runs). */
function skipOptions(words: Arg[], from: number, takesValue: string[], stopAtPositional = true): number {
	let index = from;
	while (index < words.length) {
		const word = words[index]!.text;
		if (word === '--') return index + 1;
		if (!word.startsWith('-') || word === '-') {
			if (stopAtPositional) return index;
		}

		if (takesValue.includes(word)) index += 2;
		else index += 1;
	}

	return index;
}

function resolvePath(target: string, scope: Scope): string {
	const expanded = target === '~' || target.startsWith('~/') ? scope.home + target.slice(1) : target.replace(/^\$\{?HOME\}?(?=\/|$)/, scope.home);
	if (expanded.startsWith('$')) return expanded;
	return scope.cwd && !scope.remote ? path.resolve(scope.cwd, expanded) : expanded;
}

function unwrap(words: Arg[], io: Io, scope: Scope, result: ParsedShell): void {
	const program = words[0]!.literal ? path.basename(words[0]!.text) : '';
	const rest = words.slice(1);
	const inner = (at: number, label: string, more: Partial<Scope> = {}): void => {
		if (at >= words.length) return;
		const next = {...scope, via: [...scope.via, label], ...more};
		unwrap(words.slice(at), {...io, text: words.slice(at).map(word => word.text).join(' ')}, next, result);
		if (program === 'xargs') result.commands.at(-1)!.moreArgs = true;
	};

	const asScript = (text: string, label: string, more: Partial<Scope> = {}): void => {
		walkScript(text, {...scope, via: [...scope.via, label], depth: scope.depth + 1, ...more}, result);
	};

	if (program === 'cd' && !scope.remote) {
		const target = rest.find(word => !word.text.startsWith('-'));
		const resolved = target ? resolvePath(target.text, scope) : scope.home;
		scope.cwd = resolved.includes('$') || resolved.includes('`') ? undefined : resolved;
		return;
	}

	if (prefixes.has(program)) {
		if (program === 'command' && rest.some(word => /^-[vV]$/.test(word.text))) return;
		let at = skipOptions(words, 1, valueOptions[program] ?? []);
		if (program === 'env') {
			const split = rest.findIndex(word => word.text === '-S' || word.text === '--split-string');
			if (split >= 0 && rest[split + 1]) return asScript(rest[split + 1]!.text, 'env -S');
			while (at < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at]!.text)) at++;
		}

		if (program === 'timeout' && at < words.length) at++;
		if (program === 'flock' && at < words.length) {
			const dashC = words.findIndex(word => word.text === '-c' || word.text === '--command');
			if (dashC >= 0 && words[dashC + 1]) return asScript(words[dashC + 1]!.text, 'flock -c');
			at++;
		}

		if (program === 'chroot' && at < words.length) at++;
		return inner(at, program);
	}

	if (program === 'watch') {
		const at = skipOptions(words, 1, valueOptions.watch!);
		// watch hands its arguments, joined, to sh -c.
		return asScript(words.slice(at).map(word => word.text).join(' '), 'watch');
	}

	if (shells.has(program)) {
		const flag = rest.findIndex(word => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(word.text) || word.text === '-c');
		if (flag >= 0 && rest[flag + 1]) {
			const script = rest[flag + 1]!;
			if (isOpaque(script)) return record(words, io, scope, result, script.text);
			return asScript(script.text, `${program} ${rest[flag]!.text}`);
		}

		if (rest.length === 0 || rest.every(word => word.text.startsWith('-'))) {
			// `bash <<EOF ... EOF`, `curl ... | sh`: the script comes on stdin.
			if (io.stdin && 'text' in io.stdin) return asScript(io.stdin.text, `${program} <<`);
		}
	}

	if (program === 'eval') {
		const opaque = rest.find(isOpaque);
		if (opaque) return record(words, io, scope, result, opaque.text);
		return asScript(rest.map(word => word.text).join(' '), 'eval');
	}

	if (program === 'ssh' && !scope.remote) {
		const at = skipOptions(words, 1, valueOptions.ssh!);
		const host = words[at];
		if (host && at + 1 < words.length) {
			return asScript(words.slice(at + 1).map(word => word.text).join(' '), `ssh ${host.text}`, {remote: true, cwd: undefined});
		}
	}

	if ((program === 'docker' || program === 'podman') && rest.length > 0) {
		let at = 1;
		if (words[at]?.text === 'compose') at = skipOptions(words, at + 1, valueOptions.docker!);
		if (words[at] && ['exec', 'run'].includes(words[at]!.text)) {
			const target = skipOptions(words, at + 1, valueOptions.docker!);
			if (target + 1 < words.length) return inner(target + 1, `${program} ${words[at]!.text} ${words[target]!.text}`, {remote: true, cwd: undefined});
		}
	}

	if ((program === 'kubectl' || program === 'oc') && rest[0]?.text === 'exec') {
		const dashes = words.findIndex(word => word.text === '--');
		if (dashes > 0) return inner(dashes + 1, `${program} exec`, {remote: true, cwd: undefined});
	}

	record(words, io, scope, result);
}

function record(words: Arg[], io: Io, scope: Scope, result: ParsedShell, opaque?: string): void {
	result.commands.push({
		program: words[0]!.literal ? path.basename(words[0]!.text) : '',
		args: words.slice(1),
		source: io.text,
		...(scope.cwd ? {cwd: scope.cwd} : {}),
		...(io.stdin ? {stdin: io.stdin} : {}),
		writes: io.writes,
		via: scope.via,
		remote: scope.remote,
		moreArgs: false,
		...(opaque ? {opaque} : {}),
	});
}
