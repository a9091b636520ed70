import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {descendants, processTable} from '../src/core/processes/processes.js';
import {fixtureAgent, dispatchJson, editConfig, useSandbox, waitFor, waitForState, type AoSandbox, type JobJson} from './helpers/ao.js';

interface JobWithUsage extends JobJson {
	tokens?: number;
	runaway?: string;
	paused?: {why: string; how: string};
}

/** Adds presets whose agent spends tokens into Claude Code's transcript (the fixture's "spend N"), and config sections. */
async function configure(sandbox: AoSandbox, sections: string): Promise<void> {
	const home = path.join(sandbox.dir, 'home');
	const preset = (name: string, extra: string) => [
		`  ${name}:`,
		`    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixtureAgent)}, "{task}"]`,
		`    env: {HOME: ${JSON.stringify(home)}}`,
		'    usage: claude',
		...(extra ? [`    ${extra}`] : []),
	].join('\n');
	const text = await fs.readFile(sandbox.configFile, 'utf8');
	await fs.writeFile(sandbox.configFile, text.replace('agents:\n', `agents:\n${preset('spender', '')}\n${preset('keyed', 'pause_keys: [paused-by-ao, Enter]')}\n`) + sections);
}

/** The state letter (T: stopped) of the agent, the child of the pane's process (tmux/agent.sh). */
function processState(panePid: number): string {
	const table = processTable();
	const [, agent] = descendants(panePid, table);
	return table.get(agent!)!.state;
}

async function listed(sandbox: AoSandbox, id: string): Promise<JobWithUsage> {
	return (await sandbox.aoJson<JobWithUsage[]>(['list', '--all'])).find(job => job.id === id)!;
}

async function events(sandbox: AoSandbox, id: string): Promise<Array<{to: string; reason: string; signal: string}>> {
	const text = await fs.readFile(path.join(sandbox.home, 'jobs', id, 'events.jsonl'), 'utf8');
	return text.trim().split('\n').map(line => JSON.parse(line) as {to: string; reason: string; signal: string});
}

const logOf = async (sandbox: AoSandbox, name: string) => (await sandbox.ao(['logs', name])).stdout;

test('over its budget an agent is stopped (SIGSTOP) in needs-input; ao resume and a reply each let it go on', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, 'budget:\n  per_job_tokens: 1000\n');
	const job = await dispatchJson(sandbox, ['-a', 'spender', '-n', 'spender', 'x']);
	await waitForState(sandbox, job.id, 'needs-input');
	await sandbox.ao(['send', 'spender', 'spend 600']);
	await waitFor('the tokens in ao list', async () => (await listed(sandbox, job.id)).tokens === 600);
	t.regex((await sandbox.ao(['list'])).stdout, /spender +spender +needs-input +\d+s +600 /);
	t.regex((await sandbox.ao(['status', '--tmux'])).stdout, /^ao 1\? 120\/min$/m);
	await sandbox.ao(['send', 'spender', 'spend 600']);
	const paused = await waitForState(sandbox, job.id, 'needs-input', /^budget: spent 1\.2k of 1k tokens; ao resume spender grants as many again$/);
	t.is(processState(paused.pid!), 'T');
	t.true((await events(sandbox, job.id)).some(event => event.signal === 'budget' && event.reason.startsWith('budget:')));

	const resumed = await sandbox.ao(['resume', 'spender']);
	t.is(resumed.exitCode, 0, resumed.stderr);
	t.is(resumed.stdout.trim(), `resumed ${job.id} (spender); it may spend 1k more tokens before the next pause`);
	t.not(processState(paused.pid!), 'T');
	await sandbox.ao(['send', 'spender', 'spend 600']);
	await waitFor('the agent to get the third message', async () => (await logOf(sandbox, 'spender')).split('got: spend 600').length === 4);
	await waitFor('the third 600 tokens counted', async () => (await listed(sandbox, job.id)).tokens === 1800);
	t.is((await listed(sandbox, job.id)).paused, undefined, 'within the new allowance: not paused');
	await sandbox.ao(['send', 'spender', 'spend 500']);
	await waitForState(sandbox, job.id, 'needs-input', /^budget: spent 1\.1k of 1k/);
	const reply = await sandbox.ao(['send', 'spender', 'on we go']);
	t.regex(reply.stderr, /spender was paused; it goes on with your reply/);
	await waitFor('the reply to reach the agent', async () => (await logOf(sandbox, 'spender')).includes('got: on we go'));
	t.not(processState(paused.pid!), 'T');
	t.is((await sandbox.ao(['resume', 'spender'])).exitCode, 1, 'not paused any more: nothing to resume');
});

test('--budget on dispatch; an agent with pause_keys is interrupted by keys, and ao resume tells it to continue', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, '');
	t.is((await sandbox.ao(['dispatch', '-a', 'keyed', '--budget', 'lots', 'x'])).exitCode, 2);
	const job = await dispatchJson(sandbox, ['-a', 'keyed', '-n', 'keyed', '--budget', '1k', 'x']);
	await waitForState(sandbox, job.id, 'needs-input');
	await sandbox.ao(['send', 'keyed', 'spend 2000']);
	const paused = await waitForState(sandbox, job.id, 'needs-input', /^budget: spent 2k of 1k/);
	await waitFor('the pause keys to reach the agent', async () => (await logOf(sandbox, 'keyed')).includes('got: paused-by-ao'));
	t.not(processState(paused.pid!), 'T', 'keys, not SIGSTOP');
	const resumed = await sandbox.ao(['resume', 'keyed']);
	t.is(resumed.exitCode, 0, resumed.stderr);
	await waitFor('"continue" to reach the agent', async () => (await logOf(sandbox, 'keyed')).includes('got: continue'));
	t.is((await listed(sandbox, job.id)).paused, undefined);
});

test('a spent quota window keeps queued jobs waiting (reason quota) and dispatch warns how fast agents burn it', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, 'budget:\n  window_tokens: 1000\n  window_hours: 5\n');
	const first = await dispatchJson(sandbox, ['-a', 'spender', '-n', 'first', 'x']);
	await waitForState(sandbox, first.id, 'needs-input');
	await sandbox.ao(['send', 'first', 'spend 1500']);
	await waitFor('the status line to say the quota is spent', async () => /quota spent/.test((await sandbox.ao(['status', '--tmux'])).stdout));
	t.regex((await sandbox.ao(['list'])).stdout, /burning 300 tokens\/min · quota window 1\.5k used, spent, resets in (5|4\.9) h \(queued jobs wait\) · ao cost/);
	const second = await sandbox.ao(['dispatch', '-a', 'spender', '-n', 'second', 'x']);
	t.is(second.exitCode, 0, second.stderr);
	t.regex(second.stderr, /^ao: warning: 2 agents running: quota burns ~2x as fast as one; the 5 h window is spent \(ao cost\)$/m);
	t.regex(second.stdout, /^queued [0-9a-f]{8} \(second\) · #1 in the queue: quota: the 5 h window's 1k tokens are spent; it resets in (5|4\.9) h \(budget\.window_tokens\)/);
	const cost = (await sandbox.ao(['cost'])).stdout;
	t.regex(cost, /1\.5k of 1k tokens of the 5 h window used, resets in (5|4\.9) h; the window is spent \(before it resets: queued jobs wait\)/);
	// A bigger window: the supervisor sees the config change and starts the job.
	await editConfig(sandbox, text => text.replace('window_tokens: 1000', 'window_tokens: 1000000000'));
	const id = /queued ([0-9a-f]{8})/.exec(second.stdout)![1]!;
	await waitFor('the second job to start', async () => ['working', 'needs-input'].includes((await listed(sandbox, id)).state));
});

test('the watchdog flags tokens spent without a worktree change, clears the flag when files change, and can pause', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, 'watchdog:\n  runaway_tokens: 1000\n  runaway_minutes: 0\n  loop_reads: 0\n  cpu_busy_s: 0\n  check_s: 0.3\n');
	const job = await dispatchJson(sandbox, ['-a', 'spender', '-n', 'loopy', 'x']);
	await waitForState(sandbox, job.id, 'needs-input');
	await sandbox.ao(['send', 'loopy', 'spend 1500']);
	const flagged = await waitFor('the runaway flag', async () => {
		const now = await listed(sandbox, job.id);
		return now.runaway ? now : undefined;
	});
	t.is(flagged.runaway, 'runaway: spent over 1k tokens without changing its worktree');
	t.regex((await sandbox.ao(['list'])).stdout, /loopy +spender +needs-input runaway +\d+s +1\.5k +(\d+(\.\d)?% +[\d.]+[KMG] +)?ao\/loopy +runaway: spent over 1k tokens without changing its worktree/);
	t.true((await events(sandbox, job.id)).some(event => event.signal === 'watchdog' && event.reason === flagged.runaway));
	await fs.writeFile(path.join(job.worktree, 'progress.txt'), 'real work\n');
	await waitFor('the flag to clear once the worktree changed', async () => (await listed(sandbox, job.id)).runaway === undefined);

	await editConfig(sandbox, text => text.replace('check_s: 0.3', 'check_s: 0.3\n  pause_runaway: true'));
	await sandbox.ao(['send', 'loopy', 'spend 1500']);
	const paused = await waitForState(sandbox, job.id, 'needs-input', /^runaway: spent over 1k tokens without changing its worktree$/);
	t.is(processState(paused.pid!), 'T');
	t.is((await listed(sandbox, job.id)).paused?.why, 'runaway');
	t.is((await sandbox.ao(['resume', 'loopy'])).exitCode, 0);
	t.not(processState(paused.pid!), 'T');
});

test('the watchdog flags a tight loop: the same screen printed over and over, and a CPU busy with no output', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await configure(sandbox, 'watchdog:\n  runaway_tokens: 0\n  runaway_minutes: 0\n  loop_reads: 5\n  cpu_busy_s: 2\n  check_s: 0.5\n');
	const repeater = await dispatchJson(sandbox, ['-n', 'repeater', 'x']);
	const spinner = await dispatchJson(sandbox, ['-n', 'spinner', 'x']);
	await waitForState(sandbox, repeater.id, 'needs-input');
	await waitForState(sandbox, spinner.id, 'needs-input');
	await sandbox.ao(['send', 'repeater', 'repeat']);
	await sandbox.ao(['send', 'spinner', 'spin']);
	const looping = await waitFor('the loop flag', async () => (await listed(sandbox, repeater.id)).runaway);
	t.regex(looping, /^runaway: printing the same screen over and over \(5 reads in a row\)$/);
	const busy = await waitFor('the busy-CPU flag', async () => (await listed(sandbox, spinner.id)).runaway);
	t.regex(busy, /^runaway: busy on the CPU for over 2 s without output$/);
	t.regex((await sandbox.ao(['list'])).stdout, /spinner +fixture +\S+ runaway/);
	await sandbox.ao(['stop', 'spinner']);
});
