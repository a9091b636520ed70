import {readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {dispatchJson, runningStates, useSandbox, waitFor, waitForState, type AoSandbox, type JobJson} from '../helpers/ao.js';

async function plant(sandbox: AoSandbox, id: string, content?: string | Buffer): Promise<void> {
	await fs.mkdir(path.join(sandbox.home, 'jobs', id), {recursive: true});
	if (content !== undefined) await fs.writeFile(path.join(sandbox.home, 'jobs', id, 'state.json'), content);
}

test('a state file cut in half, one of garbage, a job dir without state.json: reported, skipped, the rest listed; an unknown field is kept', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const good = await dispatchJson(sandbox, ['-n', 'good', 'x']);
	await waitForState(sandbox, good.id, 'needs-input');
	const text = readFileSync(path.join(sandbox.home, 'jobs', good.id, 'state.json'), 'utf8');
	const copy = (id: string, extra: Record<string, unknown>) => JSON.stringify({...JSON.parse(text), id, name: `copy-${id}`, state: 'stopped', windowId: undefined, ...extra}, null, 2);
	await plant(sandbox, 'aaaaaaa1', copy('aaaaaaa1', {}).slice(0, Math.floor(text.length / 2)));
	await plant(sandbox, 'aaaaaaa2', Buffer.from([0x00, 0xFF, 0x13, 0x37, 0x7B, 0x22, 0x0A]));
	await plant(sandbox, 'aaaaaaa3', copy('aaaaaaa3', {fromTheFuture: {nested: [1, 2]}}));
	await plant(sandbox, 'aaaaaaa4');
	await plant(sandbox, 'aaaaaaa5', '');
	await plant(sandbox, 'aaaaaaa6', JSON.stringify({id: 'aaaaaaa6', state: 'exploded'}));

	const list = await sandbox.ao(['list', '--all']);
	t.is(list.exitCode, 0, list.stderr);
	t.regex(list.stderr, /^ao: warning: skipped job aaaaaaa1: job aaaaaaa1: .*state\.json is not valid JSON$/m);
	t.regex(list.stderr, /^ao: warning: skipped job aaaaaaa2: job aaaaaaa2: .*is not valid JSON$/m);
	t.regex(list.stderr, /^ao: warning: skipped job aaaaaaa4: job aaaaaaa4 has no state file \(was it removed\?\)$/m);
	t.regex(list.stderr, /^ao: warning: skipped job aaaaaaa5: .*is not valid JSON$/m);
	t.regex(list.stderr, /^ao: warning: skipped job aaaaaaa6: job aaaaaaa6: "name" is missing or not a string$/m);
	t.regex(list.stdout, /good +fixture +needs-input/);
	t.regex(list.stdout, /copy-aaaaaaa3 +fixture +stopped/);

	// The unknown field survives a write by this version.
	t.is((await sandbox.ao(['pin', 'aaaaaaa3'])).exitCode, 0);
	const kept = JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', 'aaaaaaa3', 'state.json'), 'utf8')) as {pinned: boolean; fromTheFuture: unknown};
	t.deepEqual([kept.pinned, kept.fromTheFuture], [true, {nested: [1, 2]}]);

	const doctor = await sandbox.ao(['doctor']);
	t.is(doctor.exitCode, 1);
	t.regex(doctor.stdout, /FAIL state dir +.*5 unreadable job\(s\)/);
	const pick = await sandbox.ao(['peek', 'aaaaaaa1']);
	t.is(pick.exitCode, 1);
	t.regex(pick.stderr, /^ao: job aaaaaaa1: .* is not valid JSON$/);

	// The supervisor goes on supervising the readable job, and never logged a failed tick.
	await sandbox.ao(['send', 'good', 'hello']);
	await waitFor('the good job to answer', async () => (await sandbox.ao(['logs', 'good'])).stdout.includes('got: hello'));
	await waitFor('its state to be read again', async () => runningStates.includes((await sandbox.aoJson<JobJson[]>(['list'])).find(job => job.id === good.id)!.state));
	t.notRegex(await fs.readFile(path.join(sandbox.home, 'supervisor.log'), 'utf8'), /tick failed/);
});
