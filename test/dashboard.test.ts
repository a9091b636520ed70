import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {aoBin, dispatchJson, useSandbox, waitFor, type JobJson} from './helpers/ao.js';
import {openDashboard} from './helpers/dashboard.js';

const selectedRow = (text: string) => text.split('\n').find(line => /^│>/.test(line)) ?? '';

test('the dashboard shows each group with its count, the selected row, and the selected agent\'s screen', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const alpha = await dispatchJson(sandbox, ['-n', 'alpha', 'x']);
	await dispatchJson(sandbox, ['-n', 'beta', 'x']);
	await dispatchJson(sandbox, ['-n', 'broken', '--', 'sh', '-c', 'echo boom; exit 3']);
	// Work the agent committed shows as such, not as "no changes".
	await fs.writeFile(path.join(alpha.worktree, 'fix.txt'), 'fixed\n');
	await execa('git', ['-C', alpha.worktree, 'add', 'fix.txt']);
	await execa('git', ['-C', alpha.worktree, '-c', 'user.name=agent', '-c', 'user.email=agent@example.com', 'commit', '-qm', 'fix the flaky test']);
	const dash = await openDashboard(t, sandbox);
	const text = await dash.waitForScreen('both questions, the failure and the peek', screen => screen.includes('Needs input (2)') && screen.includes('Failed (1)') && screen.includes('fixture agent started in'));
	t.regex(text, /ao dashboard · 3 jobs · 2 need input/);
	t.true(text.indexOf('Needs input (2)') < text.indexOf('Failed (1)'));
	t.regex(selectedRow(text), /^│> +alpha +fixture +\d+s asks: Proceed\? \[y\/N\]/);
	t.regex(text, /alpha \([0-9a-f]{8}\) · fixture · needs-input *│\n.*asks: Proceed\? \[y\/N\]/);
	t.regex(text, /repo\.worktrees\/alpha · ao\/alpha/);
	t.regex(await dash.waitForScreen('the commit in the details', screen => screen.includes('1 commit only on this branch')), /│ 1 commit only on this branch, last: [0-9a-f]{7,} fix the flaky test/);
	t.regex(text, /fixture agent started in .*repo\.worktrees/);
	await dash.keys('j');
	const moved = await dash.waitForScreen('beta selected with its screen', screen => /^│> +beta/m.test(screen) && /beta \([0-9a-f]{8}\) · fixture/.test(screen));
	t.regex(moved, /repo\.worktrees\/beta · ao\/beta/);
	await dash.keys('j');
	const failed = await dash.waitForScreen('the failed job selected', screen => /^│> +broken/m.test(screen));
	t.regex(failed, /broken \([0-9a-f]{8}\) · shell · failed *│\n.*exit 3/);
	await dash.keys('g');
	const folded = await dash.waitForScreen('Failed folded', screen => screen.includes('▸ Failed (1)'));
	t.notRegex(folded, /^│ +broken/m);
	await dash.keys('q');
	const after = await dash.waitForScreen('the dashboard to quit', screen => screen.includes('dashboard exited 0'));
	t.notRegex(after, /Needs input/);
});

test('r replies without attaching, p pins, and a delete with unsaved work is refused until "force"', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatchJson(sandbox, ['-n', 'talker', 'x']);
	await dispatchJson(sandbox, ['-n', 'other', 'x']);
	const dash = await openDashboard(t, sandbox);
	await dash.waitForScreen('talker selected', screen => /^│> +talker/m.test(screen));
	await dash.keys('r');
	await dash.waitForScreen('the reply prompt', screen => screen.includes('reply to talker'));
	await dash.type('hello from the dashboard');
	await dash.keys('Enter');
	await waitFor('the reply in the agent', async () => (await sandbox.ao(['peek', 'talker'])).stdout.includes('got: hello from the dashboard'));
	await dash.waitForScreen('the confirmation', screen => screen.includes('sent to talker'));
	await dash.keys('p');
	const pinned = await dash.waitForScreen('talker pinned', screen => screen.includes('Pinned (1)'));
	t.regex(pinned, /Pinned \(1\).*\n│>\* talker/);
	t.true((await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === job.id)!.pinned);
	await fs.writeFile(path.join(job.worktree, 'precious.txt'), 'work\n');
	await dash.keys('d');
	await dash.waitForScreen('the delete to be armed', screen => screen.includes('press d again to delete talker'));
	await dash.keys('d');
	const refused = await dash.waitForScreen('the refusal', screen => screen.includes('talker has unsaved work'));
	t.regex(refused, /\?\? precious\.txt/);
	await dash.keys('Escape');
	await dash.waitForScreen('kept', screen => screen.includes('kept talker'));
	t.truthy((await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === job.id));
	await dash.keys('d');
	await dash.keys('d');
	await dash.waitForScreen('the force prompt', screen => screen.includes('Type force'));
	await dash.type('force');
	await dash.keys('Enter');
	await dash.waitForScreen('deleted', screen => screen.includes(`deleted talker; its work is in refs/ao/archive/${job.id}`));
	t.is((await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === job.id), undefined);
	t.is(await sandbox.git(['show', `refs/ao/archive/${job.id}:precious.txt`]), 'work');
});

test('the dashboard stays readable at 80x24 and 40x15, and says when the server is not running', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const dash = await openDashboard(t, sandbox, {width: 80, height: 24});
	const empty = await dash.waitForScreen('the empty dashboard', screen => screen.includes('ao server not running'));
	t.regex(empty, /no jobs yet: press n to dispatch one/);
	t.regex(empty, /q quit|↑↓\/jk select/);
	await sandbox.ao(['dispatch', '-n', 'small', 'x']);
	await dash.waitForScreen('the job at 80x24', screen => /^│> +small/m.test(screen) && screen.includes('Proceed?'));
	await dash.tmux(['resize-window', '-t', 'dash', '-x', '40', '-y', '15']);
	const tiny = await dash.waitForScreen('the job at 40x15', screen => screen.split('\n')[0]!.startsWith(' ao dashboard') && /^│> +small/m.test(screen) && screen.includes('Needs input (1)'));
	t.true(tiny.split('\n').every(line => [...line].length <= 40));
});

/** Answers the dashboard's new-task form (n): the task, the default agent, the name. */
async function fillNewTask(dash: Awaited<ReturnType<typeof openDashboard>>, task: string, name: string): Promise<void> {
	await dash.keys('n');
	await dash.waitForScreen('the task prompt', screen => screen.includes('new task'));
	await dash.type(task);
	await dash.keys('Enter');
	await dash.waitForScreen('the agent prompt', screen => screen.includes(' agent '));
	await dash.keys('Enter');
	await dash.waitForScreen('the name prompt', screen => screen.includes('name (empty'));
	await dash.type(name);
	await dash.keys('Enter');
}

test('n dispatches a new task from the dashboard', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const dash = await openDashboard(t, sandbox);
	await dash.waitForScreen('the dashboard', screen => screen.includes('ao dashboard'));
	await fillNewTask(dash, 'count the tests', 'counter');
	await dash.waitForScreen('the new job', screen => screen.includes('dispatched counter') && /^│> +counter/m.test(screen));
	const [job] = await sandbox.aoJson<JobJson[]>(['list']);
	t.is(job!.name, 'counter');
	t.is(job!.task, 'count the tests');
	t.is(job!.agent, 'fixture');
});

test('a name already taken, typed in the dashboard, is refused in the dashboard\'s words (no flag names)', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await dispatchJson(sandbox, ['--name', 'taken', 'x']);
	const dash = await openDashboard(t, sandbox, {width: 160, height: 30});
	await dash.waitForScreen('the dashboard', screen => /^│> +taken/m.test(screen));
	await fillNewTask(dash, 'again', 'taken');
	const refused = await dash.waitForScreen('the refusal', screen => screen.includes('is taken by job'));
	t.regex(refused, /the name "taken" is taken by job [0-9a-f]{8}; pick another name, or remove that job/);
	t.notRegex(refused, /--name/);
});

test('Enter attaches to the selected agent in the same terminal, and the detach key comes back to the dashboard', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await dispatchJson(sandbox, ['-n', 'visited', 'x']);
	const dash = await openDashboard(t, sandbox, {width: 120, height: 36}, {NO_COLOR: ''});
	await dash.waitForScreen('the job selected', screen => /^│> +visited/m.test(screen) && screen.includes('Proceed?'));
	await dash.keys('Enter');
	const attached = await dash.waitForScreen('the agent full screen', screen => screen.includes('C-q leaves this agent') && !screen.includes('ao dashboard'));
	t.regex(attached, /ao +visited \([0-9a-f]{8}\)/);
	t.regex(await sandbox.tmux(['list-clients', '-F', '#{session_name}']), /^ao-view-/);
	await dash.keys('C-q');
	await dash.waitForScreen('the dashboard again', screen => screen.includes('back from visited') && /^│> +visited/m.test(screen));
	await waitFor('the viewing client to leave', async () => (await sandbox.tmux(['list-clients'])).trim() === '');
	t.pass();
});

test('s stops, R respawns, l shows the log, / filters, ? shows the help, S starts a stopped server', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const job = await dispatchJson(sandbox, ['-n', 'cycler', 'x']);
	await dispatchJson(sandbox, ['-n', 'bystander', 'x']);
	const dash = await openDashboard(t, sandbox);
	await dash.waitForScreen('cycler selected', screen => /^│> +cycler/m.test(screen) && screen.includes('Proceed?'));
	await dash.keys('s');
	await dash.waitForScreen('stopped', screen => screen.includes('Stopped (1)') && screen.includes('stopped cycler'));
	t.is((await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === job.id)!.state, 'stopped');
	await dash.keys('R');
	await dash.waitForScreen('respawned', screen => screen.includes('respawned cycler') && !screen.includes('Stopped (1)'));
	await waitFor('the agent to run again', async () => ['working', 'needs-input'].includes((await sandbox.aoJson<JobJson[]>(['list'])).find(item => item.id === job.id)!.state));
	await dash.keys('l');
	const log = await dash.waitForScreen('the log view', screen => screen.includes('log of cycler'));
	t.regex(log, /fixture agent started in/);
	await dash.keys('q');
	await dash.waitForScreen('back from the log', screen => /^│> +cycler/m.test(screen));
	// In one write, as when typed ahead over a slow link: the prompt must keep the keys that came with the '/'.
	await dash.keys('/', 'bystand', 'Enter');
	const filtered = await dash.waitForScreen('the filter applied', screen => screen.includes('filter: bystand'));
	t.regex(filtered, /^│> +bystander/m);
	t.notRegex(filtered, /^│ +cycler/m);
	await dash.keys('?');
	await dash.waitForScreen('the help', screen => screen.includes('d then d') && screen.includes('fold or unfold'));
	await dash.keys('x');
	await dash.waitForScreen('the help closed', screen => !screen.includes('fold or unfold'));
	await sandbox.tmux(['kill-server']);
	await dash.waitForScreen('the server down', screen => screen.includes('ao server not running'));
	await dash.keys('S');
	await dash.waitForScreen('the server started', screen => screen.includes('started the ao server') && !screen.includes('not running'));
	t.regex(await sandbox.tmux(['list-sessions', '-F', '#{session_name}']), /^ao$/m);
});

test('with token records, the dashboard shows a token column and a header line with the burn rate and the quota window', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.appendFile(sandbox.configFile, 'budget:\n  window_tokens: 1000000\n');
	const transcript = path.join(sandbox.dir, 'transcript.jsonl');
	const message = JSON.stringify({type: 'assistant', timestamp: new Date().toISOString(), message: {id: 'm1', model: 'claude-sonnet-4-5', usage: {input_tokens: 2000, output_tokens: 10_500}}});
	await fs.writeFile(transcript, message + '\n');
	const payload = JSON.stringify({transcript_path: transcript}).replaceAll("'", String.raw`'\''`);
	await dispatchJson(sandbox, ['-n', 'spender', '--', 'sh', '-c', `echo '${payload}' | '${process.execPath}' '${aoBin}' report --hook SessionStart; sleep 60`]);
	await dispatchJson(sandbox, ['-n', 'quiet', 'x']);
	const dash = await openDashboard(t, sandbox);
	const text = await dash.waitForScreen('the usage line and the fixture\'s question', screen => screen.includes('quota window') && /quiet +fixture +\d+s +- asks: Proceed/.test(screen));
	t.regex(text, /^ ao dashboard · 2 jobs .*\n burning 2\.5k tokens\/min · quota window 12\.5k used, runs out in 6\.6 h, resets in (5|4\.9) h/);
	t.regex(text, /spender +shell +\d+s +12\.5k /);
	t.regex(text, /quiet +fixture +\d+s +- asks: Proceed/);
});

test('D shows the selected job\'s diff, M merges it after asking, and its row moves to Completed with how it landed', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	await fs.appendFile(sandbox.configFile, 'review:\n  forecast_s: 1\n');
	const job = await dispatchJson(sandbox, ['--name', 'lander', '--', 'sleep', '600']);
	await fs.writeFile(path.join(job.worktree, 'landed.txt'), 'landed line\n');
	await execa('git', ['-C', job.worktree, 'add', 'landed.txt']);
	await execa('git', ['-C', job.worktree, '-c', 'user.name=agent', '-c', 'user.email=agent@example.com', 'commit', '-qm', 'add landed.txt']);
	const dash = await openDashboard(t, sandbox);
	await dash.waitForScreen('lander selected', screen => /^│> +lander/m.test(screen));
	await dash.keys('D');
	const diff = await dash.waitForScreen('the diff', screen => screen.includes('diff of lander (') && screen.includes('+landed line'));
	t.regex(diff, /lander \(ao\/lander\) against main: 1 commit/);
	t.regex(diff, /\+landed line/);
	await dash.keys('q');
	await dash.waitForScreen('the diff closed', screen => !screen.includes('diff of lander'));
	await dash.keys('M');
	await dash.waitForScreen('the merge question', screen => screen.includes('merge lander into main?'));
	await dash.keys('Enter');
	const merged = await dash.waitForScreen('merged, and the row in Completed', screen => /lander: merged into main as [0-9a-f]{7}/.test(screen) && screen.includes('Completed (1)'));
	t.regex(merged, /lander +shell .*merged into main as [0-9a-f]{7}/);
	t.is(await fs.readFile(path.join(sandbox.repo, 'landed.txt'), 'utf8'), 'landed line\n');
});
