import {Readable} from 'node:stream';
import {CommandIO, type Output} from '../../src/cli/io.js';

/** An output a test reads back, shaped as a terminal (isTTY, columns) or a pipe. */
class Captured implements Output {
	text = '';
	constructor(readonly isTTY: boolean, readonly columns?: number) {}
	write(chunk: string | Uint8Array): boolean {
		this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
		return true;
	}
}

export interface MemoryIO {
	io: CommandIO;
	stdout: () => string;
	stderr: () => string;
}

/** A CommandIO that keeps what the command wrote, for running ao's commands in-process. */
export function memoryIO(options: {env: NodeJS.ProcessEnv; cwd: string; stdin?: string; tty?: boolean; columns?: number}): MemoryIO {
	const stdout = new Captured(Boolean(options.tty), options.columns);
	const stderr = new Captured(Boolean(options.tty));
	const stdin = Object.assign(Readable.from([options.stdin ?? '']), {isTTY: Boolean(options.tty)});
	const io = new CommandIO(stdout, stderr, stdin, options.env, options.cwd, () => options.stdin ?? '');
	return {io, stdout: () => stdout.text, stderr: () => stderr.text};
}
