import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {loadDefaults} from '../src/core/config/config.js';
import {blockLifted, guardAsked, guardBlocked, reported} from '../src/core/jobs/transitions.js';
import {builtinRules} from '../src/core/guard/rules.js';
import {aoBin, dispatchJson, root, useSandbox, waitFor, waitForState} from './helpers/ao.js';

/** Claude Code's and Codex's answer, or Gemini CLI's. */
interface Answer {
	hookSpecificOutput?: {permissionDecision: string; permissionDecisionReason: string};
	decision?: string;
	reason?: string;
}

const bash = (command: string) => ({tool_name: 'Bash', tool_input: {command}});
const payload = (command: string, cwd: string) => JSON.stringify({session_id: 's', hook_event_name: 'PreToolUse', cwd, ...bash(command)});


test('every built-in rule is in the default config with its action, and in docs/guard.md with what it catches', t => {
	const defaults = loadDefaults().guard.rules;
	const docs = readFileSync(path.join(root, 'docs', 'guard.md'), 'utf8');
	for (const rule of builtinRules) {
		t.is(defaults[rule.name], rule.action, rule.name);
		t.true(docs.includes(`| \`${rule.name}\` | ${rule.action} | ${rule.about.replaceAll('|', '\\|')} |`), `docs/guard.md: ${rule.name}`);
	}

	t.deepEqual(Object.keys(defaults).sort(), builtinRules.map(rule => rule.name).sort());
});

test('a question is the job\'s state until the agent says more; the agent\'s own prompt for it keeps the guard\'s reason', t => {
	const at = '2026-12-01T00:00:00.000Z';
	const base = {id: 'abcd1234', name: 'x', agent: 'claude', task: '', argv: [], state: 'working' as const, reason: 'busy', cwd: '/', worktree: '/', sessionId: '', pinned: false, createdAt: at, updatedAt: at, stateSince: at};
	const asked = {...base, ...guardAsked('guard: asks before psql -c "DELETE FROM t WHERE id > 0" (broad)')};
	t.is(asked.state, 'needs-input');
	t.is(asked.block, undefined, 'not a block: the user answers in the agent');
	t.deepEqual(reported(asked, {state: 'needs-input', reason: 'permission: Bash(psql ...)', userPrompt: false, at}), {reports: true, reportedAt: at});
	t.like(reported(asked, {state: 'working', reason: 'running Bash', userPrompt: false, at}), {state: 'working', reason: 'running Bash'});
});

test('ao guard answers in each agent\'s protocol: deny and ask for Claude Code, deny for Codex (it has no ask), decision for Gemini CLI', async t => {
	const sandbox = useSandbox(t);
	const cwd = await sandbox.initRepo();
	const answer = async (command: string, agent?: string) => {
		const result = await sandbox.ao(['guard', ...(agent ? ['--agent', agent] : [])], {input: payload(command, cwd)});
		t.is(result.exitCode, 0, result.stderr);
		return result.stdout ? JSON.parse(result.stdout) as Answer : undefined;
	};

	const claude = await answer('git push origin +main');
	t.is(claude?.hookSpecificOutput?.permissionDecision, 'deny');
	t.regex(claude?.hookSpecificOutput?.permissionDecisionReason ?? '', /^Blocked by ao's guard \(rule git-force-push: force push\)\./);
	t.is((await answer('psql -c "DELETE FROM t WHERE id > 0"'))?.hookSpecificOutput?.permissionDecision, 'ask');
	t.is((await answer('psql -c "DELETE FROM t WHERE id > 0"', 'codex'))?.hookSpecificOutput?.permissionDecision, 'deny');
	t.deepEqual(Object.keys((await answer('kubectl delete ns prod', 'gemini'))!), ['decision', 'reason']);
	t.is((await answer('kubectl delete ns prod', 'gemini'))?.decision, 'deny');
	t.is((await answer('psql -c "UPDATE t SET a = 1 WHERE a IS NOT NULL"', 'gemini'))?.decision, 'ask');
	t.is(await answer('grep -rn "DROP TABLE" docs/'), undefined, 'a grep for SQL destroys nothing');
	t.is(await answer('npm test'), undefined);
	const mcp = await sandbox.ao(['guard'], {input: JSON.stringify({tool_name: 'mcp__postgres__query', tool_input: {sql: 'TRUNCATE orders'}, cwd})});
	t.is((JSON.parse(mcp.stdout) as Answer).hookSpecificOutput?.permissionDecision, 'deny');
	const wrong = await sandbox.ao(['guard', '--agent', 'aider']);
	t.is(wrong.exitCode, 2);
	t.is(wrong.stderr, 'ao: ao guard --agent takes claude, codex, gemini; got "aider"');
});

test('ao guard --explain shows how a command is taken apart and judged; --rules lists every rule', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const explained = await sandbox.ao(['guard', '--explain', 'cd /tmp && sudo bash -lc "rm -rf ~" ; echo "DROP TABLE x" | psql']);
	t.is(explained.exitCode, 0, explained.stderr);
	t.is(explained.stdout, [
		'runs 3 commands:',
		'  1. rm -rf ~',
		'     via sudo > bash -lc; in /tmp',
		'     deny: rm-protected (recursive rm of the home folder)',
		'  2. echo DROP TABLE x',
		'     in /tmp',
		'  3. psql',
		'     in /tmp; stdin: "DROP TABLE x"',
		'     deny: sql-drop (DROP TABLE)',
		'SQL: DROP TABLE x: sql-drop (DROP TABLE)',
		'verdict: deny (rm-protected: recursive rm of the home folder)',
	].join('\n'));
	const plain = await sandbox.ao(['guard', '--explain', 'ls -la']);
	t.is(plain.stdout, 'no rule is about any word of this command: not parsed, allowed\nverdict: allow');
	const json = await sandbox.aoJson<{action: string; decisive: {rule: string}}>(['guard', '--explain', 'terraform destroy -auto-approve']);
	t.like(json, {action: 'deny', decisive: {rule: 'terraform-destroy'}});
	const rules = await sandbox.ao(['guard', '--rules']);
	t.regex(rules.stdout, /^sql-delete-without-where +deny +DELETE without a WHERE$/m);
	t.regex(rules.stdout, /^shell-unjudgeable +ask +/m);
	const empty = await sandbox.ao(['guard', '--explain', ' ']);
	t.is(empty.exitCode, 2);
	t.regex(empty.stderr, /^ao: ao guard --explain takes the command to judge/);
});

test('guard.rules turns a rule off or to ask, adds one of the user\'s own; a typo is one line naming the rule; a repo\'s untrusted .ao.yaml cannot weaken it', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const verdict = async (command: string, cwd?: string) => (await sandbox.aoJson<{action: string; decisive: {rule: string; what: string} | null}>(['guard', '--explain', command, ...(cwd ? ['--cwd', cwd] : [])]));
	writeFileSync(sandbox.configFile, [
		'guard:',
		'  rules:',
		'    git-force-push: off',
		'    terraform-destroy: ask',
		'    no-prod: {program: [psql, pg_dump], args: "prod\\\\.internal", action: deny, why: production database}',
		'',
	].join('\n'));
	t.is((await verdict('git push -f')).action, 'allow');
	t.is((await verdict('terraform destroy')).action, 'ask');
	t.like((await verdict('psql -h db.prod.internal -c "SELECT 1"')).decisive, {rule: 'no-prod', what: 'production database'});
	t.is((await verdict('psql -h db.staging.internal -c "SELECT 1"')).action, 'allow');
	writeFileSync(sandbox.configFile, 'guard:\n  rules:\n    git-force-psuh: off\n');
	const typo = await sandbox.ao(['guard', '--explain', 'ls']);
	t.is(typo.exitCode, 2);
	t.regex(typo.stderr, /guard\.rules\.git-force-psuh is not a built-in rule \(did you mean "git-force-push"\?\)/);
	t.is(typo.stderr.split('\n').filter(Boolean).length, 1);
	writeFileSync(sandbox.configFile, '');
	const repo = sandbox.repo;
	writeFileSync(path.join(repo, '.ao.yaml'), 'guard:\n  rules:\n    sql-drop: off\n');
	t.is((await verdict('psql -c "DROP TABLE users"', repo)).action, 'deny', 'an agent could write .ao.yaml in its worktree');
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
	t.is(stuck.reason, 'guard: denied psql -c "DROP TABLE accounts" (DROP TABLE)');
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
	const reason = 'guard: denied sqlite3 shop.db "DELETE FROM users" (DELETE without WHERE)';
	await waitForState(sandbox, job.id, 'needs-input', /^guard: denied/);
	// Claude Code ends its turn a moment after the deny: Stop must not hide the block.
	await hook('Stop');
	await hook('Notification', {message: 'Claude is waiting for your input'});
	const held = (await sandbox.aoJson<Array<{id: string; state: string; reason: string}>>(['list'])).find(item => item.id === job.id)!;
	t.deepEqual([held.state, held.reason], ['needs-input', reason]);
	t.regex((await sandbox.ao(['list'])).stdout, /Needs input \(1\)\n.*blocked .*guard: denied sqlite3/);
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
	await waitForState(sandbox, job.id, 'needs-input', /^guard: denied/);
	await hook('Stop');
	const replied = await sandbox.ao(['send', 'blocked', 'run it yourself, please']);
	t.is(replied.exitCode, 0, replied.stderr);
	t.regex(replied.stderr, /the guard's block is lifted by your reply/);
	await waitForState(sandbox, job.id, 'ready', /^finished its turn$/);
});

test('the transitions keep reports aside while a block holds, and a prompt the user typed lifts it', t => {
	const at = '2026-12-01T00:00:00.000Z';
	const base = {id: 'abcd1234', name: 'x', agent: 'claude', task: '', argv: [], state: 'working' as const, reason: 'busy', cwd: '/', worktree: '/', sessionId: '', pinned: false, createdAt: at, updatedAt: at, stateSince: at};
	const blocked = {...base, ...guardBlocked('guard: denied rm -rf / (recursive rm of the root)', at)};
	t.deepEqual(reported(blocked, {state: 'ready', reason: 'finished its turn', userPrompt: false, at}), {reports: true, reportedAt: at, afterBlock: {state: 'ready', reason: 'finished its turn'}});
	t.deepEqual(reported(blocked, {state: 'working', reason: 'prompt submitted', userPrompt: true, at}), {reports: true, reportedAt: at, block: undefined, afterBlock: undefined, state: 'working', reason: 'prompt submitted', said: {state: 'working', reason: 'prompt submitted'}});
	t.deepEqual(blockLifted({...blocked, afterBlock: {state: 'ready', reason: 'finished its turn'}}, 'dismissed'), {block: undefined, afterBlock: undefined, state: 'ready', reason: 'finished its turn'});
	t.deepEqual(blockLifted(blocked, 'dismissed'), {block: undefined, afterBlock: undefined, state: 'ready', reason: 'dismissed'});
});
