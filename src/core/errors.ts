/** An error meant for the user: a one-line message that says what to do, and the exit code that goes with it. */
export class AoError extends Error {
	readonly exitCode: number;

	constructor(message: string, exitCode = 1) {
		super(message);
		this.name = 'AoError';
		this.exitCode = exitCode;
	}
}

/** Bad flags, arguments or config: exit code 2. */
export class UsageError extends AoError {
	constructor(message: string) {
		super(message, 2);
		this.name = 'UsageError';
	}
}

export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
