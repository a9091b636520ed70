import test from 'ava';
import type {Config} from '../src/core/config/config-schema.js';
import {parseProcLimit, type Limits} from '../src/core/processes/processes.js';
import {checkResources, measuredNeeds} from '../src/core/safety/resources.js';

/** A line of /proc/<pid>/limits, laid out as the kernel prints it ("%-25s %-20s %-20s %-10s"). */
function row(name: string, soft: string, hard: string, units: string): string {
	return `${name.padEnd(25)} ${soft.padEnd(20)} ${hard.padEnd(20)} ${units.padEnd(10)}\n`;
}

const header = row('Limit', 'Soft Limit', 'Hard Limit', 'Units');

function procLimits(nofile: string, nproc: string): string {
	return header
		+ row('Max cpu time', 'unlimited', 'unlimited', 'seconds')
		+ row('Max file size', 'unlimited', 'unlimited', 'bytes')
		+ row('Max data size', 'unlimited', 'unlimited', 'bytes')
		+ row('Max stack size', '8388608', 'unlimited', 'bytes')
		+ row('Max core file size', '0', 'unlimited', 'bytes')
		+ row('Max resident set', 'unlimited', 'unlimited', 'bytes')
		+ row('Max processes', nproc, nproc === 'unlimited' ? 'unlimited' : '127431', 'processes')
		+ row('Max open files', nofile, '1048576', 'files')
		+ row('Max locked memory', '8388608', '8388608', 'bytes')
		+ row('Max address space', 'unlimited', 'unlimited', 'bytes')
		+ row('Max file locks', 'unlimited', 'unlimited', 'locks')
		+ row('Max pending signals', '127431', '127431', 'signals')
		+ row('Max msgqueue size', '819200', '819200', 'bytes')
		+ row('Max nice priority', '0', '0', '')
		+ row('Max realtime priority', '0', '0', '')
		+ row('Max realtime timeout', 'unlimited', 'unlimited', 'us');
}

test('the fixture has the layout of a real /proc/<pid>/limits', t => {
	const [first, , , , , , , processes] = procLimits('1024', '63687').split('\n');
	t.is(first, 'Limit                     Soft Limit           Hard Limit           Units     ');
	t.is(processes, 'Max processes             63687                127431               processes ');
});

test('parseProcLimit reads the soft limit, not the hard one', t => {
	const text = procLimits('1024', '63687');
	t.is(parseProcLimit(text, 'Max open files'), 1024);
	t.is(parseProcLimit(text, 'Max processes'), 63_687);
});

test('parseProcLimit reads "unlimited" as Infinity', t => {
	const text = procLimits('unlimited', 'unlimited');
	t.is(parseProcLimit(text, 'Max open files'), Number.POSITIVE_INFINITY);
	t.is(parseProcLimit(text, 'Max processes'), Number.POSITIVE_INFINITY);
});

test('parseProcLimit finds the row it is asked for among rows that start alike', t => {
	const text = procLimits('1024', '63687');
	t.is(parseProcLimit(text, 'Max file locks'), Number.POSITIVE_INFINITY);
	t.is(parseProcLimit(text, 'Max core file size'), 0);
	t.is(parseProcLimit(text, 'Max realtime priority'), 0);
});

test('parseProcLimit gives undefined for a missing row or an empty file', t => {
	const withoutOpenFiles = procLimits('1024', '63687').split('\n').filter(line => !line.startsWith('Max open files')).join('\n');
	t.is(parseProcLimit(withoutOpenFiles, 'Max open files'), undefined);
	t.is(parseProcLimit(withoutOpenFiles, 'Max processes'), 63_687);
	t.is(parseProcLimit('', 'Max open files'), undefined);
});

test('parseProcLimit reads the last row of a file without a final newline', t => {
	t.is(parseProcLimit(header + row('Max open files', '4096', '4096', 'files').trimEnd(), 'Max open files'), 4096);
});

const perAgent = (fields: Partial<Config['limits']> = {}): Config['limits'] => ({
	per_agent_nofile: 512, per_agent_procs: 256, per_agent_inotify: 8192, per_agent_mem_mb: 512, ...fields,
});

const plenty: Limits = {nofile: 65_536, nproc: 10_000, inotify: 524_288, memAvailableMb: 4096};
const restart = 'before the ao server starts, then "ao server restart"';

test('checkResources checks open files, processes, inotify watches and free memory, in that order', t => {
	t.deepEqual(checkResources(plenty, perAgent(), 3), [
		{name: 'open files', ok: true, detail: 'open files: 65536 >= 1536 (3 agents x 512)'},
		{name: 'processes', ok: true, detail: 'processes: 10000 >= 768 (3 agents x 256)'},
		{name: 'inotify watches', ok: true, detail: 'inotify watches: 524288 >= 24576 (3 agents x 8192)'},
		{name: 'free memory', ok: true, detail: 'free memory: 4096 >= 512 (one more agent)'},
	]);
});

test('checkResources says "1 agent" for one agent', t => {
	t.is(checkResources(plenty, perAgent(), 1)[0].detail, 'open files: 65536 >= 512 (1 agent x 512)');
});

test('checkResources shows an unlimited limit as "unlimited"', t => {
	const [files, processes] = checkResources({nofile: Number.POSITIVE_INFINITY, nproc: Number.POSITIVE_INFINITY}, perAgent(), 3);
	t.deepEqual(files, {name: 'open files', ok: true, detail: 'open files: unlimited >= 1536 (3 agents x 512)'});
	t.deepEqual(processes, {name: 'processes', ok: true, detail: 'processes: unlimited >= 768 (3 agents x 256)'});
});

const failures: Array<{title: string; limits: Limits; perAgent: Config['limits']; agents: number; detail: string}> = [
	{
		title: 'too few open files for all the agents names the limit, the need and "ulimit -n"',
		limits: {nofile: 1024},
		perAgent: perAgent({per_agent_nofile: 1024}),
		agents: 6,
		detail: `open files: soft limit 1024 < needed 6144; raise it with "ulimit -n 65536" ${restart}`,
	},
	{
		title: 'a need above 32768 open files asks for twice the need',
		limits: {nofile: 1024},
		perAgent: perAgent({per_agent_nofile: 4000}),
		agents: 10,
		detail: `open files: soft limit 1024 < needed 40000; raise it with "ulimit -n 80000" ${restart}`,
	},
	{
		title: 'too few processes names the limit, the need and "ulimit -u"',
		limits: {nproc: 1000},
		perAgent: perAgent(),
		agents: 5,
		detail: `processes: soft limit 1000 < needed 1280; raise it with "ulimit -u 8192" ${restart}`,
	},
	{
		title: 'a need above 4096 processes asks for twice the need',
		limits: {nproc: 4096},
		perAgent: perAgent({per_agent_procs: 1000}),
		agents: 5,
		detail: `processes: soft limit 4096 < needed 5000; raise it with "ulimit -u 10000" ${restart}`,
	},
	{
		title: 'too few inotify watches names the sysctl and its fix, with no server restart',
		limits: {inotify: 8192},
		perAgent: perAgent(),
		agents: 2,
		detail: 'inotify watches: fs.inotify.max_user_watches 8192 < needed 16384; raise it with "sudo sysctl fs.inotify.max_user_watches=524288"',
	},
	{
		title: 'a need above 262144 inotify watches asks for twice the need',
		limits: {inotify: 65_536},
		perAgent: perAgent({per_agent_inotify: 100_000}),
		agents: 3,
		detail: 'inotify watches: fs.inotify.max_user_watches 65536 < needed 300000; raise it with "sudo sysctl fs.inotify.max_user_watches=600000"',
	},
	{
		title: 'too little free memory for one more agent names both numbers and the setting',
		limits: {memAvailableMb: 300},
		perAgent: perAgent(),
		agents: 1,
		detail: 'free memory: 300 MB available < 512 MB for one more agent; close something, or lower limits.per_agent_mem_mb',
	},
];

for (const failure of failures) {
	test(`checkResources: ${failure.title}`, t => {
		const checks = checkResources(failure.limits, failure.perAgent, failure.agents);
		t.is(checks.length, 1);
		t.false(checks[0].ok);
		t.is(checks[0].detail, failure.detail);
	});
}

test('checkResources compares free memory with one agent, however many run', t => {
	t.deepEqual(checkResources({memAvailableMb: 1000}, perAgent(), 10), [{name: 'free memory', ok: true, detail: 'free memory: 1000 >= 512 (one more agent)'}]);
	t.false(checkResources({memAvailableMb: 511}, perAgent(), 1)[0].ok);
});

test('checkResources multiplies open files, processes and inotify watches by the agents', t => {
	const limits: Limits = {nofile: 2048, nproc: 1024, inotify: 32_768};
	t.deepEqual(checkResources(limits, perAgent(), 4).map(check => check.ok), [true, true, true]);
	t.deepEqual(checkResources(limits, perAgent(), 5).map(check => check.ok), [false, false, false]);
});

test('checkResources accepts a limit exactly equal to the need', t => {
	const checks = checkResources({nofile: 1536, nproc: 768, inotify: 24_576, memAvailableMb: 512}, perAgent(), 3);
	t.true(checks.every(check => check.ok));
	t.is(checks.length, 4);
});

test('checkResources skips a check whose per-agent value is 0', t => {
	const tiny: Limits = {nofile: 1, nproc: 1, inotify: 1, memAvailableMb: 1};
	t.deepEqual(checkResources(tiny, perAgent({per_agent_nofile: 0}), 3).map(check => check.name), ['processes', 'inotify watches', 'free memory']);
	t.deepEqual(checkResources(tiny, perAgent({per_agent_procs: 0, per_agent_mem_mb: 0}), 3).map(check => check.name), ['open files', 'inotify watches']);
	t.deepEqual(checkResources(tiny, perAgent({per_agent_nofile: 0, per_agent_procs: 0, per_agent_inotify: 0, per_agent_mem_mb: 0}), 3), []);
});

test('checkResources skips a limit the platform does not tell', t => {
	t.deepEqual(checkResources({}, perAgent(), 3), []);
	t.deepEqual(checkResources({nproc: 10_000}, perAgent(), 3).map(check => check.name), ['processes']);
	t.deepEqual(checkResources({nofile: 65_536, memAvailableMb: 4096}, perAgent(), 3).map(check => check.name), ['open files', 'free memory']);
});

test('checkResources reports every failing limit, not just the first', t => {
	const checks = checkResources({nofile: 256, nproc: 100, inotify: 8192, memAvailableMb: 100}, perAgent(), 2);
	t.deepEqual(checks.map(check => [check.name, check.ok]), [['open files', false], ['processes', false], ['inotify watches', false], ['free memory', false]]);
});

test('a limit read from /proc goes through checkResources', t => {
	const text = procLimits('1024', 'unlimited');
	const limits: Limits = {nofile: parseProcLimit(text, 'Max open files'), nproc: parseProcLimit(text, 'Max processes')};
	t.deepEqual(checkResources(limits, perAgent(), 3), [
		{name: 'open files', ok: false, detail: `open files: soft limit 1024 < needed 1536; raise it with "ulimit -n 65536" ${restart}`},
		{name: 'processes', ok: true, detail: 'processes: unlimited >= 768 (3 agents x 256)'},
	]);
});

const sleeper = {cpuPercent: 0, rssBytes: 4 * 1024 * 1024, processes: 3, openFiles: 10, inotifyWatches: 0};

test('with measurements, the checks count what running agents hold plus one more: 100 sleeping agents leave room for watches', t => {
	const running = Array.from({length: 100}, (_, index) => ({id: `job${index}`, agent: 'shell'}));
	const snapshot = {at: new Date().toISOString(), jobs: Object.fromEntries(running.map(job => [job.id, sleeper]))};
	const limits: Limits = {nofile: 20_000, nproc: 96_362, inotify: 192_536, memAvailableMb: 20_000};
	t.false(checkResources(limits, perAgent(), 101).every(check => check.ok), 'the configured guess alone would refuse the 101st');
	const measured = measuredNeeds(snapshot, running, 'shell');
	t.deepEqual(measured, {agents: 100, inUse: {nofile: 1000, nproc: 300, inotify: 0}, preset: 'shell', perAgent: {memMb: 4, nofile: 10, nproc: 3, inotify: 0}});
	t.deepEqual(checkResources(limits, perAgent(), 101, measured), [
		{name: 'open files', ok: true, detail: 'open files: 20000 >= 1010 (1000 held by 100 agents running + 10 for one more)'},
		{name: 'processes', ok: true, detail: 'processes: 96362 >= 303 (300 held by 100 agents running + 3 for one more)'},
		{name: 'inotify watches', ok: true, detail: 'inotify watches: 192536 >= 0 (0 held by 100 agents running + 0 for one more)'},
		{name: 'free memory', ok: true, detail: 'free memory: 20000 >= 4 (one more shell agent, as measured)'},
	]);
});

test('a preset not running yet gets the configured guess for one more, on top of what the others hold', t => {
	const running = [{id: 'a', agent: 'shell'}, {id: 'b', agent: 'shell'}];
	const snapshot = {at: new Date().toISOString(), jobs: {a: {...sleeper, inotifyWatches: 100_000}, b: {...sleeper, inotifyWatches: 90_000}}};
	const measured = measuredNeeds(snapshot, running, 'claude');
	t.is(measured?.perAgent, undefined);
	const [, , watches, memory] = checkResources({nofile: 65_536, nproc: 10_000, inotify: 192_536, memAvailableMb: 2000}, perAgent(), 3, measured);
	t.deepEqual(watches, {name: 'inotify watches', ok: false, detail: 'inotify watches: fs.inotify.max_user_watches 192536 < needed 198192; raise it with "sudo sysctl fs.inotify.max_user_watches=524288"'});
	t.is(memory!.detail, 'free memory: 2000 >= 512 (one more agent)');
});

test('measurements of a Claude Code agent set the memory one more needs', t => {
	const running = [{id: 'a', agent: 'claude'}];
	const snapshot = {at: new Date().toISOString(), jobs: {a: {cpuPercent: 2, rssBytes: 250 * 1024 * 1024, processes: 4, openFiles: 40, inotifyWatches: 12}}};
	const checks = checkResources({memAvailableMb: 200}, perAgent(), 2, measuredNeeds(snapshot, running, 'claude'));
	t.deepEqual(checks, [{name: 'free memory', ok: false, detail: 'free memory: 200 MB available < 250 MB for one more claude agent, as measured; close something'}]);
});

test('no measurement is used while a running job has none yet', t => {
	const snapshot = {at: new Date().toISOString(), jobs: {a: sleeper}};
	t.is(measuredNeeds(snapshot, [{id: 'a', agent: 'shell'}, {id: 'b', agent: 'shell'}], 'shell'), undefined);
	t.is(measuredNeeds(undefined, [{id: 'a', agent: 'shell'}], 'shell'), undefined);
});
