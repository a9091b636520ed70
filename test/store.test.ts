import {execFile} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import test, {type ExecutionContext} from 'ava';
import {AoError} from '../src/core/errors.js';
import {jobIdPattern, type Job} from '../src/core/jobs/job.js';
import {StatePaths} from '../src/core/paths.js';
import {JobStore, type StateEvent} from '../src/core/jobs/store.js';

function tempStore(t: ExecutionContext): JobStore {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-store-test-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	return new JobStore(new StatePaths(path.join(dir, 'home')));
}

function makeJob(id: string, fields: Partial<Job> = {}): Job {
	const at = '2024-05-01T12:00:00.000Z';
	return {
		id,
		name: `job-${id}`,
		agent: 'shell',
		task: 'npm test',
		argv: ['sh', '-c', 'npm test'],
		state: 'queued',
		reason: '',
		cwd: '/tmp/repo',
		repo: '/tmp/repo',
		worktree: '/tmp/repo.worktrees/x',
		branch: 'ao/x',
		sessionId: '5b1f0000-0000-4000-8000-000000000001',
		pinned: false,
		createdAt: at,
		updatedAt: at,
		stateSince: at,
		...fields,
	};
}

async function newJob(store: JobStore, fields: Partial<Job> = {}): Promise<Job> {
	const job = makeJob(await store.claimId(), fields);
	await store.create(job);
	return job;
}

function events(store: JobStore, id: string): StateEvent[] {
	return readFileSync(store.paths.eventsFile(id), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as StateEvent);
}

const mode = (file: string): number => statSync(file).mode & 0o777;

test('claimId gives distinct 8-hex ids, each with its own folder', async t => {
	const store = tempStore(t);
	const ids = await Promise.all(Array.from({length: 50}, async () => store.claimId()));
	t.is(new Set(ids).size, 50);
	for (const id of ids) {
		t.regex(id, jobIdPattern);
		t.true(statSync(store.paths.jobDir(id)).isDirectory());
	}

	t.deepEqual(readdirSync(store.paths.jobsDir).sort(), [...ids].sort());
});

test('a created job reads back equal', async t => {
	const store = tempStore(t);
	const job = await newJob(store, {task: 'fix "it"\n$(rm -rf ~) café 🚀', windowId: '@4', pid: 99, extraField: {kept: true}});
	t.deepEqual(await store.read(job.id), job);
});

test('create writes state.json as indented JSON and records the dispatch event', async t => {
	const store = tempStore(t);
	const job = await newJob(store, {reason: 'starting'});
	t.is(readFileSync(store.paths.stateFile(job.id), 'utf8'), JSON.stringify(job, null, 2) + '\n');
	t.deepEqual(events(store, job.id), [{at: job.createdAt, from: null, to: 'queued', reason: 'starting', signal: 'dispatch'}]);
});

test('reading a job without a state file says so', async t => {
	const store = tempStore(t);
	const id = await store.claimId();
	await t.throwsAsync(store.read(id), {instanceOf: AoError, message: `job ${id} has no state file (was it removed?)`});
});

test('reading a job whose state.json is not JSON names the file', async t => {
	const store = tempStore(t);
	const id = await store.claimId();
	writeFileSync(store.paths.stateFile(id), '{"id": "');
	await t.throwsAsync(store.read(id), {instanceOf: AoError, message: `job ${id}: ${store.paths.stateFile(id)} is not valid JSON`});
});

test('reading a job whose record is wrong gives the problem', async t => {
	const store = tempStore(t);
	const id = await store.claimId();
	writeFileSync(store.paths.stateFile(id), JSON.stringify({...makeJob(id), state: 'running'}));
	await t.throwsAsync(store.read(id), {instanceOf: AoError, message: `job ${id}: "state" is "running", not a known state`});
});

test('list of a store that was never used is empty', async t => {
	const store = tempStore(t);
	t.deepEqual(await store.list(), {jobs: [], problems: []});
});

test('list returns jobs oldest first', async t => {
	const store = tempStore(t);
	const later = await newJob(store, {createdAt: '2024-05-02T00:00:00.000Z'});
	const earlier = await newJob(store, {createdAt: '2024-05-01T00:00:00.000Z'});
	const latest = await newJob(store, {createdAt: '2024-06-01T00:00:00.000Z'});
	t.deepEqual((await store.list()).jobs.map(job => job.id), [earlier.id, later.id, latest.id]);
});

test('list skips and reports broken jobs and still lists the good ones', async t => {
	const store = tempStore(t);
	const good1 = await newJob(store, {createdAt: '2024-05-01T00:00:00.000Z'});
	const good2 = await newJob(store, {createdAt: '2024-05-02T00:00:00.000Z'});

	const cut = await store.claimId();
	const text = JSON.stringify(makeJob(cut), null, 2);
	writeFileSync(store.paths.stateFile(cut), text.slice(0, Math.floor(text.length / 2)));

	const garbage = await store.claimId();
	writeFileSync(store.paths.stateFile(garbage), Buffer.from([0x00, 0xFF, 0xFE, 0x7B, 0x13, 0x80]));

	const notObject = await store.claimId();
	writeFileSync(store.paths.stateFile(notObject), '["a", "list"]');

	const empty = await store.claimId();

	writeFileSync(path.join(store.paths.jobsDir, 'notes.txt'), 'not a job');
	mkdirSync(path.join(store.paths.jobsDir, 'not-a-job-id'));

	const {jobs, problems} = await store.list();
	t.deepEqual(jobs.map(job => job.id), [good1.id, good2.id]);
	t.deepEqual(jobs, [good1, good2]);
	const byId = new Map(problems.map(problem => [problem.id, problem.message]));
	t.is(problems.length, 4);
	t.is(byId.get(cut), `job ${cut}: ${store.paths.stateFile(cut)} is not valid JSON`);
	t.is(byId.get(garbage), `job ${garbage}: ${store.paths.stateFile(garbage)} is not valid JSON`);
	t.is(byId.get(notObject), `job ${notObject}: not a JSON object`);
	t.is(byId.get(empty), `job ${empty} has no state file (was it removed?)`);
});

test('list reports a plain file named like a job id instead of failing', async t => {
	const store = tempStore(t);
	const good = await newJob(store);
	writeFileSync(path.join(store.paths.jobsDir, 'deadbeef'), 'stray file');
	const {jobs, problems} = await store.list();
	t.deepEqual(jobs.map(job => job.id), [good.id]);
	t.is(problems.length, 1);
	t.is(problems[0]?.id, 'deadbeef');
	t.true(problems[0]!.message.startsWith('cannot read job deadbeef: '), problems[0]!.message);
});

test('update of a state appends {at, from, to, reason, signal} to events.jsonl', async t => {
	const store = tempStore(t);
	const job = await newJob(store);
	const next = await store.update(job.id, () => ({state: 'failed', reason: 'exit 3', exitCode: 3}), 'process');
	t.is(next.state, 'failed');
	t.is(next.exitCode, 3);
	t.not(next.updatedAt, job.updatedAt);
	t.is(next.stateSince, next.updatedAt);
	t.deepEqual(await store.read(job.id), next);
	t.deepEqual(events(store, job.id), [
		{at: job.createdAt, from: null, to: 'queued', reason: '', signal: 'dispatch'},
		{at: next.updatedAt, from: 'queued', to: 'failed', reason: 'exit 3', signal: 'process'},
	]);
});

test('update with the default signal records "cli"', async t => {
	const store = tempStore(t);
	const job = await newJob(store);
	await store.update(job.id, () => ({state: 'stopped', reason: 'stopped by user'}));
	t.is(events(store, job.id).at(-1)?.signal, 'cli');
});

test('a change of reason alone is an event too, and keeps stateSince', async t => {
	const store = tempStore(t);
	const job = await newJob(store, {state: 'working'});
	const next = await store.update(job.id, () => ({reason: 'waiting for tests'}), 'supervisor');
	t.is(next.stateSince, job.stateSince);
	t.deepEqual(events(store, job.id).at(-1), {at: next.updatedAt, from: 'working', to: 'working', reason: 'waiting for tests', signal: 'supervisor'});
});

test('an update that changes neither state nor reason writes no event', async t => {
	const store = tempStore(t);
	const job = await newJob(store);
	const next = await store.update(job.id, () => ({pinned: true}));
	t.true(next.pinned);
	t.true((await store.read(job.id)).pinned);
	t.is(events(store, job.id).length, 1);
});

test('an update whose change returns undefined writes nothing', async t => {
	const store = tempStore(t);
	const job = await newJob(store);
	const before = readFileSync(store.paths.stateFile(job.id), 'utf8');
	const result = await store.update(job.id, current => (t.deepEqual(current, job), undefined));
	t.deepEqual(result, job);
	t.is(readFileSync(store.paths.stateFile(job.id), 'utf8'), before);
	t.is(events(store, job.id).length, 1);
	t.false(existsSync(path.join(store.paths.jobDir(job.id), 'lock')));
});

test('an update that throws leaves the record and releases the lock', async t => {
	const store = tempStore(t);
	const job = await newJob(store);
	await t.throwsAsync(store.update(job.id, () => {
		throw new Error('boom');
	}), {message: 'boom'});
	t.deepEqual(await store.read(job.id), job);
	t.false(existsSync(path.join(store.paths.jobDir(job.id), 'lock')));
	t.true((await store.update(job.id, () => ({pinned: true}))).pinned);
});

test('200 concurrent updates of one job lose none', async t => {
	const store = tempStore(t);
	const job = await newJob(store, {counter: 0});
	await Promise.all(Array.from({length: 200}, async () => store.update(job.id, current => ({counter: (current.counter as number) + 1}))));
	t.is((await store.read(job.id)).counter, 200);
	t.false(existsSync(path.join(store.paths.jobDir(job.id), 'lock')));
	t.deepEqual(readdirSync(store.paths.jobDir(job.id)).sort(), ['events.jsonl', 'state.json']);
});

test('updates from several processes at once lose none: the lock file serialises them', async t => {
	const store = tempStore(t);
	const job = await newJob(store, {counter: 0});
	const storeModule = fileURLToPath(new URL('../src/core/jobs/store.js', import.meta.url));
	const pathsModule = fileURLToPath(new URL('../src/core/paths.js', import.meta.url));
	const script = [
		`import {JobStore} from ${JSON.stringify(storeModule)};`,
		`import {StatePaths} from ${JSON.stringify(pathsModule)};`,
		`const store = new JobStore(new StatePaths(${JSON.stringify(store.paths.home)}));`,
		`await Promise.all(Array.from({length: 50}, () => store.update(${JSON.stringify(job.id)}, job => ({counter: job.counter + 1}))));`,
	].join('\n');
	const run = promisify(execFile);
	await Promise.all(Array.from({length: 4}, async () => run(process.execPath, ['--input-type=module', '-e', script])));
	t.is((await store.read(job.id)).counter, 200);
	t.deepEqual(readdirSync(store.paths.jobDir(job.id)).sort(), ['events.jsonl', 'state.json']);
});

test('state files are private: 0600 files in 0700 folders', async t => {
	const store = tempStore(t);
	const job = await newJob(store);
	await store.update(job.id, () => ({state: 'working'}));
	t.is(mode(store.paths.jobsDir), 0o700);
	t.is(mode(store.paths.jobDir(job.id)), 0o700);
	t.is(mode(store.paths.stateFile(job.id)), 0o600);
	t.is(mode(store.paths.eventsFile(job.id)), 0o600);
});

test('remove deletes the job folder and the job is no longer listed', async t => {
	const store = tempStore(t);
	const keep = await newJob(store);
	const gone = await newJob(store);
	await store.remove(gone.id);
	t.false(existsSync(store.paths.jobDir(gone.id)));
	t.deepEqual(await store.list(), {jobs: [keep], problems: []});
	await t.notThrowsAsync(store.remove(gone.id));
});

test('claimName gives a free name to the first job and names the holder to the next', async t => {
	const store = tempStore(t);
	const first = await store.claimId();
	const second = await store.claimId();
	t.is(await store.claimName('fix-login', first), undefined);
	t.regex(readFileSync(store.paths.nameClaim('fix-login'), 'utf8'), new RegExp(`^${first} ${process.pid} \\d+$`), 'the job and the dispatch that claims it');
	t.is(mode(store.paths.nameClaim('fix-login')), 0o600);
	t.is(await store.claimName('fix-login', second), first);
	t.is(await store.claimName('fix-login', first), undefined);
});

test('claimName takes over a name whose job no longer exists and whose dispatch is gone', async t => {
	const store = tempStore(t);
	const gone = await store.claimId();
	const next = await store.claimId();
	// Claimed by a dispatch that is gone, for a job that is gone.
	mkdirSync(path.dirname(store.paths.nameClaim('fix')), {recursive: true});
	writeFileSync(store.paths.nameClaim('fix'), `${gone} 999999 1`);
	await store.remove(gone);
	t.is(await store.claimName('fix', next), undefined);
	t.regex(readFileSync(store.paths.nameClaim('fix'), 'utf8'), new RegExp(`^${next} `));
});

test('of many jobs claiming one name at once exactly one gets it, and the others learn which', async t => {
	const store = tempStore(t);
	const ids = await Promise.all(Array.from({length: 30}, async () => store.claimId()));
	const results = await Promise.all(ids.map(async id => store.claimName('same', id)));
	const winners = ids.filter((_, index) => results[index] === undefined);
	t.is(winners.length, 1);
	t.deepEqual(new Set(results.filter(Boolean)), new Set([winners[0]]));
});

test('releaseName frees only a name the job holds', async t => {
	const store = tempStore(t);
	const holder = await store.claimId();
	const other = await store.claimId();
	await store.claimName('fix', holder);
	await store.releaseName('fix', other);
	t.true(existsSync(store.paths.nameClaim('fix')));
	await store.releaseName('fix', holder);
	t.false(existsSync(store.paths.nameClaim('fix')));
	await t.notThrowsAsync(store.releaseName('never-claimed', holder));
	t.is(await store.claimName('fix', other), undefined);
});

test('a non-blocking list reads the same jobs and reports the same problems', async t => {
	const store = tempStore(t);
	await newJob(store);
	await newJob(store);
	writeFileSync(path.join(store.paths.jobsDir, 'deadbeef'), 'stray file');
	const blocking = await store.list();
	const nonBlocking = await store.list({nonBlocking: true});
	t.deepEqual(nonBlocking.jobs, blocking.jobs);
	t.deepEqual(nonBlocking.problems, blocking.problems);
	t.is(nonBlocking.jobs.length, 2);
});
