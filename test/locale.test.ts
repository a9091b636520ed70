import path from 'node:path';
import test from 'ava';
import {runningStates, useSandbox, waitFor, type JobJson} from './helpers/ao.js';

// A login on a server often sets no locale at all, or LANG=C; TERM may be unset (ssh host 'cmd') or dumb. tmux then
// thinks its client cannot take UTF-8 and replaces tabs and non-ASCII bytes in what it prints: ao used to misread
// every list-panes row and fail with "create window failed: index 0 in use".
const bare = {PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root'};
const logins: Array<[string, Record<string, string>]> = [
	['env -i (no locale, no TERM)', bare],
	['LANG=C', {...bare, LANG: 'C', TERM: 'xterm'}],
	['LC_ALL=POSIX', {...bare, LC_ALL: 'POSIX', TERM: 'xterm-256color'}],
	['TERM=dumb', {...bare, TERM: 'dumb'}],
];

for (const [login, env] of logins) {
	test(`dispatch, list and peek work in a login with ${login}`, async t => {
		const sandbox = useSandbox(t);
		await sandbox.initRepo();
		const gitEnv = {GIT_AUTHOR_NAME: 'ao test', GIT_AUTHOR_EMAIL: 'test@ao.invalid', GIT_COMMITTER_NAME: 'ao test', GIT_COMMITTER_EMAIL: 'test@ao.invalid'};
		// The server is started by this login too: nothing in it comes from the test runner.
		const first = await sandbox.aoBare(['dispatch', '-n', 'first', '--', 'sh', '-c', 'echo "ready ✓"; sleep 60'], {...env, ...gitEnv});
		t.is(first.exitCode, 0, first.stderr);
		t.regex(first.stdout, /^dispatched [0-9a-f]{8} \(first\)/);
		t.is(first.stderr, '');
		const second = await sandbox.aoBare(['dispatch', '-n', 'second', '--', 'sleep', '60'], {...env, ...gitEnv});
		t.is(second.exitCode, 0, second.stderr);
		const list = await sandbox.aoBare(['list', '--json'], env);
		t.is(list.exitCode, 0, list.stderr);
		const jobs = JSON.parse(list.stdout) as JobJson[];
		t.deepEqual(jobs.map(job => job.name).sort(), ['first', 'second']);
		t.true(jobs.every(job => runningStates.includes(job.state)), JSON.stringify(jobs.map(job => [job.name, job.state, job.reason])));
		const windows = await sandbox.tmux(['list-windows', '-t', 'ao', '-F', '#{window_name}']);
		t.deepEqual(windows.split('\n').filter(Boolean), ['supervisor', 'first', 'second']);
		const unicode = await sandbox.aoBare(['dispatch', '--no-worktree', 'résumé — 修正 ✓'], {...env, ...gitEnv});
		t.is(unicode.exitCode, 0, unicode.stderr);
		const table = await sandbox.aoBare(['ls'], env);
		t.regex(table.stdout, /first +shell +working/);
		await waitFor('the first agent\'s output', async () => (await sandbox.aoBare(['peek', 'first'], env)).stdout.includes('ready ✓'));
		t.is(path.basename(jobs.find(job => job.name === 'second')!.worktree), 'second');
	});
}
