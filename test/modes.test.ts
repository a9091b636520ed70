import {randomBytes} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {aoBin, fixtureAgent, killTmuxServer, useSandbox, waitFor, type AoSandbox} from './helpers/ao.js';

/** A preset that runs the fixture agent as a program, so mode arguments land in its argv where we can read them. */
async function modalPreset(sandbox: AoSandbox): Promise<void> {
	const config = await fs.readFile(sandbox.configFile, 'utf8');
	await fs.writeFile(sandbox.configFile, config.replace('agents:\n', `agents:\n  modal:\n    command: [${JSON.stringify(fixtureAgent)}, "{task}"]\n    modes: {default: [], plan: [--plan-flag], bypass: [--yolo-flag]}\n`));
}

async function argvOf(sandbox: AoSandbox, stdout: string): Promise<string[]> {
	const id = /dispatched ([0-9a-f]{8})/.exec(stdout)![1]!;
	const file = path.join(sandbox.home, `fixture-${id}.json`);
	return waitFor('the agent to start', () => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as {argv: string[]}).argv);
}

test('--mode puts the preset\'s arguments right after the program; a mode it does not list is refused', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await modalPreset(sandbox);
	const plan = await sandbox.ao(['dispatch', '--agent', 'modal', '--mode', 'plan', '-n', 'planner', 'think first']);
	t.is(plan.exitCode, 0, plan.stderr);
	t.deepEqual(await argvOf(sandbox, plan.stdout), ['--plan-flag', 'think first']);
	const missing = await sandbox.ao(['dispatch', '--agent', 'modal', '--mode', 'acceptEdits', 'x']);
	t.is(missing.exitCode, 2);
	t.is(missing.stderr, 'ao: agent modal has no "acceptEdits" mode (it has: default, plan, bypass); add it under agents.modal.modes');
	const bogus = await sandbox.ao(['dispatch', '--agent', 'modal', '--mode', 'yolo', 'x']);
	t.is(bogus.stderr, 'ao: --mode must be one of default, plan, acceptEdits, auto, bypass; got "yolo"');
});

test('--mode bypass is refused until accepted once in a terminal with ao trust DIR --mode bypass', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await modalPreset(sandbox);
	const refused = await sandbox.ao(['dispatch', '--agent', 'modal', '--mode', 'bypass', 'x']);
	t.is(refused.exitCode, 2);
	t.is(refused.stderr, `ao: --mode bypass lets the agent act without asking; accept it once for ${sandbox.repo} by running "ao trust ${sandbox.repo} --mode bypass" in a terminal`);
	const scripted = await sandbox.ao(['trust', '--mode', 'bypass']);
	t.is(scripted.exitCode, 2);
	t.regex(scripted.stderr, /needs a yes typed in a terminal/);
	// The user types y at the prompt, in a terminal (a tmux pane).
	const socket = `ao-trust-${randomBytes(4).toString('hex')}`;
	t.teardown(() => killTmuxServer(socket));
	const envArgs = Object.entries(sandbox.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	await execa('tmux', ['-u', '-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '20', '-c', sandbox.repo, ...envArgs, '--', 'sh', '-c', `${process.execPath} ${aoBin} trust --mode bypass; sleep 30`]);
	const screen = async () => String((await execa('tmux', ['-u', '-L', socket, 'capture-pane', '-p'], {reject: false})).stdout);
	await waitFor('the question', async () => (await screen()).includes('Accept that for this directory? [y/N]'));
	await execa('tmux', ['-u', '-L', socket, 'send-keys', 'y', 'Enter']);
	await waitFor('the acceptance', async () => (await screen()).includes(`accepted --mode bypass for ${sandbox.repo}`));
	const allowed = await sandbox.ao(['dispatch', '--agent', 'modal', '--mode', 'bypass', '-n', 'trusted', 'x']);
	t.is(allowed.exitCode, 0, allowed.stderr);
	t.deepEqual(await argvOf(sandbox, allowed.stdout), ['--yolo-flag', 'x']);
});
