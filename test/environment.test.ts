import {execFileSync, spawn} from 'node:child_process';
import {existsSync, readFileSync, statSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {agentEnvironment, serializeEnv, terminalVariables} from '../src/core/processes/agent-env.js';
import {dispatchJson, useSandbox, waitFor, waitForState, type AoSandbox} from './helpers/ao.js';

/** Reads what the agent wrote with `env -0 > FILE` (NUL-separated, so values with newlines stay whole). */
async function agentEnv(file: string): Promise<Record<string, string>> {
	const text = await waitFor(`the agent to write ${path.basename(file)}`, async () => {
		const content = await fs.readFile(file, 'utf8').catch(() => '');
		return content.endsWith('\0') ? content : false;
	});
	return Object.fromEntries(text.split('\0').filter(Boolean).map(entry => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** A shell agent that writes its environment to FILE (again at each start) and then waits. */
function envAgent(file: string): string[] {
	return ['--', 'sh', '-c', 'env -0 > "$1.part" && mv "$1.part" "$1"; exec sleep 300', 'sh', file];
}

const secret = 'sk-test-0123456789-secret-value';

async function stateDirText(sandbox: AoSandbox): Promise<string> {
	const files = await fs.readdir(sandbox.home, {recursive: true});
	const texts = await Promise.all(files.map(async file => {
		const full = path.join(sandbox.home, file);
		return statSync(full).isFile() && path.basename(full) !== 'env' && !full.endsWith('output.log') ? `${file}: ${await fs.readFile(full, 'utf8')}` : '';
	}));
	return texts.join('\n');
}

test('the agent runs with the dispatching shell\'s environment, less the terminal\'s, then the preset\'s and ao\'s', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const out = path.join(sandbox.dir, 'agent-env');
	const job = await dispatchJson(sandbox, ['-n', 'envy', ...envAgent(out)], {env: {
		AWS_PROFILE: 'staging', ANTHROPIC_API_KEY: secret, MULTI_LINE: 'one\ntwo \'quoted\' $(not run)',
		TMUX: '/tmp/tmux-0/users-own,1,0', TMUX_PANE: '%9', WINDOWID: '123', SSH_TTY: '/dev/pts/9', TERM_SESSION_ID: 'w0t0p0',
		AO_JOB_ID: 'deadbeef', FIXTURE_MARK: 'from-shell',
	}});
	const env = await agentEnv(out);
	t.is(env.AWS_PROFILE, 'staging');
	t.is(env.ANTHROPIC_API_KEY, secret);
	t.is(env.MULTI_LINE, 'one\ntwo \'quoted\' $(not run)');
	t.is(env.AO_JOB_ID, job.id, 'ao\'s own variables come last');
	t.is(env.AO_HOME, sandbox.home);
	// The ao server's tmux sets these for its pane, never the user's tmux.
	t.not(env.TMUX, '/tmp/tmux-0/users-own,1,0');
	t.regex(env.TMUX ?? '', new RegExp(sandbox.socket));
	t.not(env.TMUX_PANE, '%9');
	t.false('WINDOWID' in env);
	t.false('SSH_TTY' in env);
	t.false('TERM_SESSION_ID' in env);
	t.not(env.TERM, undefined);
	const file = path.join(sandbox.home, 'jobs', job.id, 'env');
	t.is(statSync(file).mode & 0o777, 0o600);
	t.is(statSync(path.join(sandbox.home, 'jobs', job.id, 'output.log')).mode & 0o777, 0o600);
	// Nothing of it is shown or written anywhere else.
	const listed = await sandbox.ao(['list', '--json', '--all']);
	t.false(listed.stdout.includes(secret));
	t.false(listed.stdout.includes('staging'));
	await waitForState(sandbox, job.id, 'working');
	t.false((await stateDirText(sandbox)).includes(secret), 'no state file, event or log holds a secret of the environment');
	const doctor = await sandbox.ao(['doctor']);
	t.regex(doctor.stdout, /ok +private +state dir 0700; 1 agent environment file\(s\)/);
});

test('the shell\'s value wins over the server\'s; --env-from server gives the server\'s environment instead', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	// The first dispatch starts the server: its environment then has SERVER_ONLY, the later shell does not.
	await dispatchJson(sandbox, ['-n', 'starter', '--', 'sleep', '300'], {env: {SERVER_ONLY: 'from-server-start'}});
	const fromShell = path.join(sandbox.dir, 'shell-env');
	const fromServer = path.join(sandbox.dir, 'server-env');
	await dispatchJson(sandbox, ['-n', 'shell', ...envAgent(fromShell)], {env: {SHELL_ONLY: 'exported here', SERVER_ONLY: ''}});
	const result = await sandbox.ao(['dispatch', '--json', '--env-from', 'server', '-n', 'server', ...envAgent(fromServer)], {env: {SHELL_ONLY: 'exported here', SERVER_ONLY: ''}});
	t.is(result.exitCode, 0, result.stderr);
	const shell = await agentEnv(fromShell);
	const server = await agentEnv(fromServer);
	t.is(shell.SHELL_ONLY, 'exported here');
	t.is(shell.SERVER_ONLY, '', 'the shell\'s value, not the server\'s');
	t.false('SHELL_ONLY' in server);
	t.is(server.SERVER_ONLY, 'from-server-start');
	t.is(server.PATH, shell.PATH, 'both get the dispatching shell\'s PATH');
	t.truthy(server.AO_JOB_ID);
	const bad = await sandbox.ao(['dispatch', '--env-from', 'login', 'x']);
	t.is(bad.exitCode, 2);
	t.is(bad.stderr, 'ao: --env-from must be shell or server; got "login"');
});

test('the fixture preset\'s env is applied over the shell\'s', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatchJson(sandbox, ['hello'], {env: {FIXTURE_MARK: 'from-shell'}});
	const record = await waitFor('the fixture to record its environment', () => {
		const file = path.join(sandbox.home, `fixture-${job.id}.json`);
		return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')) as {env: Record<string, string>};
	});
	t.is(record.env.FIXTURE_MARK, 'from-preset');
});

test('respawn starts the agent with the environment it was dispatched with, not the respawning shell\'s', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const out = path.join(sandbox.dir, 'agent-env');
	const job = await dispatchJson(sandbox, ['-n', 'again', ...envAgent(out)], {env: {PROJECT_VAR: 'at dispatch'}});
	t.is((await agentEnv(out)).PROJECT_VAR, 'at dispatch');
	t.is((await sandbox.ao(['stop', job.id])).exitCode, 0);
	await waitForState(sandbox, job.id, 'stopped');
	await fs.rm(out);
	const respawned = await sandbox.ao(['respawn', job.id], {env: {PROJECT_VAR: 'at respawn', OTHER: 'respawn shell'}});
	t.is(respawned.exitCode, 0, respawned.stderr);
	const env = await agentEnv(out);
	t.is(env.PROJECT_VAR, 'at dispatch');
	t.false('OTHER' in env);
});

test('agents reach the SSH agent of the newest login through a link ao keeps, after the login that dispatched them is gone', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const agents: number[] = [];
	t.teardown(() => {
		for (const pid of agents) {
			try {
				process.kill(pid);
			} catch {}
		}
	});
	// Two real ssh-agents, standing for two SSH logins with agent forwarding; the first goes away.
	const startAgent = async (name: string) => {
		const socket = path.join(sandbox.dir, name);
		const child = spawn('ssh-agent', ['-D', '-a', socket], {stdio: 'ignore'});
		agents.push(child.pid!);
		await waitFor(`ssh-agent at ${name}`, () => existsSync(socket));
		return {socket, child};
	};

	const first = await startAgent('agent-1');
	const key = path.join(sandbox.dir, 'key');
	execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'second-login-key', '-f', key]);
	const out = path.join(sandbox.dir, 'ssh-add');
	const job = await dispatchJson(sandbox, ['-n', 'pusher', '--', 'sh', '-c', 'while :; do ssh-add -l > "$1.part" 2>&1; mv "$1.part" "$1"; sleep 0.2; done', 'sh', out], {env: {SSH_AUTH_SOCK: first.socket}});
	const link = path.join(sandbox.home, 'ssh-agent.sock');
	await waitFor('the agent to reach the first ssh-agent', async () => /no identities/i.test(await fs.readFile(out, 'utf8').catch(() => '')));
	first.child.kill();
	await waitFor('the first ssh-agent to be gone', async () => /connect|error|Could not/i.test(await fs.readFile(out, 'utf8').catch(() => '')));
	const second = await startAgent('agent-2');
	execFileSync('ssh-add', [key], {env: {...process.env, SSH_AUTH_SOCK: second.socket}, stdio: 'ignore'});
	// Any ao command from the new login re-points the link.
	t.is((await sandbox.ao(['list'], {env: {SSH_AUTH_SOCK: second.socket}})).exitCode, 0);
	t.is(await fs.readlink(link), second.socket);
	await waitFor('the agent to reach the second login\'s ssh-agent', async () => (await fs.readFile(out, 'utf8').catch(() => '')).includes('second-login-key'));
	t.pass(job.id);
});

test('agentEnvironment drops what belongs to the terminal and names a shell cannot export; serializeEnv quotes any value', async t => {
	const env = agentEnvironment({
		from: 'shell', caller: {PATH: '/bin', TMUX: 'x', TERM: 'xterm', PWD: '/here', 'BASH_FUNC_f%%': '() { :; }', EUID: '0', KEEP: 'yes', SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1'},
		preset: {KEEP: 'preset'}, ao: {AO_JOB_ID: 'abcd1234'}, sshAuthSock: '/state/ssh-agent.sock',
	});
	t.deepEqual(env, {PATH: '/bin', KEEP: 'preset', SSH_AUTH_SOCK: '/state/ssh-agent.sock', AO_JOB_ID: 'abcd1234'});
	for (const name of ['TMUX', 'TMUX_PANE', 'TERM_SESSION_ID', 'WINDOWID', 'SSH_TTY']) t.true(terminalVariables.includes(name), name);
	const noAgent = agentEnvironment({from: 'shell', caller: {SSH_AUTH_SOCK: '/gone'}, preset: undefined, ao: {}});
	t.deepEqual(noAgent, {});
	const server = agentEnvironment({from: 'server', caller: {PATH: '/bin', SECRET: 'x'}, preset: {A: '1'}, ao: {AO_HOME: '/h'}});
	t.deepEqual(server, {PATH: '/bin', A: '1', AO_HOME: '/h'});
	const text = serializeEnv({A: 'it\'s', B: 'line\nnext $(x) `y`'});
	t.is(text, 'export A=\'it\'\\\'\'s\'\nexport B=\'line\nnext $(x) `y`\'\n');
	const file = path.join(os.tmpdir(), `ao-env-${process.pid}`);
	await fs.writeFile(file, text);
	t.teardown(() => fs.rm(file, {force: true}));
	const echoed = execFileSync('sh', ['-c', '. "$0"; printf "%s|%s" "$A" "$B"', file], {encoding: 'utf8'});
	t.is(echoed, 'it\'s|line\nnext $(x) `y`');
});
