import {mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {findTarget, peek, send} from './jobs/control.js';
import {dispatch} from './jobs/dispatch.js';
import {initRepo} from './git/git.js';
import type {Job} from './jobs/job.js';
import {socketName, StatePaths} from './paths.js';
import {Tmux} from './tmux/tmux.js';

const project = {
	'README.md': '# signup-service\n\nA tiny project for the ao demo.\n',
	'src/signup.js': 'export function signup(email) {\n\treturn {email, createdAt: new Date()};\n}\n',
	'test/signup.test.js': 'import {signup} from "../src/signup.js";\nconsole.log(signup("a@b.c"));\n',
};

// Short tasks, so the names ao derives from them read well: validate-signup-input, fix-flaky-date-test, ...
const tasks = ['validate signup input', 'fix flaky date test', 'write changelog for 1.2'];

async function waitForScreen(paths: StatePaths, tmux: Tmux, id: string, text: string): Promise<void> {
	for (let i = 0; i < 150; i++) {
		const screen = await peek(tmux, await findTarget(paths, tmux, id)).catch(() => '');
		if (screen.includes(text)) return;
		await sleep(100);
	}
}

/**
 * Makes a scratch repository and starts three demo agents in it, then plays the user a little: one change is
 * approved, one agent is told to finish, one is left waiting at its question.
 */
export async function runDemo(paths = new StatePaths(), env: NodeJS.ProcessEnv = process.env): Promise<{repo: string; jobs: Job[]}> {
	const repo = path.join(await mkdtemp(path.join(os.tmpdir(), 'ao-demo-')), 'signup-service');
	await initRepo(repo, project);
	const tmux = new Tmux(socketName(env));
	const jobs: Job[] = [];
	for (const task of tasks) jobs.push((await dispatch({task, agent: 'demo', cwd: repo, env}, paths)).job);

	const [approved, finished] = jobs;
	await waitForScreen(paths, tmux, approved!.id, 'Apply this change?');
	await send(tmux, await findTarget(paths, tmux, approved!.id), 'y', true);
	await waitForScreen(paths, tmux, finished!.id, 'Apply this change?');
	await send(tmux, await findTarget(paths, tmux, finished!.id), 'y', true);
	await waitForScreen(paths, tmux, finished!.id, 'applied');
	await send(tmux, await findTarget(paths, tmux, finished!.id), 'exit', true);
	await waitForScreen(paths, tmux, approved!.id, 'Type a new task');
	await sleep(1500);
	return {repo, jobs};
}
