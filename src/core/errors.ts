/** An error meant for the user: a one-line message that says what to do, and the exit code that goes with it. */
export class AoError extends Error {
	readonly exitCode: number;
	/** Lines printed under the message (the files in question, say). */
	readonly details: string[];

	constructor(message: string, exitCode = 1, details: string[] = []) {
		super(message);
		this.name = 'AoError';
		this.exitCode = exitCode;
		this.details = details;
	}
}

/** Bad flags, arguments or config: exit code 2. */
export class UsageError extends AoError {
	constructor(message: string) {
		super(message, 2);
		this.name = 'UsageError';
	}
}

/**
 * Bad input about one option of a request (the name, the agent, the branch...). Core words it with a placeholder for
 * the option; the CLI fills in its flag (`--name`), the dashboard the field the user typed ("the name"). The
 * message, as thrown, names the flag.
 */
export class OptionError extends AoError {
	constructor(readonly option: string, readonly worded: (option: string) => string, exitCode = 2, details: string[] = []) {
		super(worded(`--${option}`), exitCode, details);
		this.name = 'OptionError';
	}
}

const systemErrors: Record<string, string> = {
	ENOSPC: 'the disk is full',
	EDQUOT: 'the disk quota is used up',
	EROFS: 'the file system is read-only',
	EACCES: 'permission denied',
	EMFILE: 'too many open files (raise ulimit -n)',
};

/** The message to show: a system error on a file says what happened, to which file, and what to do. */
export function errorMessage(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const {code, path: file, syscall} = error as NodeJS.ErrnoException;
	const known = code === undefined ? undefined : systemErrors[code];
	if (known) return `${known} (${code}${file ? ` on ${syscall ?? 'access'} of ${file}` : syscall ? ` on ${syscall}` : ''}); nothing more was written: fix that and run the command again`;
	return error.message;
}
