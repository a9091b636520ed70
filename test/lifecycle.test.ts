import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {aoBin, runningStates, useSandbox, waitFor, type JobJson} from './helpers/ao.js';

function shellQuote(value: string): string {
	return `'${value.replaceAll("'", String.raw`'\''`)}'`;
}

test('an agent survives the hangup of the terminal session that dispatched it (and started the server)', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const marker = path.join(sandbox.dir, 'dispatched');
	const shellPid = path.join(sandbox.dir, 'shell.pid');
	const env = Object.entries(sandbox.env).map(([key, value]) => `${key}=${shellQuote(value)}`).join(' ');
	const command = `echo $$ > ${shellQuote(shellPid)}; cd ${shellQuote(sandbox.repo)} && env ${env} ${shellQuote(process.execPath)} ${shellQuote(aoBin)} dispatch -n survivor x > ${shellQuote(marker)} 2>&1; sleep 60`;
	// A terminal: `script` holds the pseudo-terminal and runs a shell in its own session on it, as sshd would.
	const terminal = execa('setsid', ['script', '-qc', command, '/dev/null'], {reject: false, stdin: 'ignore'});
	await waitFor('the dispatch inside the terminal', async () => (await fs.readFile(marker, 'utf8').catch(() => '')).includes('dispatched'));
	const [job] = await sandbox.aoJson<JobJson[]>(['list']);
	t.true(runningStates.includes(job!.state));
	// Close the terminal: the kernel hangs up the session on it, as when a laptop lid closes on an SSH connection.
	process.kill(terminal.pid!, 'SIGKILL');
	await terminal;
	const shell = Number(await fs.readFile(shellPid, 'utf8'));
	await waitFor('the terminal\'s shell to be hung up', () => {
		try {
			process.kill(shell, 0);
			return false;
		} catch {
			return true;
		}
	});
	const [after] = await sandbox.aoJson<JobJson[]>(['list']);
	t.true(runningStates.includes(after!.state));
	t.notThrows(() => process.kill(after!.pid!, 0));
	t.is((await sandbox.ao(['send', 'survivor', 'still here'])).exitCode, 0);
	await waitFor('the agent to answer', async () => (await sandbox.ao(['peek', 'survivor'])).stdout.includes('got: still here'));
	t.regex(await sandbox.tmux(['list-panes', '-a', '-F', '#{window_index} #{pane_dead}']), /^0 0$/m);
});

test('a dead supervisor is restarted by the next ao command even without the tmux hook, and only one runs', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await sandbox.ao(['dispatch', '-n', 'watched', 'x']);
	const pidFile = path.join(sandbox.home, 'supervisor.pid');
	const first = Number.parseInt(await waitFor('the supervisor pid file', () => fs.readFile(pidFile, 'utf8').catch(() => '')), 10);
	// Without the pane-died hook, and with its restart loop killed too, the window stays dead until an ao command.
	await sandbox.tmux(['set-hook', '-gu', 'pane-died']);
	const loop = Number((await sandbox.tmux(['display-message', '-p', '-t', 'ao:0', '#{pane_pid}'])).trim());
	process.kill(-loop, 'SIGKILL');
	await waitFor('window 0 to show the supervisor dead', async () => (await sandbox.tmux(['list-panes', '-t', 'ao:0', '-F', '#{pane_dead}'])).trim() === '1');
	t.is((await sandbox.ao(['list'])).exitCode, 0);
	const second = await waitFor('a new supervisor', async () => {
		const pid = Number.parseInt(await fs.readFile(pidFile, 'utf8').catch(() => ''), 10);
		return pid > 0 && pid !== first && pid;
	});
	t.notThrows(() => process.kill(second, 0));
	// The new supervisor works: an exit is seen.
	await sandbox.ao(['send', 'watched', 'exit 4']);
	await waitFor('the exit to be recorded', async () => {
		const state = JSON.parse(await fs.readFile(path.join(sandbox.home, 'jobs', (await sandbox.aoJson<JobJson[]>(['list']))[0]!.id, 'state.json'), 'utf8')) as JobJson;
		if (state.state === 'failed' && state.reason === 'exit 4') return true;
		throw new Error(`${state.state} (${state.reason}); the screen: ${JSON.stringify((await sandbox.ao(['peek', 'watched', '-n', '4'])).stdout)}`);
	});
	const duplicate = await sandbox.ao(['supervise']);
	t.is(duplicate.exitCode, 0);
	t.regex(duplicate.stderr, new RegExp(`^ao: another supervisor \\(pid ${second}\\) already runs for .*; this one exits`));
	t.is(Number.parseInt(await fs.readFile(pidFile, 'utf8'), 10), second);
});

test('when the tmux server is gone, running jobs show as failed (lost) and the next dispatch starts a new server', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await sandbox.ao(['dispatch', '-n', 'doomed', 'x']);
	await sandbox.tmux(['kill-server']);
	const listed = await sandbox.ao(['list']);
	t.regex(listed.stdout, /^Failed \(1\)\n.*doomed .*failed .*lost/m);
	t.regex(listed.stdout, /the ao tmux server is not running/);
	const peek = await sandbox.ao(['peek', 'doomed']);
	t.is(peek.exitCode, 1);
	t.regex(peek.stderr, /has no window \(failed: lost\); its output is in: ao logs/);
	t.is((await sandbox.ao(['dispatch', '-n', 'fresh', 'x'])).exitCode, 0);
	const jobs = await sandbox.aoJson<JobJson[]>(['list']);
	t.deepEqual(jobs.map(job => [job.name, runningStates.includes(job.state) ? 'running' : job.state]).sort(), [['doomed', 'failed'], ['fresh', 'running']]);
});
