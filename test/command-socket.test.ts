import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import {decodeAnswer, encodeAnswer, readRequest} from '../src/core/supervisor/command-socket.js';
import {dispatchJson, root, useSandbox, waitFor, type AoSandbox, type JobJson} from './helpers/ao.js';

// The supervisor answers ao list, peek and send over the state dir's socket, so they start at Node's floor.

async function ask(sandbox: AoSandbox, request: Record<string, unknown>): Promise<Record<string, unknown>> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(path.join(sandbox.home, 'supervisor.sock'));
		const chunks: Buffer[] = [];
		socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
		socket.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
		});
		socket.on('end', () => {
			const answer = decodeAnswer(Buffer.concat(chunks));
			if (answer) resolve(answer as unknown as Record<string, unknown>);
			else reject(new Error(`not an answer: ${Buffer.concat(chunks).toString('utf8')}`));
		});
		socket.on('error', reject);
	});
}

async function build(): Promise<string> {
	return (await fs.readFile(path.join(root, 'dist', 'build-id'), 'utf8')).trim();
}

test('the supervisor answers list, peek and send as bin/ao would run them, in the caller\'s directory and environment', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.mkdir(path.join(sandbox.repo, 'sub'));
	const job = await dispatchJson(sandbox, ['--name', 'talker', '--', 'sh', '-c', 'echo ready; read line; echo "got: $line"; sleep 60']);
	await waitFor('the socket', async () => fs.stat(path.join(sandbox.home, 'supervisor.sock')).then(() => true, () => false));
	const env = {...process.env, ...sandbox.env};
	const listed = await ask(sandbox, {build: await build(), argv: ['list', '--json'], cwd: sandbox.repo, env, stdoutTTY: false});
	t.is(listed.exitCode, 0);
	t.deepEqual((JSON.parse(listed.stdout as string) as JobJson[]).map(item => item.id), [job.id]);
	// The same answer as the CLI gives when it runs the command itself.
	const direct = await sandbox.ao(['list', '--json'], {env: {AO_DIRECT: '1'}});
	t.deepEqual((JSON.parse(direct.stdout) as JobJson[]).map(item => [item.id, item.name, item.worktree]), (JSON.parse(listed.stdout as string) as JobJson[]).map(item => [item.id, item.name, item.worktree]));
	// --under is read against the caller's directory, not the supervisor's.
	const under = await ask(sandbox, {build: await build(), argv: ['list', '--under', '..'], cwd: path.join(sandbox.repo, 'sub'), env, stdoutTTY: false});
	t.regex(under.stdout as string, /talker/);
	const bad = await ask(sandbox, {build: await build(), argv: ['peek', 'nobody'], cwd: sandbox.repo, env, stdoutTTY: false});
	t.is(bad.exitCode, 1);
	t.regex(bad.stderr as string, /^ao: no job "nobody"/);
	const sent = await sandbox.ao(['send', 'talker', 'hello over the socket']);
	t.is(sent.stdout, `sent to ${job.id} (talker)`);
	await waitFor('the reply in the agent', async () => (await sandbox.ao(['peek', 'talker'])).stdout.includes('got: hello over the socket'));
});

test('another build, a command it does not answer, or garbage get "fallback", and bin/ao then runs the command itself', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await dispatchJson(sandbox, ['--name', 'one', '--', 'sleep', '60']);
	await waitFor('the socket', async () => fs.stat(path.join(sandbox.home, 'supervisor.sock')).then(() => true, () => false));
	const env = {...process.env, ...sandbox.env};
	t.regex(String((await ask(sandbox, {build: 'other', argv: ['list'], cwd: sandbox.repo, env, stdoutTTY: false})).fallback), /^the supervisor runs build \w+, this ao is other$/);
	t.is((await ask(sandbox, {build: await build(), argv: ['rm', 'one'], cwd: sandbox.repo, env, stdoutTTY: false})).fallback, '"rm" is not answered here');
	t.is(readRequest('{'), 'not JSON');
	t.is(readRequest('{"build":"b","argv":["list"]}'), 'no cwd or env');
	t.truthy((await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.name === 'one'), 'the job is still there');
});

test('a socket left by a supervisor that is gone is not waited on: bin/ao runs the command itself', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.mkdir(sandbox.home, {recursive: true});
	// A socket file nobody listens on (what a supervisor killed with -9 leaves).
	const file = path.join(sandbox.home, 'supervisor.sock');
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(file, () => resolve()));
	await new Promise<void>(resolve => server.close(() => resolve()));
	await fs.writeFile(file, '').catch(() => undefined);
	const listed = await sandbox.ao(['list']);
	t.is(listed.exitCode, 0, listed.stderr);
	t.is(listed.stdout, 'no jobs; start one with: ao dispatch "your task"');
});

test('an answer goes as a JSON line and the output as it is, and comes back the same, unicode and all; a cut one is refused', t => {
	const answer = {exitCode: 3, stdout: 'ünï\n{"x": "\\"}\n', stderr: 'ao: nö\n'};
	const bytes = encodeAnswer(answer);
	t.is(bytes.subarray(0, bytes.indexOf(10)).toString(), `{"exitCode":3,"stdout":${Buffer.byteLength(answer.stdout)},"stderr":${Buffer.byteLength(answer.stderr)}}`);
	t.deepEqual(decodeAnswer(bytes), answer);
	t.deepEqual(decodeAnswer(encodeAnswer({fallback: 'another build'})), {fallback: 'another build'});
	t.is(decodeAnswer(bytes.subarray(0, bytes.length - 1)), undefined);
	t.is(decodeAnswer(Buffer.from('garbage')), undefined);
});
