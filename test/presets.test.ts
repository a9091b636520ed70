import {chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import type {Config} from '../src/core/config/config-schema.js';
import {UsageError} from '../src/core/errors.js';
import {fillArgv, findPreset, findProgram, type ArgvValues} from '../src/core/config/presets.js';
import {loadDefaults} from '../src/core/config/config.js';

const values: ArgvValues = {
	task: 'Fix the login',
	sessionId: '5b1f0000-0000-4000-8000-000000000001',
	id: 'abcd1234',
	name: 'fix-login',
	worktree: '/src/app.worktrees/fix-login',
	ao: '/opt/ao/bin/ao',
	claudeHooks: '{"hooks":{}}',
};

/** The shipped defaults with only the agents these tests need. */
function config(): Config {
	return {...loadDefaults(), agents: {
		claude: {command: ['claude', '{task}'], env: {}},
		codex: {command: ['codex', '{task}'], resume: ['codex', 'resume'], env: {}},
		shell: {command: ['sh', '-c', '{task}'], env: {}},
	}};
}

function tempDir(t: ExecutionContext): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-presets-test-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	return dir;
}

test('fillArgv fills every placeholder and keeps each item one argument', t => {
	t.deepEqual(fillArgv(['claude', '--session-id', '{sessionId}', '{task}'], values), ['claude', '--session-id', values.sessionId, 'Fix the login']);
	t.deepEqual(fillArgv(['{ao}', 'demo-agent', '--job={id}', '--name={name}', '--cwd', '{worktree}'], values), [
		'/opt/ao/bin/ao', 'demo-agent', '--job=abcd1234', '--name=fix-login', '--cwd', '/src/app.worktrees/fix-login',
	]);
});

test('fillArgv fills a placeholder as often as it appears within one item', t => {
	t.deepEqual(fillArgv(['{id}-{id}:{name}'], values), ['abcd1234-abcd1234:fix-login']);
});

test('a task with placeholders, shell syntax, quotes and newlines arrives verbatim', t => {
	const task = 'use {id} and {name}; $(rm -rf ~) `id` $HOME "quoted" \'single\'\nsecond line\t{task} $& $1';
	t.deepEqual(fillArgv(['sh', '-c', '{task}'], {...values, task}), ['sh', '-c', task]);
	t.deepEqual(fillArgv(['--prompt={task}'], {...values, task}), [`--prompt=${task}`]);
});

test('values are inserted once and never expanded again', t => {
	t.deepEqual(fillArgv(['{name}', '{task}'], {...values, name: '{task}', task: '{name}'}), ['{task}', '{name}']);
});

test('an item that is exactly "{task}" is dropped when the task is empty', t => {
	t.deepEqual(fillArgv(['claude', '--session-id', '{sessionId}', '{task}'], {...values, task: ''}), ['claude', '--session-id', values.sessionId]);
});

test('an item that only contains "{task}" is kept with the task left out', t => {
	t.deepEqual(fillArgv(['x{task}', '--message={task}', ' {task}'], {...values, task: ''}), ['x', '--message=', ' ']);
});

test('a task of spaces is not empty and is passed on', t => {
	t.deepEqual(fillArgv(['{task}'], {...values, task: ' '}), [' ']);
});

test('unknown placeholders and other braces are left as they are', t => {
	t.deepEqual(fillArgv(['{branch}', '{}', '{TASK}', '{ task }', 'a{b'], values), ['{branch}', '{}', '{TASK}', '{ task }', 'a{b']);
});

test('fillArgv does not change the template', t => {
	const template = ['claude', '{task}'];
	fillArgv(template, {...values, task: ''});
	t.deepEqual(template, ['claude', '{task}']);
});

test('findPreset returns the preset of a known agent', t => {
	t.deepEqual(findPreset(config(), 'codex'), {command: ['codex', '{task}'], resume: ['codex', 'resume'], env: {}});
});

test('an unknown agent is a usage error that lists the known agents', t => {
	const error = t.throws(() => findPreset(config(), 'cluade'), {instanceOf: UsageError});
	t.is(error?.message, 'unknown agent "cluade"; known agents: claude, codex, shell (add one under "agents:" in your config)');
	t.is(error?.exitCode, 2);
});

test('an agent named like an Object prototype member is unknown', t => {
	t.throws(() => findPreset(config(), 'constructor'), {instanceOf: UsageError});
	t.throws(() => findPreset(config(), 'toString'), {instanceOf: UsageError});
});

test('findProgram finds sh on a PATH', t => {
	const found = findProgram('sh', ['/nonexistent-dir', '/usr/bin', '/bin'].join(path.delimiter));
	t.truthy(found);
	t.true(['/usr/bin/sh', '/bin/sh'].includes(found!), found);
});

test('findProgram takes the first PATH entry that has the program', t => {
	const dir = tempDir(t);
	for (const sub of ['one', 'two']) {
		mkdirSync(path.join(dir, sub));
		writeFileSync(path.join(dir, sub, 'tool'), '#!/bin/sh\n', {mode: 0o755});
	}

	t.is(findProgram('tool', [path.join(dir, 'one'), path.join(dir, 'two')].join(path.delimiter)), path.join(dir, 'one', 'tool'));
	t.is(findProgram('tool', ['', path.join(dir, 'two'), ''].join(path.delimiter)), path.join(dir, 'two', 'tool'));
});

test('findProgram gives undefined for a program that is not on the PATH', t => {
	const dir = tempDir(t);
	t.is(findProgram('ao-no-such-program-here', [dir, '/usr/bin', '/bin'].join(path.delimiter)), undefined);
	t.is(findProgram('sh', ''), undefined);
});

test('findProgram refuses a file that is not executable', t => {
	const dir = tempDir(t);
	const file = path.join(dir, 'agent');
	writeFileSync(file, '#!/bin/sh\necho hi\n', {mode: 0o644});
	chmodSync(file, 0o644);
	t.is(findProgram('agent', dir), undefined);
	t.is(findProgram(file, '/usr/bin'), undefined);
	chmodSync(file, 0o755);
	t.is(findProgram('agent', dir), file);
});

test('findProgram refuses a directory named like the program', t => {
	const dir = tempDir(t);
	mkdirSync(path.join(dir, 'agent'));
	t.is(findProgram('agent', dir), undefined);
});

test('findProgram follows a symlink to an executable and refuses a dangling one', t => {
	const dir = tempDir(t);
	writeFileSync(path.join(dir, 'real'), '#!/bin/sh\n', {mode: 0o755});
	symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
	symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling'));
	t.is(findProgram('link', dir), path.join(dir, 'link'));
	t.is(findProgram('dangling', dir), undefined);
});

test('a program given with a slash is checked as that path, not searched', t => {
	const dir = tempDir(t);
	writeFileSync(path.join(dir, 'agent'), '#!/bin/sh\n', {mode: 0o755});
	t.is(findProgram(path.join(dir, 'agent'), ''), path.join(dir, 'agent'));
	t.is(findProgram(path.join(dir, 'missing'), '/usr/bin:/bin'), undefined);
	t.is(findProgram('bin/sh', '/usr'), undefined);
});
