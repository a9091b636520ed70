import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {dispatchJson, useSandbox, waitFor, type JobJson} from '../helpers/ao.js';
import {withLock} from '../../src/core/processes/lock.js';

interface Event {
	to: string;
	signal: string;
}

test('ao pin, unpin and rename racing the supervisor\'s state updates on the same jobs, 200 times: no update is lost', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	// Agents whose state flips between working and needs-input all the time, so the supervisor keeps writing.
	// (The question must leave the last three lines, where questions count, before the next one.)
	const flapping = 'while :; do echo busy; echo busy; echo busy; echo busy; sleep 0.35; printf "Proceed? [y/N] "; sleep 0.45; echo; done';
	const jobs = await Promise.all(['a', 'b', 'c', 'd'].map(async name => dispatchJson(sandbox, ['-n', `race-${name}`, '--', 'sh', '-c', flapping])));
	await waitFor('the supervisor to flip the states', async () => {
		const text = await fs.readFile(path.join(sandbox.home, 'jobs', jobs[0]!.id, 'events.jsonl'), 'utf8');
		return text.split('\n').filter(line => line.includes('"signal":"screen"')).length >= 2;
	});
	const lost: string[] = [];
	await Promise.all(jobs.map(async job => {
		let name = job.name;
		for (let step = 0; step < 50; step++) {
			if (step % 5 === 4) {
				name = `${job.name}-r${step}`;
				await sandbox.ao(['rename', job.id, name]);
			} else {
				await sandbox.ao([step % 2 === 0 ? 'pin' : 'unpin', job.id]);
			}

			const record = JSON.parse(await fs.readFile(path.join(sandbox.home, 'jobs', job.id, 'state.json'), 'utf8')) as JobJson;
			const pinned = step % 5 === 4 ? undefined : step % 2 === 0;
			if (record.name !== name || (pinned !== undefined && record.pinned !== pinned)) lost.push(`${job.id} step ${step}: name ${record.name}, pinned ${record.pinned}`);
		}
	}));
	t.deepEqual(lost, []);
	for (const job of jobs) {
		// Record and events read under the job's lock, as one: the agents still flap, and the supervisor still writes.
		const jobDir = path.join(sandbox.home, 'jobs', job.id);
		const [record, events] = await withLock(path.join(jobDir, 'lock'), async () => [
			JSON.parse(await fs.readFile(path.join(jobDir, 'state.json'), 'utf8')) as JobJson,
			(await fs.readFile(path.join(jobDir, 'events.jsonl'), 'utf8')).trim().split('\n').map(line => JSON.parse(line) as Event),
		] as const);
		// The supervisor's last word is in the record: none of its writes was overwritten by a pin or a rename.
		t.is(record.state, events.at(-1)!.to);
		t.true(events.filter(event => event.signal === 'screen').length >= 2, 'the supervisor kept writing during the race');
		t.is(record.name, `${job.name}-r49`);
		t.is((await sandbox.tmux(['display-message', '-p', '-t', record.windowId!, '#{window_name}'])).trim(), record.name);
	}
});
