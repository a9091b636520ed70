import {existsSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {useSandbox, waitFor, type JobJson} from './helpers/ao.js';

test('the demo agent edits a file, asks, commits on y, takes a new task, and exits on exit', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const result = await sandbox.ao(['dispatch', '--agent', 'demo', '--json', 'add a changelog']);
	t.is(result.exitCode, 0, result.stderr);
	const job = JSON.parse(result.stdout) as JobJson;
	const screen = async () => (await sandbox.ao(['peek', job.id])).stdout;
	await waitFor('the question', async () => (await screen()).includes('Apply this change? [y/N]'));
	t.regex(await screen(), /demo agent working on: add a changelog/);
	t.true(existsSync(path.join(job.worktree, 'AGENT_NOTES.md')));
	await sandbox.ao(['send', job.id, 'y']);
	await waitFor('the commit', async () => (await screen()).includes('applied'));
	t.regex(await sandbox.git(['log', '--format=%s', '-1', job.branch!]), /^demo agent: add a changelog$/);
	t.is((await sandbox.git(['status', '--porcelain'], job.worktree)).trim(), '');
	await waitFor('the next prompt', async () => (await screen()).trimEnd().endsWith('>'));
	await sandbox.ao(['send', job.id, 'second task']);
	await waitFor('the second question', async () => (await screen()).includes('working on: second task'));
	await waitFor('the question again', async () => (await screen()).trimEnd().endsWith('Apply this change? [y/N]'));
	await sandbox.ao(['send', job.id, 'n']);
	await waitFor('the change discarded', async () => (await screen()).includes('discarded'));
	t.is((await sandbox.git(['status', '--porcelain'], job.worktree)).trim(), '');
	await sandbox.ao(['send', job.id, 'exit']);
	const done = await waitFor('the agent to complete', async () => {
		const found = (await sandbox.aoJson<JobJson[]>(['list', '--all'])).find(item => item.id === job.id);
		return found?.state === 'completed' && found;
	});
	t.is(done.exitCode, 0);
});
