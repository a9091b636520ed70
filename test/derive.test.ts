import test from 'ava';
import {currentView, deriveFromProcess, exitStatusGraceSeconds} from '../src/core/jobs/derive.js';
import type {JobState} from '../src/core/jobs/states.js';
import {jobRecord, paneRecord} from './helpers/records.js';

const job = jobRecord;

const pane = paneRecord;

const liveStates: JobState[] = ['queued', 'working', 'needs-input', 'ready'];
const endStates: JobState[] = ['completed', 'failed', 'stopped'];

test('a pane that exited 0 means completed', t => {
	t.deepEqual(deriveFromProcess(job(), pane({dead: true, deadStatus: 0})), {state: 'completed', reason: 'exit 0', exitCode: 0, signal: 'process'});
});

test('a pane that exited 3 means failed with "exit 3"', t => {
	t.deepEqual(deriveFromProcess(job(), pane({dead: true, deadStatus: 3})), {state: 'failed', reason: 'exit 3', exitCode: 3, signal: 'process'});
});

test('a pane killed by a signal means failed with the signal number', t => {
	t.deepEqual(deriveFromProcess(job(), pane({dead: true, deadSignal: 9})), {state: 'failed', reason: 'killed by signal 9', signal: 'process'});
});

test('a dead pane whose exit status tmux has not filled in yet changes nothing during the grace period', t => {
	const record = job();
	const died = 1_714_564_800;
	const dead = pane({dead: true, deadTime: died});
	t.is(exitStatusGraceSeconds, 5);
	t.is(deriveFromProcess(record, dead, died), undefined);
	t.is(deriveFromProcess(record, dead, died + exitStatusGraceSeconds - 0.1), undefined);
	t.is(currentView(record, dead, died + 1), record);
});

test('a dead pane still without an exit status after the grace period is failed, "exited, status unknown"', t => {
	const died = 1_714_564_800;
	const dead = pane({dead: true, deadTime: died});
	t.deepEqual(deriveFromProcess(job(), dead, died + exitStatusGraceSeconds), {state: 'failed', reason: 'exited, status unknown', signal: 'process'});
	t.is(currentView(job(), dead, died + 60).reason, 'exited, status unknown');
});

test('a dead pane with neither exit status nor death time (tmux before 3.3) is failed at once', t => {
	t.deepEqual(deriveFromProcess(job(), pane({dead: true}), 0), {state: 'failed', reason: 'exited, status unknown', signal: 'process'});
});

test('an exit status decides as soon as it is there, even within the grace period', t => {
	const died = 1_714_564_800;
	t.is(deriveFromProcess(job(), pane({dead: true, deadTime: died, deadStatus: 0}), died)?.state, 'completed');
});

test('a job whose window is gone is failed, "lost"', t => {
	t.deepEqual(deriveFromProcess(job(), undefined), {state: 'failed', reason: 'lost', signal: 'process'});
});

test('every live state follows its pane', t => {
	for (const state of liveStates) {
		t.is(deriveFromProcess(job({state}), pane({dead: true, deadStatus: 0}))?.state, 'completed', state);
		t.is(deriveFromProcess(job({state}), undefined)?.reason, 'lost', state);
	}
});

test('a queued job without a window yet is left alone', t => {
	const queued = job({state: 'queued', windowId: undefined});
	t.is(deriveFromProcess(queued, undefined), undefined);
	t.is(currentView(queued, undefined), queued);
});

test('jobs in an end state never change', t => {
	for (const state of endStates) {
		const ended = job({state, reason: 'was', exitCode: 5});
		t.is(deriveFromProcess(ended, undefined), undefined, state);
		t.is(deriveFromProcess(ended, pane({dead: true, deadStatus: 0})), undefined, state);
		t.is(currentView(ended, undefined), ended, state);
	}
});

test('a job whose pane is alive is unchanged', t => {
	for (const state of liveStates) {
		const alive = job({state});
		t.is(deriveFromProcess(alive, pane()), undefined, state);
		t.is(currentView(alive, pane()), alive, state);
	}
});

test('currentView applies the change to a copy and leaves the record as it was', t => {
	const record = job({reason: 'working on it'});
	const view = currentView(record, pane({dead: true, deadStatus: 3}));
	t.deepEqual(view, {...record, state: 'failed', reason: 'exit 3', exitCode: 3});
	t.false('signal' in view);
	t.is(record.state, 'working');
	t.is(record.reason, 'working on it');
});

test('currentView shows a lost job as failed', t => {
	const view = currentView(job(), undefined);
	t.is(view.state, 'failed');
	t.is(view.reason, 'lost');
	t.is(view.windowId, '@7');
});
