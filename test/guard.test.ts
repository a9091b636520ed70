import {readFileSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {loadDefaults} from '../src/core/config.js';
import {checkToolCall, denyDecision, toolCallText} from '../src/core/guard.js';
import {aoBin, dispatchJson, useSandbox, waitForState} from './helpers/ao.js';

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
	t.is(stuck.reason, 'guard: DROP TABLE');
	await sandbox.ao(['guard'], {env, input: payload('psql -c "DROP TABLE accounts"')});
	const events = readFileSync(path.join(sandbox.home, 'jobs', job.id, 'events.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {signal: string; reason: string});
	t.is(events.filter(event => event.signal === 'guard').length, 2);
	const broken = await sandbox.ao(['guard'], {env, input: 'not json'});
	t.is(broken.exitCode, 0);
	t.is(broken.stdout, '');
	t.regex(readFileSync(path.join(sandbox.home, 'supervisor.log'), 'utf8'), new RegExp(`${job.id} guard could not decide`));
});
