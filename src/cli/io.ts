import {readFileSync} from 'node:fs';
import {Readable} from 'node:stream';
import {AoError, errorMessage} from '../core/errors.js';

/** Where a command writes: process.stdout and stderr, or a test's buffer. */
export interface Output {
	write(text: string | Uint8Array): unknown;
	isTTY?: boolean;
	columns?: number;
}

/** Where a command reads typed answers and piped input from. */
export interface Input extends NodeJS.ReadableStream {
	isTTY?: boolean;
}

/**
 * Everything a command touches of the world it runs in: its streams, environment and directory, and the exit code it
 * leaves. Commands get one of these instead of reaching for `process`, so they run in-process in tests.
 */
export class CommandIO {
	exitCode = 0;
	readonly color: boolean;

	constructor(readonly stdout: Output, readonly stderr: Output, readonly stdin: Input, readonly env: NodeJS.ProcessEnv, readonly cwd: string, private readonly readStdin: () => string = () => '') {
		this.color = Boolean(stdout.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
	}

	/** Both ends are a terminal: a question can be asked, a screen taken over. */
	get interactive(): boolean {
		return Boolean(this.stdin.isTTY && this.stdout.isTTY);
	}

	/** The terminal's width, or a width that fits most lines when writing to a pipe or file. */
	get columns(): number {
		return this.stdout.columns || 160;
	}

	paint(code: string, text: string): string {
		return this.color ? `\u001B[${code}m${text}\u001B[0m` : text;
	}

	/** One line (or several) on stdout, newline-terminated. */
	out(text: string): void {
		this.stdout.write(text.endsWith('\n') ? text : text + '\n');
	}

	/** Indented for a person at a terminal, one line for a program reading a pipe (as gh does). */
	json(value: unknown): void {
		this.out(this.stdout.isTTY ? JSON.stringify(value, null, 2) : JSON.stringify(value));
	}

	/** A side note on stderr, "ao: ...", that must not mix with what scripts read on stdout. */
	note(text: string): void {
		this.stderr.write(`ao: ${text}\n`);
	}

	warn(text: string): void {
		this.note(`warning: ${text}`);
	}

	/** All of stdin (a task piped in, a hook's payload). */
	readAll(): string {
		return this.readStdin();
	}

	/** Prints an error the way every ao command does: one line "ao: ..." (then any details), and sets the exit code. */
	fail(error: unknown): void {
		this.note(errorMessage(error).replaceAll('\n', ' '));
		const details = (error as {details?: unknown}).details;
		if (Array.isArray(details) && details.length > 0) this.stderr.write(details.join('\n') + '\n');
		this.exitCode = error instanceof AoError ? error.exitCode : 1;
		if (!(error instanceof AoError) && this.env.AO_DEBUG) this.stderr.write(`${(error as Error).stack}\n`);
	}
}

/** The IO of the ao process itself. */
export function processIO(): CommandIO {
	return new CommandIO(process.stdout, process.stderr, process.stdin, process.env, process.cwd(), () => readFileSync(0, 'utf8'));
}

/** An output kept in memory, shaped as a terminal (isTTY, columns) or a pipe. */
class Captured implements Output {
	text = '';
	constructor(readonly isTTY: boolean, readonly columns?: number) {}
	write(chunk: string | Uint8Array): boolean {
		this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
		return true;
	}
}

export interface CapturedIO {
	io: CommandIO;
	stdout: () => string;
	stderr: () => string;
}

/**
 * A CommandIO whose output is kept: for a command run on another process's behalf (the supervisor answering bin/ao),
 * and in tests. Its stdin is `stdin` (empty by default) and a terminal when `tty` is.
 */
export function capturedIO(options: {env: NodeJS.ProcessEnv; cwd: string; stdin?: string; tty?: boolean; columns?: number}): CapturedIO {
	const stdout = new Captured(Boolean(options.tty), options.columns);
	const stderr = new Captured(Boolean(options.tty));
	const stdin = Object.assign(Readable.from([options.stdin ?? '']), {isTTY: Boolean(options.tty)});
	const io = new CommandIO(stdout, stderr, stdin, options.env, options.cwd, () => options.stdin ?? '');
	return {io, stdout: () => stdout.text, stderr: () => stderr.text};
}
