import {AoError, errorMessage} from '../core/errors.js';
export const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

export function paint(code: string, text: string): string {
	return useColor ? `\u001B[${code}m${text}\u001B[0m` : text;
}

export function out(text: string): void {
	process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function warn(text: string): void {
	process.stderr.write(`ao: warning: ${text}\n`);
}

export function printJson(value: unknown): void {
	out(JSON.stringify(value, null, 2));
}

/** Prints an error the way every ao command does: one line "ao: ..." (then any details), and sets the exit code. */
export function reportError(error: unknown): void {
	const message = errorMessage(error).replaceAll('\n', ' ');
	process.stderr.write(`ao: ${message}\n`);
	const details = (error as {details?: unknown}).details;
	if (Array.isArray(details) && details.length > 0) process.stderr.write(details.join('\n') + '\n');
	process.exitCode = error instanceof AoError ? error.exitCode : 1;
	if (!(error instanceof AoError) && process.env.AO_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
}
