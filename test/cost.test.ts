import {appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {costOf, minutesLeft, priceFor} from '../src/core/cost/cost.js';
import type {Job} from '../src/core/jobs/job.js';
import {accumulate, accumulateCodex, claudeTranscriptPath, emptyCache, readClaudeUsage, tokensPerMinute, usageSince, type UsageCache} from '../src/core/cost/usage.js';
import {aoBin, dispatchJson, useSandbox, waitFor} from './helpers/ao.js';

const empty = (): UsageCache => emptyCache('x');
const at = (minute: number) => new Date(Date.parse('2026-11-26T10:00:00.000Z') + minute * 60_000).toISOString();
const assistant = (id: string, usage: Record<string, number>, minute = 0, model = 'claude-sonnet-4-5') => JSON.stringify({type: 'assistant', timestamp: at(minute), message: {id, model, usage}});
const prices = {'claude-sonnet': {input: 3, output: 15, cache_write: 3.75, cache_read: 0.3}, 'claude-sonnet-4-5-big': {input: 6, output: 30, cache_write: 7.5, cache_read: 0.6}};

test('usage sums message.usage of assistant entries, each message id once', t => {
	const cache = accumulate(empty(), [
		assistant('m1', {input_tokens: 10, output_tokens: 5}),
		assistant('m1', {input_tokens: 10, output_tokens: 5}),
		assistant('m2', {input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000}, 1),
		JSON.stringify({type: 'user', message: {id: 'u1', usage: {input_tokens: 999}}}),
		'not json',
	]);
	t.deepEqual(cache.byModel, {'claude-sonnet-4-5': {input: 11, output: 7, cacheWrite: 100, cacheRead: 1000}});
	t.deepEqual(cache.ids, ['m1', 'm2']);
	t.is(tokensPerMinute(cache, Date.parse(at(1)) + 1000, 5), 1118 / 5);
	// By minute within a day, by hour before that.
	t.deepEqual(usageSince(cache, Date.parse(at(1)), Date.parse(at(2))), {'claude-sonnet-4-5': {input: 1, output: 2, cacheWrite: 100, cacheRead: 1000}});
	t.is(usageSince(cache, Date.parse(at(-3 * 60)), Date.parse(at(2)) + 86_400_000)['claude-sonnet-4-5']!.input, 11);
});

test('prices: the longest listed prefix of the model wins; an unpriced model gives no estimate', t => {
	t.is(priceFor('claude-sonnet-4-5-big-2', prices)?.input, 6);
	t.is(priceFor('claude-sonnet-4', prices)?.input, 3);
	t.is(costOf({'claude-sonnet-4': {input: 1e6, output: 1e6, cacheWrite: 0, cacheRead: 1e6}}, prices), 3 + 15 + 0.3);
	t.is(costOf({'gpt-x': {input: 1, output: 0, cacheWrite: 0, cacheRead: 0}}, prices), undefined);
	t.is(minutesLeft(1000, 400, 10), 60);
	t.is(minutesLeft(1000, 1200, 10), 0);
	t.is(minutesLeft(0, 0, 10), undefined);
	t.is(minutesLeft(1000, 0, 0), Number.POSITIVE_INFINITY);
});

test('the transcript path is Claude Code\'s: projects/<cwd with non-alphanumerics as ->/<session>.jsonl', t => {
	t.is(claudeTranscriptPath({worktree: '/tmp/my repo.wt/fix', sessionId: 's-1'}, '/home/me'), '/home/me/.claude/projects/-tmp-my-repo-wt-fix/s-1.jsonl');
	t.is(claudeTranscriptPath({worktree: '/x', sessionId: 's', transcriptPath: '/t.jsonl'}), '/t.jsonl');
});

test('ao cost reads a job\'s transcript incrementally and shows tokens, an estimate, and "-" for agents without records', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const transcript = path.join(sandbox.dir, 'transcript.jsonl');
	writeFileSync(transcript, [assistant('m1', {input_tokens: 1000, output_tokens: 500}), assistant('m1', {input_tokens: 1000, output_tokens: 500})].join('\n') + '\n');
	const ao = `'${process.execPath}' '${aoBin}'`;
	const payload = JSON.stringify({transcript_path: transcript}).replaceAll("'", String.raw`'\''`);
	const job = await dispatchJson(sandbox, ['-n', 'spender', '--', 'sh', '-c', `echo '${payload}' | ${ao} report --hook Stop; sleep 60`]);
	const other = await dispatchJson(sandbox, ['-n', 'quiet', '--', 'sleep', '60']);
	const read = async () => sandbox.aoJson<{jobs: Array<{id: string; total?: number; costUsd?: number}>; total: {input: number}}>(['cost']);
	let report = await read();
	for (let i = 0; i < 50 && report.jobs.find(row => row.id === job.id)?.total === undefined; i++) {
		await new Promise(resolve => setTimeout(resolve, 100));
		report = await read();
	}

	const spender = report.jobs.find(row => row.id === job.id)!;
	t.is(spender.total, 1500);
	t.is(spender.costUsd, (1000 * 3 + 500 * 15) / 1e6);
	t.is(report.jobs.find(row => row.id === other.id)!.total, undefined);
	appendFileSync(transcript, assistant('m2', {input_tokens: 10, output_tokens: 0}) + '\n' + '{"type":"assistant","message":{"id":"m3"');
	report = await read();
	t.is(report.jobs.find(row => row.id === job.id)!.total, 1510);
	const cache = JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', job.id, 'usage.json'), 'utf8')) as UsageCache;
	t.is(cache.offset, readFileSync(transcript, 'utf8').lastIndexOf('\n') + 1);
	const table = (await sandbox.ao(['cost'])).stdout;
	t.regex(table, /spender +shell +\w[\w-]* +1\.5k +1k\/500\/0 +~\$0\.01/);
	t.regex(table, /quiet +shell +\w[\w-]* +- +- +- +-/);
	t.regex(table, /total 1\.5k tokens, ~\$0\.01 \(an estimate from the prices table\)/);
});

test('a 50 MB transcript is read once: the next read starts at the saved offset and reads only what was appended', async t => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-usage-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	const transcript = path.join(dir, 't.jsonl');
	const cacheFile = path.join(dir, 'usage.json');
	// Lines with multi-byte text, so the 8 MB read chunks end inside lines and inside characters.
	const padding = 'é日本'.repeat(40);
	const lines: string[] = [];
	let bytes = 0;
	for (let i = 0; bytes < 50 * 1024 * 1024; i++) {
		// Every message is written twice, as Claude Code streams it: counted once.
		const line = JSON.stringify({type: 'assistant', timestamp: at(0), message: {id: `m${Math.floor(i / 2)}`, model: 'claude-sonnet-4-5', usage: {input_tokens: 1, output_tokens: 2}, content: padding}});
		lines.push(line);
		bytes += Buffer.byteLength(line) + 1;
	}

	writeFileSync(transcript, lines.join('\n') + '\n');
	const job = {id: 'aaaaaaaa', worktree: dir, sessionId: 's', transcriptPath: transcript} as Job;
	const first = (await readClaudeUsage(job, cacheFile))!;
	const messages = Math.ceil(lines.length / 2);
	t.deepEqual(first.byModel['claude-sonnet-4-5'], {input: messages, output: 2 * messages, cacheWrite: 0, cacheRead: 0});
	t.is(first.offset, bytes);
	// Blank out the first megabyte in place: a reader that started over would lose those messages.
	const handle = await fs.open(transcript, 'r+');
	await handle.write(Buffer.alloc(1024 * 1024, 0x0A), 0, 1024 * 1024, 0);
	await handle.close();
	appendFileSync(transcript, assistant('new', {input_tokens: 100, output_tokens: 0}) + '\n');
	const second = (await readClaudeUsage(job, cacheFile))!;
	t.is(second.byModel['claude-sonnet-4-5']!.input, messages + 100);
	t.is(second.offset, statSync(transcript).size);
	t.true(statSync(cacheFile).size < 200_000, 'the cache keeps the last message ids, not all of them');
});

test('ao cost --since counts only what was spent since then (to the minute today, to the hour before)', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const transcript = path.join(sandbox.dir, 'transcript.jsonl');
	const line = (id: string, tokens: number, msAgo: number) => JSON.stringify({type: 'assistant', timestamp: new Date(Date.now() - msAgo).toISOString(), message: {id, model: 'claude-sonnet-4-5', usage: {output_tokens: tokens}}});
	writeFileSync(transcript, [line('old', 7000, 2 * 86_400_000), line('hour', 300, 90 * 60_000), line('new', 20, 60_000)].join('\n') + '\n');
	const ao = `'${process.execPath}' '${aoBin}'`;
	const payload = JSON.stringify({transcript_path: transcript}).replaceAll("'", String.raw`'\''`);
	const job = await dispatchJson(sandbox, ['-n', 'spender', '--', 'sh', '-c', `echo '${payload}' | ${ao} report --hook Stop; sleep 60`]);
	const total = async (since: string) => (await sandbox.aoJson<{jobs: Array<{id: string; total?: number}>}>(['cost', '--since', since])).jobs.find(row => row.id === job.id)?.total;
	await waitFor('the transcript to be found', async () => (await total('3d')) === 7320);
	t.is(await total('1h'), 20);
	t.is(await total('2h'), 320);
	t.regex((await sandbox.ao(['cost', '--since', '2h'])).stdout, /total 320 tokens since \d{4}-\d\d-\d\d \d\d:\d\d UTC, ~\$0\.00/);
	const bad = await sandbox.ao(['cost', '--since', 'banana']);
	t.is(bad.exitCode, 2);
	t.is(bad.stderr, 'ao: --since "banana" is not a duration or a date; try --since 2h, --since 1d or --since 2026-11-26');
});

const codexLine = (type: string, payload: unknown, minute = 0) => JSON.stringify({timestamp: at(minute), type, payload});
const tokenCount = (input: number, cached: number, output: number, minute = 0) => codexLine('event_msg', {type: 'token_count', info: {total_token_usage: {input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: 0, total_tokens: input + output}}}, minute);

test('Codex rollouts: running totals become what each token_count added, under the model of the turn', t => {
	const cache = accumulateCodex(emptyCache('x'), [
		codexLine('session_meta', {id: 's', cwd: '/w'}),
		codexLine('turn_context', {model: 'gpt-5-codex', cwd: '/w'}),
		codexLine('event_msg', {type: 'token_count', info: null}),
		tokenCount(1000, 200, 50),
		tokenCount(1000, 200, 50),
		tokenCount(3000, 1200, 80, 2),
		'not json',
	]);
	t.deepEqual(cache.byModel, {'gpt-5-codex': {input: 1800, output: 80, cacheWrite: 0, cacheRead: 1200}});
	t.is(tokensPerMinute(cache, Date.parse(at(2)) + 1000, 5), 3080 / 5);
	// A smaller total is a new session's count: it is added as it is.
	const again = accumulateCodex(cache, [tokenCount(100, 0, 10, 3)]);
	t.deepEqual(again.byModel['gpt-5-codex'], {input: 1900, output: 90, cacheWrite: 0, cacheRead: 1200});
});

test('ao cost reads a Codex agent\'s session rollout: found by its directory under $CODEX_HOME/sessions, read incrementally', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const codexHome = path.join(sandbox.dir, 'codex-home');
	await fs.writeFile(sandbox.configFile, (await fs.readFile(sandbox.configFile, 'utf8')).replace('agents:\n', `agents:\n  coder:\n    command: [sleep, "60"]\n    env: {CODEX_HOME: ${JSON.stringify(codexHome)}}\n    usage: codex\n`));
	const job = await dispatchJson(sandbox, ['-a', 'coder', '-n', 'coder', 'x']);
	const now = new Date();
	const dir = path.join(codexHome, 'sessions', String(now.getFullYear()), String(now.getMonth() + 1).padStart(2, '0'), String(now.getDate()).padStart(2, '0'));
	await fs.mkdir(dir, {recursive: true});
	const rollout = path.join(dir, 'rollout-2026-11-26T10-00-00-abc.jsonl');
	const stamp = (line: string) => line.replace(/"timestamp":"[^"]*"/, `"timestamp":"${new Date().toISOString()}"`);
	writeFileSync(path.join(dir, 'rollout-other.jsonl'), codexLine('session_meta', {id: 'o', cwd: '/somewhere/else'}) + '\n' + stamp(tokenCount(9999, 0, 9999)) + '\n');
	writeFileSync(rollout, [codexLine('session_meta', {id: 's', cwd: job.worktree}), codexLine('turn_context', {model: 'gpt-5-codex'}), stamp(tokenCount(1000, 400, 100))].join('\n') + '\n');
	const total = async () => (await sandbox.aoJson<{jobs: Array<{id: string; total?: number}>}>(['cost'])).jobs.find(row => row.id === job.id)?.total;
	t.is(await total(), 1100);
	appendFileSync(rollout, stamp(tokenCount(1500, 400, 300)) + '\n');
	t.is(await total(), 1800);
	const cache = JSON.parse(readFileSync(path.join(sandbox.home, 'jobs', job.id, 'usage.json'), 'utf8')) as UsageCache;
	t.is(cache.file, rollout);
	t.deepEqual(cache.totals, [1500, 400, 300]);
});
