import {existsSync, readFileSync} from 'node:fs';
import {appendFile} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import test, {type ExecutionContext} from 'ava';
import {dispatchJson, useSandbox, waitFor, waitForState, type AoSandbox, type JobJson} from './helpers/ao.js';
import {assertCleanReason} from './helpers/agent-turns.js';
import {claudeHome} from './helpers/claude-home.js';
import {startModelServer, type ModelRequest, type ModelServer} from './helpers/model-server.js';

// The real Claude Code (node_modules/.bin/claude) doing whole turns against the scripted Messages API server
// (test/fixtures/model-servers/anthropic.mjs), steered by the directives in the task (script.mjs).

/** What the server reports for every reply (script.mjs usagePerReply): input, output, cache read. */
const perReply = {input: 1000, output: 200, cacheWrite: 0, cacheRead: 300};
const perReplyTotal = perReply.input + perReply.output + perReply.cacheWrite + perReply.cacheRead;

interface World {
	sandbox: AoSandbox;
	server: ModelServer;
	env: Record<string, string>;
}

/** A sandbox with a repository, its own scripted server and its own Claude Code HOME, trusting the repository. */
async function claudeWorld(t: ExecutionContext, options: {trustRepo?: boolean} = {}): Promise<World> {
	t.timeout(120_000);
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const server = await startModelServer(t, 'anthropic', sandbox.dir);
	const env = await claudeHome(sandbox.dir, {baseUrl: server.url, trust: options.trustRepo === false ? [] : [sandbox.repo]});
	return {sandbox, server, env};
}

const task = (...lines: string[]) => lines.join('\n');

async function dispatchClaude(world: World, name: string, text: string, extra: string[] = [], env: Record<string, string> = {}): Promise<JobJson> {
	return dispatchJson(world.sandbox, ['--agent', 'claude', '-n', name, ...extra, text], {env: {...world.env, ...env}});
}

async function listed(sandbox: AoSandbox, id: string): Promise<JobJson & {tokens?: number}> {
	const job = (await sandbox.aoJson<Array<JobJson & {tokens?: number}>>(['list', '--all'])).find(item => item.id === id);
	if (!job) throw new Error(`job ${id} is not listed`);
	return job;
}

async function screen(sandbox: AoSandbox, id: string): Promise<string> {
	return (await sandbox.ao(['peek', id])).stdout.split('\n').filter(line => line.trim() !== '').join('\n');
}

/** Like waitForState, but a timeout fails the test and lets it go on, so what follows is checked too. */
async function expectState(t: ExecutionContext, sandbox: AoSandbox, id: string, state: string, reason?: RegExp, timeoutMs = 60_000): Promise<JobJson | undefined> {
	return waitForState(sandbox, id, state, reason, timeoutMs).catch((error: Error) => {
		t.fail(error.message);
		return undefined;
	});
}

interface Event {
	from: string | null;
	to: string;
	reason: string;
	signal: string;
}

function events(sandbox: AoSandbox, id: string): Event[] {
	return readFileSync(path.join(sandbox.home, 'jobs', id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as Event);
}


/** Every reason ao gave the job, from its timeline. */
function assertCleanReasons(t: ExecutionContext, sandbox: AoSandbox, id: string): void {
	for (const event of events(sandbox, id)) assertCleanReason(t, event.reason);
}

/** The requests of the conversation itself (they offer tools), not Claude Code's side requests. */
async function conversationRequests(server: ModelServer): Promise<ModelRequest[]> {
	return (await server.requests()).filter(request => {
		const body = request.body as {tools?: unknown[]} | undefined;
		return request.method === 'POST' && request.url.startsWith('/v1/messages?') && (body?.tools?.length ?? 0) > 0;
	});
}

/** The assistant messages the transcript holds with their usage, each id once. */
function transcriptMessages(file: string): string[] {
	const ids = new Set<string>();
	for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
		const entry = JSON.parse(line) as {type?: string; message?: {id?: string; usage?: unknown}};
		if (entry.type === 'assistant' && entry.message?.usage && entry.message.id) ids.add(entry.message.id);
	}

	return [...ids];
}

test('claude: a shell command waits for permission named by its tool call; "1" runs it, the turn ends ready, and ao counts the tokens of its two replies', async t => {
	const world = await claudeWorld(t);
	const {sandbox, server} = world;
	const job = await dispatchClaude(world, 'toucher', task('make the file', '[run touch made-by-agent.txt]'));
	const asking = await expectState(t, sandbox, job.id, 'needs-input');
	t.is(asking?.reason, 'permission: Bash(touch made-by-agent.txt)', await screen(sandbox, job.id));
	const timeline = events(sandbox, job.id).map(event => event.to);
	t.true(timeline.indexOf('working') !== -1 && timeline.indexOf('working') < timeline.indexOf('needs-input'), timeline.join(' '));
	t.false(existsSync(path.join(job.worktree, 'made-by-agent.txt')));
	await sandbox.ao(['send', job.id, '1']);
	await waitFor('the approved command to make the file', () => existsSync(path.join(job.worktree, 'made-by-agent.txt')));
	const ready = await expectState(t, sandbox, job.id, 'ready', /^finished its turn$/);
	t.truthy(ready);
	// The tool call and the answer after it: two replies of the conversation, both in the transcript.
	const replies = (await conversationRequests(server)).length;
	t.is(replies, 2);
	const state = JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', job.id, 'state.json'), 'utf8')) as {transcriptPath?: string};
	t.is(transcriptMessages(state.transcriptPath!).length, replies);
	const expected = replies * perReplyTotal;
	const tokens = await waitFor('the tokens of both replies', async () => ((await listed(sandbox, job.id)).tokens === expected ? expected : false), 15_000)
		.catch(async () => (await listed(sandbox, job.id)).tokens);
	t.is(tokens, expected);
	const cost = await sandbox.aoJson<{jobs: Array<{id: string; tokens?: Record<string, number>}>}>(['cost']);
	t.deepEqual(cost.jobs.find(item => item.id === job.id)?.tokens, {input: 2 * perReply.input, output: 2 * perReply.output, cacheWrite: 0, cacheRead: 2 * perReply.cacheRead});
	assertCleanReasons(t, sandbox, job.id);
});

test('claude: in acceptEdits mode a file write needs no answer: the file is there and the job ends ready', async t => {
	const world = await claudeWorld(t);
	const {sandbox} = world;
	const job = await dispatchClaude(world, 'writer', task('write the notes', '[write notes.txt hello]'), ['--mode', 'acceptEdits']);
	await expectState(t, sandbox, job.id, 'ready', /^finished its turn$/);
	t.is(readFileSync(path.join(job.worktree, 'notes.txt'), 'utf8'), 'hello\n');
	t.deepEqual(events(sandbox, job.id).filter(event => event.to === 'needs-input'), []);
	assertCleanReasons(t, sandbox, job.id);
});

const failing = test.macro(async (t, status: number, named: RegExp) => {
	const world = await claudeWorld(t);
	const {sandbox} = world;
	// Claude Code retries a failed request 10 times over minutes; with no retries the StopFailure hook comes at once.
	const job = await dispatchClaude(world, `failing-${status}`, task('try it', `[fail ${status}]`), [], {CLAUDE_CODE_MAX_RETRIES: '0'});
	const stuck = await expectState(t, sandbox, job.id, 'needs-input');
	t.regex(stuck?.reason ?? '', named, await screen(sandbox, job.id));
	t.notRegex(stuck?.reason ?? '', /[.!?;·]\s+\S/, 'one sentence');
	assertCleanReasons(t, sandbox, job.id);
});

test('claude: a rate limit (429) stops the turn: needs input, the reason names the rate limit', failing, 429, /\brate limit/i);
test('claude: an overloaded API (529) stops the turn: needs input, the reason says it is overloaded', failing, 529, /\boverloaded\b/i);

test('claude: a respawned agent resumes its conversation and is ready at its prompt, not working', async t => {
	const world = await claudeWorld(t);
	const {sandbox, server} = world;
	const job = await dispatchClaude(world, 'resumed', task('say hi', '[answer hi]'));
	await expectState(t, sandbox, job.id, 'ready', /^finished its turn$/);
	await sandbox.ao(['stop', job.id]);
	await expectState(t, sandbox, job.id, 'stopped');
	const respawned = await sandbox.ao(['respawn', job.id]);
	t.is(respawned.exitCode, 0, respawned.stderr);
	const waiting = await expectState(t, sandbox, job.id, 'ready', undefined, 15_000);
	t.truthy(waiting, await screen(sandbox, job.id));
	const before = (await conversationRequests(server)).length;
	// A directive stands on a line of its own: the whole message here.
	await sandbox.ao(['send', job.id, '[answer again]']);
	const [request] = await waitFor('the request of the next turn', async () => {
		const next = (await conversationRequests(server)).slice(before);
		return next.length > 0 && next;
	});
	const messages = (request!.body as {messages: Array<{role: string; content: unknown}>}).messages;
	const said = messages.map(message => `${message.role}: ${JSON.stringify(message.content)}`).join('\n');
	t.regex(said, /^user: .*\[answer hi\]/m, 'the first task is back');
	t.regex(said, /^assistant: .*"text":"hi"/m, 'the first answer is back');
	t.regex(said, /^user: .*\[answer again\]/m);
	await expectState(t, sandbox, job.id, 'ready', /^finished its turn$/);
	t.regex(await screen(sandbox, job.id), /● again/);
	assertCleanReasons(t, sandbox, job.id);
});

test('claude: a job over its --budget is paused with a budget reason, and ao resume lets it go on to ready', async t => {
	const world = await claudeWorld(t);
	const {sandbox} = world;
	// The budget holds the first reply (a file write) and is spent during the second, slow one; what the resumed turn
	// spends then (at most the rest of the interrupted reply and one more) stays within the as many again it is granted.
	const budget = perReplyTotal + 500;
	const job = await dispatchClaude(world, 'spender', task('take your time', '[write notes.txt hello]', '[slow 20]', '[answer a slow reply]'), ['--budget', String(budget), '--mode', 'acceptEdits']);
	const paused = await expectState(t, sandbox, job.id, 'needs-input', /^budget:/, 90_000);
	t.truthy(paused);
	const resumed = await sandbox.ao(['resume', job.id]);
	t.is(resumed.exitCode, 0, resumed.stderr);
	await expectState(t, sandbox, job.id, 'ready', /^finished its turn$/);
	// Ready for good, not paused again a moment later.
	await sleep(3000);
	const after = await listed(sandbox, job.id);
	t.is(`${after.state} (${after.reason})`, 'ready (finished its turn)', await screen(sandbox, job.id));
	assertCleanReasons(t, sandbox, job.id);
});

test('claude: in a repository the user has not trusted, Claude Code\'s trust question is needs-input naming it', async t => {
	const world = await claudeWorld(t, {trustRepo: false});
	const {sandbox} = world;
	const job = await dispatchClaude(world, 'stranger', task('say hi', '[answer hi]'));
	const asking = await expectState(t, sandbox, job.id, 'needs-input');
	t.regex(await screen(sandbox, job.id), /Yes, I trust this folder/);
	t.regex(asking?.reason ?? '', /\btrust\b/i, await screen(sandbox, job.id));
	assertCleanReasons(t, sandbox, job.id);
});

test('claude: the guard denies a DELETE without WHERE; the block stays on the job after Claude ends its turn, until ao dismiss', async t => {
	const world = await claudeWorld(t);
	const {sandbox} = world;
	const command = 'sqlite3 shop.db "DELETE FROM users"';
	const job = await dispatchClaude(world, 'deleter', task('clean the users table', `[run ${command}]`, '[answer I could not run it]'));
	const blocked = await expectState(t, sandbox, job.id, 'needs-input', /^guard: denied/);
	t.is(blocked?.reason, `guard: denied ${command} (DELETE without WHERE)`);
	// Claude is told why and ends its turn ("I could not run it"): its Stop must not hide the block.
	await waitFor('Claude to end its turn', async () => (await screen(sandbox, job.id)).includes('I could not run it'));
	await waitFor('the Stop hook of that turn', () => readFileSync(path.join(sandbox.home, 'jobs', job.id, 'state.json'), 'utf8').includes('"afterBlock"'));
	const held = await listed(sandbox, job.id);
	t.is(`${held.state} (${held.reason})`, `needs-input (guard: denied ${command} (DELETE without WHERE))`);
	t.false(existsSync(path.join(held.worktree, 'shop.db')), 'the command never ran');
	const dismissed = await sandbox.ao(['dismiss', job.id]);
	t.is(dismissed.exitCode, 0, dismissed.stderr);
	t.is(`${(await listed(sandbox, job.id)).state}`, 'ready');
	assertCleanReasons(t, sandbox, job.id);
});

test('claude: a command the guard doubts is asked: Claude shows its prompt and the job says why; approved, it runs', async t => {
	const world = await claudeWorld(t);
	const {sandbox} = world;
	const command = 'touch approved.txt && sqlite3 shop.db "DELETE FROM users WHERE id > 0"';
	const job = await dispatchClaude(world, 'doubter', task('clean up old users', `[run ${command}]`, '[answer cleaned]'));
	const asking = await expectState(t, sandbox, job.id, 'needs-input', /^guard: asks before/);
	t.is(asking?.reason, 'guard: asks before touch approved.txt && sqlite3 shop.db "DELETE FROM … (DELETE of nearly every row)');
	t.regex(await screen(sandbox, job.id), /Do you want to proceed\?/);
	// Claude's own hooks for its prompt (PermissionRequest, Notification) come after the guard's answer: the guard's
	// reason stays.
	await waitFor('Claude\'s report of its prompt', () => {
		const record = JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', job.id, 'state.json'), 'utf8')) as {reportedAt?: string; stateSince: string};
		return Boolean(record.reportedAt && record.reportedAt > record.stateSince);
	});
	t.regex((await listed(sandbox, job.id)).reason, /^guard: asks before/);
	t.false(existsSync(path.join(job.worktree, 'approved.txt')));
	await sandbox.ao(['send', job.id, '1']);
	await waitFor('the approved command to run', () => existsSync(path.join(job.worktree, 'approved.txt')));
	await expectState(t, sandbox, job.id, 'ready', /^finished its turn$/);
	assertCleanReasons(t, sandbox, job.id);
});

test('claude: a tool loop that changes no file is flagged runaway', async t => {
	const world = await claudeWorld(t);
	const {sandbox} = world;
	await appendFile(sandbox.configFile, 'watchdog:\n  runaway_tokens: 6000\n  check_s: 1\n');
	const job = await dispatchClaude(world, 'looper', task('look around', '[loop]'));
	const flagged = await waitFor('the runaway flag', async () => {
		const found = await listed(sandbox, job.id) as JobJson & {runaway?: string};
		return found.runaway ? found : false;
	}, 90_000);
	t.regex(flagged.runaway!, /^runaway: spent over 6k tokens without changing its worktree/);
	t.regex((await sandbox.ao(['list'])).stdout, /looper +claude +\S+ runaway/);
	t.true((await conversationRequests(world.server)).length >= 4, 'it went round the loop');
});
