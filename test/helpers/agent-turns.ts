import type {ExecutionContext} from 'ava';
import {explainJob, waitFor, type AoSandbox, type JobJson} from './ao.js';

// What the tests of the real agents (test/agent-*.test.ts) share: how a reason must read, and how to wait for what
// the agent's screen and ao show.

const boxDrawing = /[─│╭╮╰╯┌┐└┘═]/;
const escapeResidue = /\u001B|\$p|\[\d+;|\d;\d+m|⢀|⣀/;
const keyHint = /press enter|enter to (confirm|continue)|esc to (cancel|interrupt|back)|enter continue|\(esc\)|\? for shortcuts|shift\+tab to|\^c quit|ctrl\+c|press f12/i;

/** A reason fit for one line of `ao list`: short, and nothing of the screen's frames, colours or key hints. */
export function assertCleanReason(t: ExecutionContext, reason: string): void {
	t.true(reason.length <= 100, `reason is ${reason.length} characters: ${reason}`);
	t.notRegex(reason, boxDrawing, `box drawing in the reason: ${reason}`);
	t.notRegex(reason, escapeResidue, `escape residue in the reason: ${JSON.stringify(reason)}`);
	t.notRegex(reason, keyHint, `a key hint as the reason: ${reason}`);
}

export async function listed(sandbox: AoSandbox, id: string): Promise<(JobJson & {tokens?: number}) | undefined> {
	return (await sandbox.aoJson<Array<JobJson & {tokens?: number}>>(['list', '--all'])).find(item => item.id === id);
}

/** What ao shows once the job left `working` (what it shows at first), or after `timeoutMs` if it did not. */
export async function settled(sandbox: AoSandbox, id: string, timeoutMs = 10_000): Promise<JobJson> {
	const left = await waitFor(`job ${id} to leave working`, async () => {
		const job = await listed(sandbox, id);
		return job && job.state !== 'working' && job.state !== 'queued' ? job : false;
	}, timeoutMs).catch(() => undefined);
	return left ?? (await listed(sandbox, id))!;
}

export async function screenOf(sandbox: AoSandbox, id: string): Promise<string> {
	return (await sandbox.ao(['peek', id])).stdout;
}

export async function waitForScreen(sandbox: AoSandbox, id: string, text: RegExp, timeoutMs = 45_000): Promise<string> {
	return waitFor(`the screen of ${id} to show ${text}`, async () => {
		const screen = await screenOf(sandbox, id);
		return text.test(screen) ? screen : false;
	}, timeoutMs).catch(async (error: Error) => {
		throw new Error(`${error.message}\n${await explainJob(sandbox, id)}`);
	});
}

/** Fails with what ao shows and the screen, unless the job is in `state` with a clean reason matching `reason`. */
export async function expectState(t: ExecutionContext, sandbox: AoSandbox, job: JobJson, state: string, reason: RegExp): Promise<void> {
	const context = `ao shows ${job.state} (${job.reason})\n${await explainJob(sandbox, job.id)}`;
	t.is(job.state, state, context);
	t.regex(job.reason, reason, context);
	assertCleanReason(t, job.reason);
}
