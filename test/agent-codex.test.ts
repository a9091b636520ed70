import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {codexHome, type CodexHomeOptions} from './helpers/codex-home.js';
import {startModelServer, type ModelServer} from './helpers/model-server.js';
import {dispatchJson, explainJob, useSandbox, waitFor, waitForState, type AoSandbox, type JobJson} from './helpers/ao.js';
import {assertCleanReason, expectState, settled, waitForScreen} from './helpers/agent-turns.js';

// The real Codex CLI (node_modules/.bin/codex) in ao, against the scripted OpenAI server: what ao shows of it.

interface World {
	sandbox: AoSandbox;
	server: ModelServer;
	env: Record<string, string>;
}

async function codexWorld(t: ExecutionContext, options: Partial<CodexHomeOptions> & {trusted?: boolean} = {}): Promise<World> {
	t.timeout(120_000);
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const server = await startModelServer(t, 'openai', sandbox.dir);
	const env = await codexHome(sandbox.dir, {baseUrl: server.url, trust: options.trusted === false ? [] : [sandbox.repo], provider: options.provider, apiKey: options.apiKey});
	return {sandbox, server, env};
}

async function dispatchCodex(world: World, name: string, task: string): Promise<JobJson> {
	return dispatchJson(world.sandbox, ['--agent', 'codex', '-n', name, task], {env: world.env});
}


/** The job must be ready within 5 s of the model's last answer: the turn is over, nothing is left to wait for. */
async function readySoonAfter(t: ExecutionContext, world: World, id: string): Promise<void> {
	const answered = await lastTurnRequest(world.server);
	const ready = await waitForState(world.sandbox, id, 'ready', undefined, Math.max(500, answered + 5000 - Date.now()));
	assertCleanReason(t, ready.reason);
}


const requestsOf = async (server: ModelServer) => (await server.requests()).filter(request => request.method === 'POST' && request.url.endsWith('/responses'));

/** When the server was last asked for the turn (not the thread title Codex asks for on the side). */
async function lastTurnRequest(server: ModelServer): Promise<number> {
	const turns = (await requestsOf(server)).filter(request => !String(request.headers['x-codex-turn-metadata'] ?? '').includes('"thread_title"'));
	return Date.parse(turns.at(-1)?.at ?? '');
}

interface Rollout {
	file: string;
	lines: Array<{type?: string; payload?: {type?: string; cwd?: string; info?: {total_token_usage?: Record<string, number>} | null}}>;
}

/** Every rollout Codex wrote under CODEX_HOME/sessions. */
async function rollouts(codexDir: string): Promise<Rollout[]> {
	const sessions = path.join(codexDir, 'sessions');
	const files = existsSync(sessions) ? (await fs.readdir(sessions, {recursive: true})).filter(name => /rollout-.*\.jsonl$/.test(name)) : [];
	return Promise.all(files.map(async name => {
		const file = path.join(sessions, name);
		const text = await fs.readFile(file, 'utf8');
		return {file, lines: text.split('\n').filter(Boolean).map(line => JSON.parse(line) as Rollout['lines'][number])};
	}));
}

/** The running total of the last token_count event in the rollout of `worktree`. */
async function rolloutTotal(codexDir: string, worktree: string): Promise<Record<string, number> | undefined> {
	const rollout = (await rollouts(codexDir)).find(item => item.lines[0]?.type === 'session_meta' && item.lines[0].payload?.cwd === worktree);
	return rollout?.lines.filter(line => line.type === 'event_msg' && line.payload?.type === 'token_count').at(-1)?.payload?.info?.total_token_usage;
}

test('codex: a command it asks to run makes the job need input, with the command in the reason', async t => {
	const world = await codexWorld(t);
	const job = await dispatchCodex(world, 'touch', '[run touch made-by-agent.txt]');
	await waitForScreen(world.sandbox, job.id, /Would you like to run the following command\?/);
	const asking = await settled(world.sandbox, job.id);
	await expectState(t, world.sandbox, asking, 'needs-input', /touch made-by-agent\.txt/);
});

test('codex: approved with ao send, the command runs in the worktree, and the job is ready within 5 s of the turn\'s end', async t => {
	const world = await codexWorld(t);
	const job = await dispatchCodex(world, 'approve', '[run touch made-by-agent.txt]');
	await waitForScreen(world.sandbox, job.id, /Yes, proceed \(y\)/);
	const sent = await world.sandbox.ao(['send', job.id, 'y', '--no-enter']);
	t.is(sent.exitCode, 0, sent.stderr);
	await waitFor('made-by-agent.txt in the worktree', () => existsSync(path.join(job.worktree, 'made-by-agent.txt')));
	t.false(existsSync(path.join(world.sandbox.repo, 'made-by-agent.txt')), 'the command ran in the main checkout');
	// The turn ends with the answer to the request that carries the command's output.
	await waitForScreen(world.sandbox, job.id, /• done/);
	await readySoonAfter(t, world, job.id);
});

test('codex: a finished answer makes the job ready within 5 s', async t => {
	const world = await codexWorld(t);
	const job = await dispatchCodex(world, 'hello', '[answer hello]');
	await waitForScreen(world.sandbox, job.id, /• hello/);
	await readySoonAfter(t, world, job.id);
});

test('codex: ao counts the tokens its rollout records', async t => {
	const world = await codexWorld(t);
	const job = await dispatchCodex(world, 'tokens', '[answer hello]');
	const total = await waitFor('a token_count event in the rollout of the worktree', () => rolloutTotal(world.env.CODEX_HOME!, job.worktree));
	// One reply: 1000 input tokens (300 of them cached), 200 output.
	t.like(total, {input_tokens: 1000, cached_input_tokens: 300, output_tokens: 200, total_tokens: 1200});
	const listed = await waitFor('ao list to show the tokens', async () => {
		const found = (await world.sandbox.aoJson<Array<JobJson & {tokens?: number}>>(['list', '--all'])).find(item => item.id === job.id);
		// 0 until the supervisor has read the reply (the rollout may exist before the reply is in it).
		return found?.tokens ? found : false;
	}, 10_000).catch(async (error: Error) => {
		const cost = await world.sandbox.ao(['cost']);
		throw new Error(`${error.message}\nao cost:\n${cost.stdout}${cost.stderr}\nrollouts: ${(await rollouts(world.env.CODEX_HOME!)).map(item => item.file).join(', ')}\nworktree: ${job.worktree}`);
	});
	t.is(listed.tokens, total!.total_tokens);
	const cost = await world.sandbox.aoJson<{jobs: Array<{id: string; tokens?: Record<string, number>; costUsd?: number}>}>(['cost']);
	const row = cost.jobs.find(item => item.id === job.id);
	t.like(row?.tokens, {input: 700, cacheRead: 300, output: 200, cacheWrite: 0});
	// Priced by the gpt-5 row of the prices table: 700 x 1.25 + 300 x 0.125 + 200 x 10 per million.
	t.is(row?.costUsd?.toFixed(6), ((700 * 1.25 + 300 * 0.125 + 200 * 10) / 1e6).toFixed(6));
	t.regex((await world.sandbox.ao(['cost'])).stdout, new RegExp(`${job.id} .* ~\\$0\\.00 `));
});

test('codex: in a folder it does not trust yet, the job needs input, and the reason says it asks for trust', async t => {
	const world = await codexWorld(t, {trusted: false});
	const job = await dispatchCodex(world, 'untrusted', '[answer hello]');
	await waitForScreen(world.sandbox, job.id, /Trust this folder\?/);
	const asking = await settled(world.sandbox, job.id);
	t.is((await requestsOf(world.server)).length, 0, 'Codex asked the model before the folder was trusted');
	await expectState(t, world.sandbox, asking, 'needs-input', /trust/i);
	// Enter: "1. Trust and continue"; the task then runs.
	await world.sandbox.ao(['send', job.id, '']);
	await waitForScreen(world.sandbox, job.id, /• hello/);
});

test('codex: with no account, its sign-in screen makes the job need input, and the reason says sign in', async t => {
	const world = await codexWorld(t, {provider: false});
	const job = await dispatchCodex(world, 'signin', '[answer hello]');
	await waitForScreen(world.sandbox, job.id, /Sign in with ChatGPT/);
	const asking = await settled(world.sandbox, job.id);
	await expectState(t, world.sandbox, asking, 'needs-input', /sign.?in/i);
});

test('codex: with the provider\'s key unset, the job needs input, and the reason names the missing credential', async t => {
	const world = await codexWorld(t, {apiKey: false});
	const job = await dispatchCodex(world, 'nokey', '[answer hello]');
	await waitForScreen(world.sandbox, job.id, /Missing environment variable/);
	const asking = await settled(world.sandbox, job.id);
	await expectState(t, world.sandbox, asking, 'needs-input', /sign.?in|credential|api key|AO_TEST_CODEX_KEY/i);
});

test('codex: a rate limit (429) ends the turn; the job leaves working, and the reason says rate limit', async t => {
	const world = await codexWorld(t);
	const job = await dispatchCodex(world, 'limited', '[fail 429]');
	await waitForScreen(world.sandbox, job.id, /429/);
	const after = await settled(world.sandbox, job.id);
	const context = `ao shows ${after.state} (${after.reason})\n${await explainJob(world.sandbox, job.id)}`;
	t.true(['needs-input', 'ready'].includes(after.state), context);
	t.regex(after.reason, /429|rate.?limit|too many requests/i, context);
	assertCleanReason(t, after.reason);
});

test('codex: respawned, it resumes the conversation in its worktree and is ready at its prompt', async t => {
	const world = await codexWorld(t);
	const job = await dispatchCodex(world, 'again', '[answer hi]');
	await waitForState(world.sandbox, job.id, 'ready');
	// Its prompt stands on screen a moment before the task is taken up: no "ready" (and no notification) before the turn.
	const firstReady = (await fs.readFile(path.join(world.sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean)
		.map(line => JSON.parse(line) as {at: string; to: string}).find(event => event.to === 'ready');
	t.true(Date.parse(firstReady!.at) >= await lastTurnRequest(world.server), `ready at ${firstReady!.at}, before the model answered`);
	t.is((await world.sandbox.ao(['stop', job.id])).exitCode, 0);
	await waitForState(world.sandbox, job.id, 'stopped');
	const respawned = await world.sandbox.ao(['respawn', job.id]);
	t.is(respawned.exitCode, 0, respawned.stderr);
	const waiting = await waitForState(world.sandbox, job.id, 'ready', /^finished its turn$/, 30_000);
	assertCleanReason(t, waiting.reason);
	const before = (await requestsOf(world.server)).length;
	t.is((await world.sandbox.ao(['send', job.id, '[answer again]'])).exitCode, 0);
	await waitFor('the next turn\'s request', async () => (await requestsOf(world.server)).length > before).catch(async (error: Error) => {
		throw new Error(`${error.message}\n${await explainJob(world.sandbox, job.id)}`);
	});
	const next = (await requestsOf(world.server)).at(-1)!;
	t.true(JSON.stringify(next.body).includes('[answer hi]'), 'the resumed conversation holds the first turn');
	await waitForState(world.sandbox, job.id, 'ready', /^finished its turn$/);
});

test('codex: the guard, its PreToolUse hook, denies a force push before Codex runs it; the job shows why, with no review screen for the hook', async t => {
	const world = await codexWorld(t);
	const marker = path.join(world.sandbox.dir, 'pushed');
	const command = `git push origin +main && touch ${marker}`;
	const job = await dispatchCodex(world, 'pusher', `[run ${command}]\n[answer I could not push]`);
	const blocked = await waitForState(world.sandbox, job.id, 'needs-input', /^guard: denied/, 60_000);
	t.is(blocked.reason, `guard: denied ${command} (force push)`);
	await waitForScreen(world.sandbox, job.id, /I could not push/);
	const screenText = await waitForScreen(world.sandbox, job.id, /Blocked by ao's guard|blocked/i);
	t.notRegex(screenText, /Hooks need review/);
	t.false(existsSync(marker), 'the command never ran');
	// Codex ends its turn after the deny: the block stays until the user acts.
	await waitFor('Codex to end its turn', async () => (await lastTurnRequest(world.server)) > 0);
	const held = (await world.sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === job.id)!;
	t.is(`${held.state} (${held.reason})`, `needs-input (${blocked.reason})`);
});
