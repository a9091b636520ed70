import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {loadDefaults} from '../src/core/config/config.js';
import type {Job} from '../src/core/jobs/job.js';
import type {PaneInfo} from '../src/core/tmux/tmux.js';
import {Watchdog} from '../src/core/safety/watchdog.js';

const limit = 'runaway: spent over 1k tokens without changing its worktree';

test('tokens spent after a file was saved while the agent waited count against the worktree as it is now', async t => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-test-watchdog-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	execFileSync('git', ['init', '-q', dir]);
	const config = loadDefaults();
	config.watchdog = {...config.watchdog, runaway_tokens: 1000, runaway_minutes: 0, loop_reads: 0, cpu_busy_s: 0, check_s: 0};
	const job = {id: 'a1b2c3d4', state: 'needs-input', worktree: dir} as Job;
	const panes = new Map([[job.id, {dead: false, activity: 0, panePid: process.pid} as PaneInfo]]);
	const watchdog = new Watchdog();
	let now = 1000;
	const look = async (tokens: number, runaway?: string) => (await watchdog.check([{...job, runaway}], panes, new Map([[job.id, tokens]]), config, now++)).get(job.id);

	t.is(await look(0), undefined);
	t.is(await look(1500), limit);
	// The agent saves a file; a look catches it half-written (empty), then it waits.
	writeFileSync(path.join(dir, 'progress.txt'), '');
	t.is(await look(1500, limit), undefined, 'the worktree changed: the flag clears');
	writeFileSync(path.join(dir, 'progress.txt'), 'real work\n');
	t.is(await look(1500), undefined);
	// Then it spends again, without touching the worktree.
	t.is(await look(3000), limit);
});
