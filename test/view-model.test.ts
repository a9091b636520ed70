import test from 'ava';
import type {JobView} from '../src/core/jobs/list.js';
import {displayWidth} from '../src/ui/format.js';
import {buildRows, formatJobRow, moveSelection, rowDetail, selectableIds, tokenColumnWidth} from '../src/ui/dashboard/view-model.js';

const at = '2026-11-26T10:00:00.000Z';

function job(id: string, fields: Partial<JobView> = {}): JobView {
	return {
		id, name: `job-${id}`, agent: 'claude', task: 't', argv: [], state: 'working', group: 'Working', reason: '', cwd: '/r', worktree: '/r',
		sessionId: 's', pinned: false, createdAt: at, updatedAt: at, stateSince: at, lastLine: '', ...fields,
	};
}

test('rows come in dashboard group order with counts, empty groups hidden', t => {
	const rows = buildRows([
		job('a0000001', {state: 'completed', group: 'Completed'}),
		job('a0000002', {state: 'needs-input', group: 'Needs input'}),
		job('a0000003'),
		job('a0000004', {pinned: true, group: 'Pinned'}),
		job('a0000005', {state: 'needs-input', group: 'Needs input'}),
	]);
	t.deepEqual(rows.map(row => (row.kind === 'header' ? `${row.group} (${row.count})` : row.job.id)), [
		'Pinned (1)', 'a0000004', 'Needs input (2)', 'a0000002', 'a0000005', 'Working (1)', 'a0000003', 'Completed (1)', 'a0000001',
	]);
});

test('a collapsed group keeps its header and count but hides its jobs; the filter matches name, reason and more', t => {
	const jobs = [job('b0000001', {state: 'failed', group: 'Failed', reason: 'exit 3'}), job('b0000002', {name: 'docs'})];
	const collapsed = buildRows(jobs, {collapsed: new Set(['Failed'])});
	t.deepEqual(collapsed.map(row => (row.kind === 'header' ? `${row.group} ${row.collapsed}` : row.job.id)), ['Working false', 'b0000002', 'Failed true']);
	t.deepEqual(selectableIds(buildRows(jobs, {filter: 'EXIT'})), ['b0000001']);
	t.deepEqual(selectableIds(buildRows(jobs, {filter: 'doc'})), ['b0000002']);
	t.deepEqual(buildRows(jobs, {filter: 'nothing'}), []);
});

test('the selection moves over jobs only, stops at the ends, and falls back to the first job when its job is gone', t => {
	const rows = buildRows([job('c0000001'), job('c0000002', {state: 'ready', group: 'Ready for review'}), job('c0000003')]);
	t.is(moveSelection(rows, undefined, 0), 'c0000002');
	t.is(moveSelection(rows, 'c0000002', 1), 'c0000001');
	t.is(moveSelection(rows, 'c0000003', 1), 'c0000003');
	t.is(moveSelection(rows, 'c0000002', -5), 'c0000002');
	t.is(moveSelection(rows, 'gone', 1), 'c0000002');
	t.is(moveSelection([], 'c0000001', 1), undefined);
});

test('a row shows the selection and pin markers, name, agent, age and the reason or last line, cut to the width', t => {
	const now = Date.parse(at) + 90_000;
	const asking = job('d0000001', {name: 'fix-login', state: 'needs-input', reason: 'asks: Proceed? [y/N]', pinned: true});
	t.is(formatJobRow(asking, 60, now, {name: 10, agent: 6}, true), '>* fix-login  claude   1m asks: Proceed? [y/N]');
	t.is(formatJobRow(asking, 31, now, {name: 10, agent: 6}, false), ' * fix-login  claude   1m asks:');
	t.is(formatJobRow(asking, 20, now, {name: 10, agent: 6}, false), ' * fix-login  claude');
	// The token column, once some job has a usage record: "-" for a job whose agent keeps none.
	t.is(tokenColumnWidth([asking]), 0);
	const spending = {...asking, tokens: 212_400, runaway: 'runaway: spent over 5M tokens without changing its worktree'};
	t.is(tokenColumnWidth([asking, spending]), 6);
	t.is(formatJobRow(asking, 60, now, {name: 10, agent: 6, tokens: 6}, true), '>* fix-login  claude   1m      - asks: Proceed? [y/N]');
	t.is(formatJobRow(spending, 60, now, {name: 10, agent: 6, tokens: 6}, false), ' * fix-login  claude   1m 212.4k runaway: spent over 5M toke');
	// Names in CJK and emoji take two columns a character: the columns after them stay in line, and the row fits.
	const wide = job('d0000004', {name: '修正ログイン', state: 'needs-input', reason: 'asks: 続けますか？ [y/N]'});
	const rocket = job('d0000005', {name: '🚀deploy', state: 'needs-input', reason: 'asks: Proceed? [y/N]'});
	t.is(formatJobRow(wide, 40, now, {name: 10, agent: 6}), '   修正ログイ claude   1m asks: 続けます');
	t.is(formatJobRow(rocket, 40, now, {name: 10, agent: 6}), '   🚀deploy   claude   1m asks: Proceed?');
	t.is(displayWidth(formatJobRow(wide, 40, now, {name: 10, agent: 6})), 40);
	t.is(rowDetail(job('d0000002', {lastLine: 'compiling', reason: 'started'})), 'compiling');
	t.is(rowDetail(job('d0000003', {state: 'queued', reason: 'waiting for a slot', queuePosition: 2})), '#2 in queue · waiting for a slot');
	// The same words as ao list: the reason, then the last line when it says more.
	t.is(rowDetail(job('d0000006', {state: 'failed', reason: 'exit 1', lastLine: '3 failing'})), 'exit 1 · 3 failing');
});
