/**
 * The real Claude Code doing one scripted turn ("[answer hi]") against the scripted Messages API server of the
 * suite: how long from `ao dispatch` to the first true state in ao's records (working, from its SessionStart hook)
 * and to ready (its Stop hook), and from the model's last reply to ready. Beside it `claude --bg` doing the same turn
 * offline, timed until `claude agents --json` no longer lists the session as working.
 */
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {claudeHome} from '../test/helpers/claude-home.js';
import {processesWithEnv, record} from './lib.js';
import {root, World} from './world.js';

interface Event {
	at: string;
	to: string;
	signal: string;
}

async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T | undefined> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const value = await check();
		if (value !== undefined) return value;
		await sleep(10);
	}

	return undefined;
}

function events(world: World, id: string): Event[] {
	try {
		return readFileSync(path.join(world.home, 'jobs', id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as Event);
	} catch {
		return [];
	}
}

/** The scripted server, as the suite starts it; its requests as it logged them. */
async function modelServer(dir: string): Promise<{url: string; lastReplyAt: () => number; stop: () => void}> {
	const log = path.join(dir, 'requests.jsonl');
	const child = spawn(process.execPath, [path.join(root, 'test', 'fixtures', 'model-servers', 'serve.mjs'), 'anthropic', log], {stdio: ['ignore', 'pipe', 'inherit']});
	const port = await new Promise<number>(resolve => createInterface({input: child.stdout!}).once('line', line => resolve(Number(line.split(' ')[1]))));
	const lastReplyAt = () => {
		const lines = readFileSync(log, 'utf8').trim().split('\n').map(line => JSON.parse(line) as {at: string; url: string; body?: {tools?: unknown[]}});
		const turn = lines.filter(line => line.url.startsWith('/v1/messages?') && (line.body?.tools?.length ?? 0) > 0);
		return Date.parse(turn.at(-1)?.at ?? '');
	};

	return {url: `http://127.0.0.1:${port}`, lastReplyAt, stop: () => child.kill()};
}

export async function realTurn(runs: number): Promise<void> {
	const section = 'the real Claude Code doing one scripted turn ([answer hi]) against the scripted Messages API';
	const world = new World('turn', 'supervisor: {tick_ms: 1000}', {}, 'claude');
	await world.init(20);
	const server = await modelServer(world.dir);
	const env = await claudeHome(world.dir, {baseUrl: server.url, trust: [world.repo]});
	const firstState: number[] = [];
	const ready: number[] = [];
	const replyToReady: number[] = [];
	const bgDone: number[] = [];
	try {
		for (let index = 0; index < runs; index++) {
			const started = Date.now();
			const job = JSON.parse(await world.ao(['dispatch', '--json', '-n', `turn-${index}`, '[answer hi]'], {env})) as {id: string};
			const working = await until(() => events(world, job.id).find(event => event.signal === 'report' && event.to === 'working'));
			const done = await until(() => events(world, job.id).find(event => event.signal === 'report' && event.to === 'ready'));
			if (working) firstState.push(Date.parse(working.at) - started);
			if (done) {
				ready.push(Date.parse(done.at) - started);
				replyToReady.push(Date.parse(done.at) - server.lastReplyAt());
			}

			await world.ao(['stop', job.id]);
		}

		// claude --bg: the same turn, while it makes any request of the conversation (Claude Code 2.1.197's background
		// sessions only probe the server offline, HEAD /, and never start the turn: then there is no figure).
		const claude = path.join(root, 'node_modules', '.bin', 'claude');
		const options = {cwd: world.repo, env: {...process.env, ...env}, stdin: 'ignore' as const, reject: false};
		for (let index = 0; index < runs; index++) {
			const before = server.lastReplyAt();
			const started = Date.now();
			const {stdout} = await execa(claude, ['--bg', '[answer hi]'], options);
			const id = /backgrounded · ([0-9a-f]+)/.exec(String(stdout))?.[1];
			if (!id) break;
			const asked = await until(() => (server.lastReplyAt() !== before ? true : undefined), 20_000);
			const finished = asked && await until(async () => {
				const listed = String((await execa(claude, ['agents', '--json'], options)).stdout);
				const session = (JSON.parse(listed || '[]') as Array<{id?: string; state?: string}>).find(item => item.id === id);
				return session && session.state !== 'working' ? Date.now() : undefined;
			});
			await execa(claude, ['stop', id], options);
			if (!finished) break;
			bgDone.push(finished - started);
		}
	} finally {
		// Claude's daemon first, while its HOME (inside the world's dir) is still there; then ao's world; then whatever
		// of claude --bg is still left with that HOME.
		await execa(path.join(root, 'node_modules', '.bin', 'claude'), ['daemon', 'stop', '--any'], {env: {...process.env, ...env}, reject: false, stdin: 'ignore'});
		await world.cleanup();
		for (const pid of processesWithEnv(`HOME=${env.HOME}`)) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// Gone already.
			}
		}

		server.stop();
	}

	record(section, 'ao dispatch to working in its record (SessionStart hook)', 'ms', firstState);
	record(section, 'ao dispatch to ready in its record (Stop hook, turn over)', 'ms', ready);
	record(section, 'the model\'s last reply to ready in ao\'s record', 'ms', replyToReady);
	if (bgDone.length > 0) record(section, 'claude --bg to its session no longer working in claude agents --json', 'ms', bgDone);
	else process.stdout.write('  claude --bg: no figure; offline its background session only probed the server (HEAD /) and never started the turn\n');
}
