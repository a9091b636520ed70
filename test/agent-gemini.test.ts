import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {geminiHome} from './helpers/gemini-home.js';
import {startModelServer, type ModelServer} from './helpers/model-server.js';
import {dispatchJson, explainJob, useSandbox, waitFor, waitForState, type AoSandbox, type JobJson} from './helpers/ao.js';
import {assertCleanReason, expectState, listed, screenOf, settled, waitForScreen} from './helpers/agent-turns.js';

// The real Gemini CLI (node_modules/.bin/gemini) in ao, against the scripted Gemini API server: what ao shows of it.
// Serial: each test starts a Gemini CLI (two node processes), and the timings asserted here are ao's, not the load's.

interface World {
	sandbox: AoSandbox;
	server: ModelServer;
	env: Record<string, string>;
	home: string;
}

async function geminiWorld(t: ExecutionContext, options: {trusted?: boolean | 'repo'} = {}): Promise<World> {
	t.timeout(120_000);
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const server = await startModelServer(t, 'gemini', sandbox.dir);
	const home = path.join(sandbox.dir, 'home');
	// A rule for the repository does not cover its worktrees beside it: their folder is trusted too.
	const trust = options.trusted === false ? [] : options.trusted === 'repo' ? [sandbox.repo] : [sandbox.repo, `${sandbox.repo}.worktrees`];
	const env = await geminiHome(home, {baseUrl: server.url, trust});
	return {sandbox, server, env, home};
}

async function dispatchGemini(world: World, name: string, task: string): Promise<JobJson> {
	return dispatchJson(world.sandbox, ['--agent', 'gemini', '-n', name, task], {env: world.env});
}


const turnRequests = async (server: ModelServer) => (await server.requests()).filter(request => request.method === 'POST' && request.url.includes(':streamGenerateContent'));

/** The job must be ready within 5 s of the model's last answer: the turn is over, nothing is left to wait for. */
async function readySoonAfter(t: ExecutionContext, world: World, id: string): Promise<void> {
	const answered = Date.parse((await turnRequests(world.server)).at(-1)?.at ?? '');
	const ready = await waitForState(world.sandbox, id, 'ready', undefined, Math.max(500, answered + 5000 - Date.now()));
	assertCleanReason(t, ready.reason);
}


interface ChatRecord {
	id?: string;
	type?: string;
	sessionId?: string;
	tokens?: {input: number; output: number; cached: number; thoughts: number; tool: number; total: number};
}

/**
 * The lines of the session Gemini CLI records for `worktree`: ~/.gemini/tmp/<slug>/chats/session-*.jsonl, where
 * ~/.gemini/projects.json maps the folder to its slug.
 */
async function chatRecords(home: string, worktree: string): Promise<ChatRecord[]> {
	const projects = JSON.parse(await fs.readFile(path.join(home, '.gemini', 'projects.json'), 'utf8').catch(() => '{}')) as {projects?: Record<string, string>};
	const slug = projects.projects?.[worktree];
	const chats = path.join(home, '.gemini', 'tmp', slug ?? '-', 'chats');
	if (!slug || !existsSync(chats)) return [];
	const files = (await fs.readdir(chats)).filter(name => /^session-.*\.jsonl$/.test(name));
	const texts = await Promise.all(files.map(name => fs.readFile(path.join(chats, name), 'utf8')));
	return texts.flatMap(text => text.split('\n').filter(Boolean).map(line => JSON.parse(line) as ChatRecord));
}

test.serial('gemini: a command it asks to run makes the job need input, with the command in the reason', async t => {
	const world = await geminiWorld(t);
	const job = await dispatchGemini(world, 'touch', '[run touch made-by-agent.txt]');
	await waitForScreen(world.sandbox, job.id, /Allow execution of \[Shell\]\?/);
	const asking = await settled(world.sandbox, job.id);
	await expectState(t, world.sandbox, asking, 'needs-input', /touch made-by-agent\.txt/);
});

test.serial('gemini: approved with ao send, the command runs in the worktree, and the job is ready within 5 s of the turn\'s end', async t => {
	const world = await geminiWorld(t);
	const job = await dispatchGemini(world, 'approve', '[run touch made-by-agent.txt]');
	await waitForScreen(world.sandbox, job.id, /1\. Allow once/);
	// The digit picks "Allow once" at once; an Enter after it would land in the prompt.
	const sent = await world.sandbox.ao(['send', job.id, '1', '--no-enter']);
	t.is(sent.exitCode, 0, sent.stderr);
	await waitFor('made-by-agent.txt in the worktree', () => existsSync(path.join(job.worktree, 'made-by-agent.txt')));
	t.false(existsSync(path.join(world.sandbox.repo, 'made-by-agent.txt')), 'the command ran in the main checkout');
	// The turn ends with the answer to the request that carries the command's output.
	await waitForScreen(world.sandbox, job.id, /✦ done/);
	await readySoonAfter(t, world, job.id);
});

test.serial('gemini: a finished answer makes the job ready within 5 s', async t => {
	const world = await geminiWorld(t);
	const job = await dispatchGemini(world, 'hello', '[answer hello]');
	await waitForScreen(world.sandbox, job.id, /✦ hello/);
	await readySoonAfter(t, world, job.id);
});

test.serial('gemini: ao counts the tokens its session recording keeps, and only those of the turn', async t => {
	const world = await geminiWorld(t);
	const job = await dispatchGemini(world, 'tokens', '[answer hello]');
	const replies = await waitFor('the answer in the session recording of the worktree', async () => {
		const answers = (await chatRecords(world.home, job.worktree)).filter(record => record.type === 'gemini' && record.tokens);
		return answers.length > 0 ? answers : false;
	});
	// One reply: 1000 prompt tokens (300 of them cached), 200 output; the router's question reports none.
	t.deepEqual(replies.map(record => record.tokens), [{input: 1000, output: 200, cached: 300, thoughts: 0, tool: 0, total: 1200}]);
	t.is((await turnRequests(world.server)).length, 1);
	const shown = await waitFor('ao list to show the tokens', async () => {
		const found = await listed(world.sandbox, job.id);
		// 0 until the supervisor has read the reply (its record may exist before the reply is in it).
		return found?.tokens ? found : false;
	}, 10_000).catch(async (error: Error) => {
		const cost = await world.sandbox.ao(['cost']);
		throw new Error(`${error.message}\nao cost:\n${cost.stdout}${cost.stderr}\nworktree: ${job.worktree}`);
	});
	t.is(shown.tokens, 1200);
	const cost = await world.sandbox.aoJson<{jobs: Array<{id: string; tokens?: Record<string, number>}>}>(['cost']);
	t.like(cost.jobs.find(item => item.id === job.id)?.tokens, {input: 700, cacheRead: 300, output: 200, cacheWrite: 0});
});

test.serial('gemini: in a folder it does not trust yet, the job needs input, and the reason says it asks for trust', async t => {
	const world = await geminiWorld(t, {trusted: false});
	const job = await dispatchGemini(world, 'untrusted', '[answer hello]');
	await waitForScreen(world.sandbox, job.id, /Do you trust the files in this folder\?/);
	const asking = await settled(world.sandbox, job.id);
	await expectState(t, world.sandbox, asking, 'needs-input', /trust/i);
});

test.serial('gemini: a spent quota (429) makes it ask whether to keep trying; the job needs input, and the reason says so', async t => {
	const world = await geminiWorld(t);
	const job = await dispatchGemini(world, 'limited', '[fail 429]');
	await waitForScreen(world.sandbox, job.id, /Usage limit reached/);
	const asking = await settled(world.sandbox, job.id);
	await expectState(t, world.sandbox, asking, 'needs-input', /usage limit|quota|429|rate.?limit/i);
});

test.serial('gemini: a repository trusted once in Gemini is trusted for the worktrees of its agents, with no question', async t => {
	const world = await geminiWorld(t, {trusted: 'repo'});
	const job = await dispatchGemini(world, 'trusted-once', '[answer hello]');
	await waitForScreen(world.sandbox, job.id, /✦ hello/);
	await readySoonAfter(t, world, job.id);
	t.notRegex(await screenOf(world.sandbox, job.id), /Do you trust the files in this folder\?/);
	const rules = JSON.parse(await fs.readFile(path.join(world.home, '.gemini', 'trustedFolders.json'), 'utf8')) as Record<string, string>;
	t.deepEqual(Object.keys(rules), [world.sandbox.repo], 'nothing was trusted for the user');
});

test.serial('gemini: respawned, it resumes its own session and is ready at its prompt', async t => {
	const world = await geminiWorld(t);
	const job = await dispatchGemini(world, 'again', '[answer hi]');
	await waitForState(world.sandbox, job.id, 'ready');
	t.is((await world.sandbox.ao(['stop', job.id])).exitCode, 0);
	await waitForState(world.sandbox, job.id, 'stopped');
	const respawned = await world.sandbox.ao(['respawn', job.id]);
	t.is(respawned.exitCode, 0, respawned.stderr);
	const waiting = await waitForState(world.sandbox, job.id, 'ready', /^resumed; waiting at its prompt$/, 30_000);
	assertCleanReason(t, waiting.reason);
	// Typed once its prompt is on screen, as a person would (its hook says "resumed" a moment before that).
	await waitForScreen(world.sandbox, job.id, /Type your message/);
	const before = (await turnRequests(world.server)).length;
	t.is((await world.sandbox.ao(['send', job.id, '[answer again]'])).exitCode, 0);
	await waitFor('the next turn\'s request', async () => (await turnRequests(world.server)).length > before);
	t.true(JSON.stringify((await turnRequests(world.server)).at(-1)!.body).includes('[answer hi]'), 'the resumed session holds the first turn');
	await waitForState(world.sandbox, job.id, 'ready', /^finished its turn$/);
});

test.serial('gemini: the guard, its BeforeTool hook, denies a DELETE without WHERE before Gemini runs it; the job shows why until the user acts', async t => {
	const world = await geminiWorld(t);
	const command = 'sqlite3 shop.db "DELETE FROM users"';
	const job = await dispatchGemini(world, 'deleter', `[run ${command}]\n[answer I could not run it]`);
	const blocked = await waitForState(world.sandbox, job.id, 'needs-input', /^guard: denied/, 60_000).catch(async (error: Error) => {
		throw new Error(`${error.message}\n${await explainJob(world.sandbox, job.id)}`);
	});
	t.is(blocked.reason, `guard: denied ${command} (DELETE without WHERE)`);
	await waitForScreen(world.sandbox, job.id, /I could not run it/);
	t.false(existsSync(path.join(job.worktree, 'shop.db')), 'the command never ran');
	const held = await listed(world.sandbox, job.id);
	t.is(`${held?.state} (${held?.reason})`, `needs-input (${blocked.reason})`);
});
