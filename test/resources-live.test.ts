import test from 'ava';
import {dispatchJson, useSandbox, waitFor, type JobJson} from './helpers/ao.js';

interface Measured extends JobJson {
	resources?: {cpuPercent: number; rssBytes: number; processes: number; openFiles?: number; inotifyWatches?: number};
}

test('the supervisor measures each live agent\'s process tree: list --json has CPU, memory and processes, the table shows them', async t => {
	const sandbox = useSandbox(t);
	await sandbox.initRepo();
	const busy = await dispatchJson(sandbox, ['-n', 'busy', '--', 'sh', '-c', 'while :; do :; done']);
	const idle = await dispatchJson(sandbox, ['-n', 'idle', '--', 'sh', '-c', 'sleep 300 & sleep 300 & wait']);
	const jobs = await waitFor('measurements of both agents, the busy one busy', async () => {
		const listed = await sandbox.aoJson<Measured[]>(['list']);
		const byName = new Map(listed.map(job => [job.name, job]));
		return (byName.get('busy')?.resources?.cpuPercent ?? 0) > 20 && byName.get('idle')?.resources ? byName : false;
	});
	const idleUsage = jobs.get('idle')!.resources!;
	// agent.sh, the sh of the task, and its two sleeps.
	t.is(idleUsage.processes, 4);
	t.true(idleUsage.rssBytes > 1024 * 1024 && idleUsage.rssBytes < 200 * 1024 * 1024, String(idleUsage.rssBytes));
	t.true(idleUsage.cpuPercent < 20, String(idleUsage.cpuPercent));
	t.true((idleUsage.openFiles ?? 0) >= 3);
	t.is(idleUsage.inotifyWatches, 0);
	const table = (await sandbox.ao(['list'])).stdout;
	t.regex(table, new RegExp(`${busy.id}  busy  shell  working +\\d+s +\\d+% +[\\d.]+[KM] +ao/busy`));
	t.regex(table, new RegExp(`${idle.id}  idle  shell  working +\\d+s +\\d+(\\.\\d)?% +[\\d.]+[KM] +ao/idle`));
	await sandbox.ao(['stop', busy.id]);
	const stopped = (await sandbox.aoJson<Measured[]>(['list'])).find(job => job.id === busy.id)!;
	t.is(stopped.resources, undefined, 'an ended job has no measurement');
});
