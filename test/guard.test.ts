import {readFileSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {blockLifted, guardBlocked, reported} from '../src/core/transitions.js';
import {loadDefaults} from '../src/core/config.js';
import {checkToolCall, denyDecision, toolCallText} from '../src/core/guard.js';
import {aoBin, dispatchJson, useSandbox, waitFor, waitForState} from './helpers/ao.js';

const deny = loadDefaults().guard.deny;
const bash = (command: string) => ({tool_name: 'Bash', tool_input: {command}});

const blocked: Array<[string, string]> = [
	['psql -c "DELETE FROM users"', 'DELETE FROM users"'],
	['sqlite3 app.db \'DELETE FROM sessions;\'', 'DELETE FROM sessions;'],
	['mysql -e "DROP TABLE accounts"', 'DROP TABLE'],
	['psql -c "drop database prod"', 'drop database'],
	['echo "TRUNCATE orders" | psql', 'TRUNCATE o'],
	['rm -rf /', 'rm -rf /'],
	['sudo rm -fr / --no-preserve-root', 'rm -fr /'],
	['rm -rf ~', 'rm -rf ~'],
	['rm -rf ~/', 'rm -rf ~/'],
	['rm -r -f $HOME', 'rm -r -f $HOME'],
	['git push --force origin main', 'git push --force'],
	['git push -f', 'git push -f'],
	['git reset --hard origin/main', 'git reset --hard origin/main'],
];

const allowed = [
	'psql -c "DELETE FROM users WHERE id = 42"',
	'rm -rf build/ node_modules',
	'rm -rf /tmp/scratch',
	'git push origin ao/fix-login',
	'git reset --hard HEAD~1',
	'echo "drop tablespace is fine"',
	'ls -la',
];

for (const [command, matched] of blocked) {
	test(`the default guard blocks: ${command}`, t => {
		const verdict = checkToolCall(bash(command), deny);
		t.truthy(verdict, command);
		t.true(verdict!.matched.startsWith(matched.trim().slice(0, 6)), verdict!.matched);
	});
}

for (const command of allowed) {
	test(`the default guard lets through: ${command}`, t => {
		t.is(checkToolCall(bash(command), deny), undefined);
	});
}

test('an MCP tool call is checked as the JSON of its input (where SQL goes)', t => {
	const call = {tool_name: 'mcp__db__query', tool_input: {sql: 'DELETE FROM users'}};
	t.is(toolCallText(call), '{"sql":"DELETE FROM users"}');
	t.truthy(checkToolCall(call, deny));
	t.is(checkToolCall({tool_name: 'mcp__db__query', tool_input: {sql: 'DELETE FROM users WHERE id = 1'}}, deny), undefined);
	t.is(toolCallText({tool_name: 'Bash'}), '');
});

test('the deny decision is the JSON Claude Code documents for PreToolUse', t => {
	t.deepEqual(JSON.parse(denyDecision({matched: 'DROP TABLE', pattern: 'x'})), {
		hookSpecificOutput: {
			hookEventName: 'PreToolUse',
			permissionDecision: 'deny',
			permissionDecisionReason: 'Blocked by ao\'s guard: "DROP TABLE" matches a destructive pattern (guard.deny). Ask the user to run it themselves if it is really wanted.',
		},
	});
});

test('ao guard blocks a destructive call with the decision on stdout and moves the job to needs-input; allows the rest', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	// An agent that reports its own state, as Claude Code does through its hooks (the guard is one of them).
	const ao = `'${process.execPath}' '${aoBin}'`;
	const job = await dispatchJson(sandbox, ['-n', 'careful', '--', 'sh', '-c', `${ao} report working --reason busy; sleep 60`]);
	await waitForState(sandbox, job.id, 'working', /^busy$/);
	const env = {AO_JOB_ID: job.id};
	const payload = (command: string) => JSON.stringify({session_id: 's', hook_event_name: 'PreToolUse', cwd: job.worktree, ...bash(command)});
	const ok = await sandbox.ao(['guard'], {env, input: payload('npm test')});
	t.is(ok.exitCode, 0);
	t.is(ok.stdout, '');
	const refused = await sandbox.ao(['guard'], {env, input: payload('psql -c "DROP TABLE accounts"')});
	t.is(refused.exitCode, 0);
	t.is((JSON.parse(refused.stdout) as {hookSpecificOutput: {permissionDecision: string}}).hookSpecificOutput.permissionDecision, 'deny');
	const stuck = await waitForState(sandbox, job.id, 'needs-input', /^guard: /);
	t.is(stuck.reason, 'guard: blocked psql -c "DROP TABLE accounts" (matched DROP TABLE)');
	await sandbox.ao(['guard'], {env, input: payload('psql -c "DROP TABLE accounts"')});
	const events = readFileSync(path.join(sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {signal: string; reason: string});
	t.is(events.filter(event => event.signal === 'guard').length, 2);
	const broken = await sandbox.ao(['guard'], {env, input: 'not json'});
	t.is(broken.exitCode, 0);
	t.is(broken.stdout, '');
	t.regex(readFileSync(path.join(sandbox.home, 'supervisor.log'), 'utf8'), new RegExp(`${job.id} guard could not decide`));
});

test('a guard block stays on the job while the agent goes on reporting, until a reply or ao dismiss lifts it', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const ao = `'${process.execPath}' '${aoBin}'`;
	const job = await dispatchJson(sandbox, ['-n', 'blocked', '--', 'sh', '-c', `${ao} report working --reason busy; cat`]);
	await waitForState(sandbox, job.id, 'working', /^busy$/);
	const env = {AO_JOB_ID: job.id};
	const hook = (event: string, extra: Record<string, unknown> = {}) => sandbox.ao(['report', '--hook', event], {env, input: JSON.stringify({session_id: 's', hook_event_name: event, ...extra})});
	const command = 'sqlite3 shop.db "DELETE FROM users"';
	await sandbox.ao(['guard'], {env, input: JSON.stringify({session_id: 's', hook_event_name: 'PreToolUse', cwd: job.worktree, ...bash(command)})});
	const reason = 'guard: blocked sqlite3 shop.db "DELETE FROM users" (matched DELETE FROM users)';
	await waitForState(sandbox, job.id, 'needs-input', /^guard: blocked/);
	// Claude Code ends its turn a moment after the deny: Stop must not hide the block.
	await hook('Stop');
	await hook('Notification', {message: 'Claude is waiting for your input'});
	const held = (await sandbox.aoJson<Array<{id: string; state: string; reason: string}>>(['list'])).find(item => item.id === job.id)!;
	t.deepEqual([held.state, held.reason], ['needs-input', reason]);
	t.regex((await sandbox.ao(['list'])).stdout, /Needs input \(1\)\n.*blocked .*guard: blocked sqlite3/);
	const events = readFileSync(path.join(sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {to: string; reason: string; signal: string});
	t.true(events.some(event => event.signal === 'guard' && event.to === 'needs-input' && event.reason === reason));
	t.false(events.some(event => event.reason === 'finished its turn'), 'the reports were kept aside, not shown');
	await waitFor('the notification of the block', () => readFileSync(path.join(sandbox.home, 'supervisor.log'), 'utf8').includes(`${job.id} notified: needs-input (${reason})`));
	const dismissed = await sandbox.ao(['dismiss', 'blocked']);
	t.is(dismissed.exitCode, 0, dismissed.stderr);
	// What the agent said last while the block held.
	t.is(dismissed.stdout, `dismissed the guard's block on ${job.id} (blocked); it is needs-input: Claude is waiting for your input`);
	const again = await sandbox.ao(['dismiss', 'blocked']);
	t.is(again.exitCode, 1);
	t.regex(again.stderr, /^ao: job [0-9a-f]{8} \(blocked\) has no guard block to dismiss \(needs-input: Claude is waiting for your input\)$/);
	// A second block, lifted by a reply this time.
	await sandbox.ao(['guard'], {env, input: JSON.stringify({session_id: 's', hook_event_name: 'PreToolUse', cwd: job.worktree, ...bash(command)})});
	await waitForState(sandbox, job.id, 'needs-input', /^guard: blocked/);
	await hook('Stop');
	const replied = await sandbox.ao(['send', 'blocked', 'run it yourself, please']);
	t.is(replied.exitCode, 0, replied.stderr);
	t.regex(replied.stderr, /the guard's block is lifted by your reply/);
	await waitForState(sandbox, job.id, 'ready', /^finished its turn$/);
});

test('the transitions keep reports aside while a block holds, and a prompt the user typed lifts it', t => {
	const at = '2026-12-01T00:00:00.000Z';
	const base = {id: 'abcd1234', name: 'x', agent: 'claude', task: '', argv: [], state: 'working' as const, reason: 'busy', cwd: '/', worktree: '/', sessionId: '', pinned: false, createdAt: at, updatedAt: at, stateSince: at};
	const blocked = {...base, ...guardBlocked('guard: blocked rm -rf /', at)};
	t.deepEqual(reported(blocked, {state: 'ready', reason: 'finished its turn', userPrompt: false, at}), {reports: true, reportedAt: at, afterBlock: {state: 'ready', reason: 'finished its turn'}});
	t.deepEqual(reported(blocked, {state: 'working', reason: 'prompt submitted', userPrompt: true, at}), {reports: true, reportedAt: at, block: undefined, afterBlock: undefined, state: 'working', reason: 'prompt submitted', said: {state: 'working', reason: 'prompt submitted'}});
	t.deepEqual(blockLifted({...blocked, afterBlock: {state: 'ready', reason: 'finished its turn'}}, 'dismissed'), {block: undefined, afterBlock: undefined, state: 'ready', reason: 'finished its turn'});
	t.deepEqual(blockLifted(blocked, 'dismissed'), {block: undefined, afterBlock: undefined, state: 'ready', reason: 'dismissed'});
});
