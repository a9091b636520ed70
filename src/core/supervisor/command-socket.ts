import fs from 'node:fs/promises';
import net from 'node:net';
import {errorMessage} from '../errors.js';
import type {StatePaths} from '../paths.js';
import {thisBuild} from './build.js';

/**
 * The supervisor answers `ao list`, `ao peek` and `ao send` over a Unix socket in the state dir, so those commands
 * start at Node's floor: bin/ao connects, sends its argv, directory and environment, and prints what comes back. The
 * command runs in the supervisor exactly as it would in a process of its own (the same code, on an injected IO), with
 * everything already loaded. bin/ao runs the command itself when there is no answer: no supervisor, another build.
 */

/** The commands answered here: quick, and reading or typing into agents, never asking the user anything. */
export const socketCommands = ['list', 'ls', 'peek', 'send'];

export interface CommandRequest {
	/** The build of the bin/ao asking: a supervisor on another build says "fallback". */
	build: string;
	argv: string[];
	cwd: string;
	env: Record<string, string>;
	stdoutTTY: boolean;
	columns?: number;
}

export type CommandAnswer = {stdout: string; stderr: string; exitCode: number} | {fallback: string};

export type CommandRunner = (request: CommandRequest) => Promise<{stdout: string; stderr: string; exitCode: number}>;

/**
 * An answer as it goes over the socket: a JSON line, then the output as it is. The line is the fallback, or the exit
 * code and the byte lengths of stdout and stderr, which follow it in that order: the output is not escaped into JSON
 * and parsed back on the way (bin/ao reads it the same way). Pure.
 */
export function encodeAnswer(answer: CommandAnswer): Buffer {
	if ('fallback' in answer) return Buffer.from(`${JSON.stringify({fallback: answer.fallback})}\n`);
	const stdout = Buffer.from(answer.stdout);
	const stderr = Buffer.from(answer.stderr);
	return Buffer.concat([Buffer.from(`${JSON.stringify({exitCode: answer.exitCode, stdout: stdout.length, stderr: stderr.length})}\n`), stdout, stderr]);
}

/** Reads an encoded answer back; undefined when it is cut short or not one. Pure. */
export function decodeAnswer(bytes: Buffer): CommandAnswer | undefined {
	const end = bytes.indexOf(10);
	if (end === -1) return undefined;
	let head: {fallback?: unknown; exitCode?: unknown; stdout?: unknown; stderr?: unknown};
	try {
		head = JSON.parse(bytes.subarray(0, end).toString('utf8')) as typeof head;
	} catch {
		return undefined;
	}

	if (typeof head.fallback === 'string') return {fallback: head.fallback};
	const {exitCode, stdout, stderr} = head;
	if (typeof exitCode !== 'number' || typeof stdout !== 'number' || typeof stderr !== 'number' || bytes.length !== end + 1 + stdout + stderr) return undefined;
	return {exitCode, stdout: bytes.subarray(end + 1, end + 1 + stdout).toString('utf8'), stderr: bytes.subarray(end + 1 + stdout).toString('utf8')};
}

/** Checks a request as it came off the socket. Pure. */
export function readRequest(line: string): CommandRequest | string {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return 'not JSON';
	}

	const request = value as Partial<CommandRequest>;
	if (typeof request.build !== 'string' || !Array.isArray(request.argv) || !request.argv.every(arg => typeof arg === 'string')) return 'no build or argv';
	if (typeof request.cwd !== 'string' || typeof request.env !== 'object' || request.env === null) return 'no cwd or env';
	if (!socketCommands.includes(request.argv[0] ?? '')) return `"${request.argv[0]}" is not answered here`;
	return request as CommandRequest;
}

/** Starts answering on the state dir's socket; resolves to a function that stops it (and removes the socket). */
export async function serveCommands(paths: StatePaths, run: CommandRunner, log: (line: string) => Promise<void>): Promise<() => Promise<void>> {
	const file = paths.commandSocket;
	// Only the supervisor that holds the pid file gets here: a socket file left by one that died is stale.
	await fs.rm(file, {force: true});
	const build = thisBuild().build;
	const server = net.createServer(socket => {
		let buffer = '';
		socket.setEncoding('utf8');
		socket.on('error', () => undefined);
		socket.on('data', chunk => {
			buffer += chunk;
			const end = buffer.indexOf('\n');
			if (end === -1) return;
			socket.removeAllListeners('data');
			void answer(buffer.slice(0, end)).then(reply => socket.end(encodeAnswer(reply)));
		});
	});
	const answer = async (line: string): Promise<CommandAnswer> => {
		const request = readRequest(line);
		if (typeof request === 'string') return {fallback: request};
		if (request.build !== build) return {fallback: `the supervisor runs build ${build}, this ao is ${request.build}`};
		try {
			return await run(request);
		} catch (error) {
			return {stdout: '', stderr: `ao: ${errorMessage(error)}\n`, exitCode: 1};
		}
	};

	const listening = await new Promise<boolean>(resolve => {
		server.once('error', async error => {
			await log(`no command socket at ${file}: ${errorMessage(error)} (ao list, peek and send run on their own)`);
			resolve(false);
		});
		server.listen(file, () => resolve(true));
	});
	if (listening) await fs.chmod(file, 0o600).catch(() => undefined);
	return async () => {
		if (!listening) return;
		await new Promise<void>(resolve => server.close(() => resolve()));
		await fs.rm(file, {force: true});
	};
}
