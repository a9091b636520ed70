import {lstatSync, mkdirSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import type {Socket} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type {Readable, Writable} from 'node:stream';
import {isAlive} from '../processes/claim.js';
import {shellQuote} from './args.js';
import type {Outcome} from './tmux.js';

/** A started shell, as tmux.ts starts it (the only module that starts processes for tmux). */
export interface ShellProcess {
	stdin: Writable;
	stdout: Readable;
	on(event: 'exit' | 'error', listener: () => void): this;
	kill(signal: NodeJS.Signals): boolean;
	unref(): void;
}

export type StartShell = (args: string[]) => ShellProcess;

/**
 * Shells that run tmux for a process that asks it many times (the supervisor): the kernel forks a small shell far
 * more cheaply than Node with its heap (about 3 ms of the supervisor's CPU per tmux call at 100 MB, 0.3 ms this way).
 * Each request is one line of single-quoted arguments; the shell answers with the exit status, the output in two
 * files of a private directory, which it removes when its stdin closes (its parent ended) or a signal ends it. One
 * request at a time per shell, and a few shells: a call never waits behind another (with all busy, it forks itself).
 */
class TmuxShell {
	static readonly most = 3;
	static readonly patienceMs = 10_000;
	busy = false;
	private readonly dir: string;
	private readonly child: ShellProcess;
	private buffer = '';
	private answer: ((status: number | undefined) => void) | undefined;

	constructor(index: number, start: StartShell) {
		this.dir = TmuxShell.ownDir(index);
		// The shell is in the supervisor's process group: the hangup that ends the group (kill-server) ends it too.
		const script = 'trap \'rm -rf "$0"; exit 0\' HUP INT TERM; while IFS= read -r request; do eval "$request" </dev/null >"$0/out" 2>"$0/err"; echo "$?"; done; rm -rf "$0"';
		this.child = start(['-c', script, this.dir]);
		this.child.stdout.setEncoding('utf8');
		this.child.stdout.on('data', (chunk: string) => {
			this.buffer += chunk;
			const end = this.buffer.indexOf('\n');
			if (end === -1) return;
			const status = Number(this.buffer.slice(0, end));
			this.buffer = this.buffer.slice(end + 1);
			this.answer?.(status);
		});
		this.child.on('exit', () => this.gone(false)).on('error', () => this.gone(true));
		this.child.stdin.on('error', () => this.gone(false));
		this.idle();
	}

	/** $TMPDIR/ao-tmux-UID/PID-N, made fresh, after removing those of gone processes (a SIGKILLed shell leaves its own). */
	private static ownDir(index: number): string {
		const base = path.join(os.tmpdir(), `ao-tmux-${os.userInfo().uid}`);
		mkdirSync(base, {recursive: true, mode: 0o700});
		// Someone else's, or open to others (made before us in a shared /tmp): tmux's output is not put there.
		const made = lstatSync(base);
		if (!made.isDirectory() || made.uid !== os.userInfo().uid || (made.mode & 0o077) !== 0) throw new Error(`${base} is not a private dir of this user`);
		for (const entry of readdirSync(base)) {
			const pid = /^(\d+)-\d+$/.exec(entry)?.[1];
			if (pid && !isAlive(Number(pid))) rmSync(path.join(base, entry), {recursive: true, force: true});
		}

		const dir = path.join(base, `${process.pid}-${index}`);
		rmSync(dir, {recursive: true, force: true});
		mkdirSync(dir, {mode: 0o700});
		return dir;
	}

	/** Runs `argv` (tmux and its arguments); undefined when the shell could not start (the call did not run). */
	async run(argv: string[]): Promise<Outcome | undefined> {
		this.busy = true;
		(this.child.stdout as Socket).ref();
		// A tmux call never takes this long; one that does is not waited on for good (a supervisor stuck on one call
		// would supervise nothing): the shell goes, and the call fails rather than run twice (keys typed twice).
		let late = false;
		const timer = setTimeout(() => {
			late = true;
			this.child.kill('SIGKILL');
		}, TmuxShell.patienceMs);
		const status = await new Promise<number | undefined>(resolve => {
			this.answer = resolve;
			this.child.stdin.write(`${argv.map(arg => shellQuote(arg)).join(' ')}\n`);
		});
		clearTimeout(timer);
		this.answer = undefined;
		if (late) return {exitCode: 1, stdout: '', stderr: `no answer from tmux within ${TmuxShell.patienceMs / 1000} s`, missing: false};
		if (status === undefined) return undefined;
		if (Number.isNaN(status)) return {exitCode: 1, stdout: '', stderr: 'the shell that ran tmux ended during the call', missing: false};
		const read = (name: string) => readFileSync(path.join(this.dir, name), 'utf8');
		const outcome = {exitCode: status, stdout: read('out'), stderr: read('err'), missing: status === 127};
		this.busy = false;
		this.idle();
		return outcome;
	}

	/** Gone: a shell that could not start (no sh) ends the use of shells in this process; one that ended is replaced. */
	private gone(failedToStart: boolean): void {
		pool = failedToStart ? undefined : pool?.filter(other => other !== this);
		// Not started: the call never ran, and is made the usual way. Ended during a call: it may have run, so it fails.
		this.answer?.(failedToStart ? undefined : Number.NaN);
	}

	/** Waiting for nothing, it keeps no process alive. */
	private idle(): void {
		this.child.unref();
		(this.child.stdout as Socket).unref();
		(this.child.stdin as Socket).unref();
	}
}

/** The shells of this process and how to start one (undefined: tmux is run the usual way). */
let pool: TmuxShell[] | undefined;
let starter: StartShell | undefined;
/** Shells started so far: each gets a dir of its own number. */
let started = 0;

/** An idle shell, a new one while there are fewer than TmuxShell.most, or none. */
export function idleShell(): TmuxShell | undefined {
	if (!pool || !starter) return undefined;
	const idle = pool.find(candidate => !candidate.busy);
	if (idle || pool.length >= TmuxShell.most) return idle;
	try {
		const made = new TmuxShell(started++, starter);
		pool.push(made);
		return made;
	} catch {
		// No private dir for the shell's files: tmux is run the usual way.
		pool = undefined;
		return undefined;
	}
}

export function useShells(start: StartShell): void {
	starter = start;
	pool ??= [];
}
