import test from 'ava';
import {UsageError} from '../src/core/errors.js';
import {checkName, nameFromTask} from '../src/core/jobs/names.js';

const fallback = 'job-1a2b3c4d';

test('a task becomes a lowercase slug of its words', t => {
	t.is(nameFromTask('Fix the flaky test!', fallback), 'fix-the-flaky-test');
	t.is(nameFromTask('  Add   --verbose flag to `ao list`  ', fallback), 'add-verbose-flag-to-ao-list');
	t.is(nameFromTask('README.md: typo on line 3', fallback), 'readme-md-typo-on-line-3');
	t.is(nameFromTask('bump v1.2.3 -> v1.3.0', fallback), 'bump-v1-2-3-v1-3-0');
});

test('the slug keeps whole words and stays within 32 characters', t => {
	const name = nameFromTask('Refactor the configuration loader so that it reports every problem', fallback);
	t.is(name, 'refactor-the-configuration');
	t.true(name.length <= 32);
	t.is(nameFromTask('aaaa bbbb cccc dddd eeee ffff ggg hhhh', fallback), 'aaaa-bbbb-cccc-dddd-eeee-ffff');
	t.is(nameFromTask('abcdefghij abcdefghij abcdefghij x', fallback), 'abcdefghij-abcdefghij-abcdefghij');
});

test('a first word longer than 32 characters is cut to 32', t => {
	const name = nameFromTask('x'.repeat(50) + ' more words', fallback);
	t.is(name, 'x'.repeat(32));
});

test('letters of other scripts and emoji are dropped, compatibility forms are folded', t => {
	t.is(nameFromTask('Café', fallback), 'cafe');
	t.is(nameFromTask('ﬁx 🚀 the ｆｕｌｌｗｉｄｔｈ bug', fallback), 'fix-the-fullwidth-bug');
	t.is(nameFromTask('修复 login 错误', fallback), 'login');
});

test('an accent inside a word does not split the word', t => {
	t.is(nameFromTask('Café déjà vu', fallback), 'cafe-deja-vu');
	t.is(nameFromTask('Überprüfe die Änderung', fallback), 'uberprufe-die-anderung');
});

test('a task with no usable characters gets the fallback', t => {
	t.is(nameFromTask('', fallback), fallback);
	t.is(nameFromTask('   ', fallback), fallback);
	t.is(nameFromTask('!!! ??? ...', fallback), fallback);
	t.is(nameFromTask('日本語のタスク', fallback), fallback);
	t.is(nameFromTask('🚀🔥', fallback), fallback);
});

test('a slug that looks like a job id (8 hex digits) gets the fallback', t => {
	t.is(nameFromTask('deadbeef', fallback), fallback);
	t.is(nameFromTask('DEADBEEF!', fallback), fallback);
	t.is(nameFromTask('12345678', fallback), fallback);
	t.is(nameFromTask('deadbeef now', fallback), 'deadbeef-now');
	t.is(nameFromTask('deadbee', fallback), 'deadbee');
});

test('every slug is a valid name', t => {
	for (const task of ['Fix the flaky test!', 'Café déjà vu', 'x'.repeat(80), 'a.b.c', '-leading dash', '..', 'x.lock', 'v1.2']) {
		t.notThrows(() => checkName(nameFromTask(task, fallback)), task);
	}
});

test('checkName accepts letters, digits, dots, underscores and dashes', t => {
	for (const name of ['fix-1.2_x', 'a', 'A1', '1', 'x'.repeat(64), 'fix.tests', 'Deadbeef0', 'DEADBEEF']) {
		t.notThrows(() => checkName(name), name);
	}
});

function refusal(t: import('ava').ExecutionContext, name: string): string {
	const error = t.throws(() => checkName(name), {instanceOf: UsageError}, JSON.stringify(name));
	t.is(error?.exitCode, 2);
	return error?.message ?? '';
}

const rule = 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

test('checkName refuses empty, path-like, spaced and shell-like names, quoting the name', t => {
	t.is(refusal(t, ''), `invalid name "": ${rule}`);
	t.is(refusal(t, '../x'), `invalid name "../x": ${rule}`);
	t.is(refusal(t, 'a/b'), `invalid name "a/b": ${rule}`);
	t.is(refusal(t, 'a b'), `invalid name "a b": ${rule}`);
	t.is(refusal(t, ';'), `invalid name ";": ${rule}`);
	t.is(refusal(t, 'x;rm -rf ~'), `invalid name "x;rm -rf ~": ${rule}`);
	t.is(refusal(t, '$(id)'), `invalid name "$(id)": ${rule}`);
	t.is(refusal(t, '-x'), `invalid name "-x": ${rule}`);
	t.is(refusal(t, '.hidden'), `invalid name ".hidden": ${rule}`);
	t.is(refusal(t, 'tab\there'), `invalid name "tab\\there": ${rule}`);
	t.is(refusal(t, 'line\n'), `invalid name "line\\n": ${rule}`);
	t.is(refusal(t, 'café'), `invalid name "café": ${rule}`);
});

test('checkName refuses a name over 64 characters', t => {
	const long = 'x'.repeat(300);
	t.is(refusal(t, long), `invalid name "${long}": ${rule}`);
	refusal(t, 'x'.repeat(65));
});

test('checkName refuses names git would refuse as a branch part, saying which part', t => {
	t.is(refusal(t, 'x.lock'), 'invalid name "x.lock": it may not end in ".lock" (git refuses it in a branch name)');
	t.is(refusal(t, 'a..b'), 'invalid name "a..b": it may not contain ".." (git refuses it in a branch name)');
	t.is(refusal(t, 'x.'), 'invalid name "x.": it may not end in "." (git refuses it in a branch name)');
});

test('checkName refuses 8 hex digits because they look like a job id', t => {
	t.is(refusal(t, 'deadbeef'), 'invalid name "deadbeef": 8 hex digits look like a job id; pick a name with other characters');
	t.is(refusal(t, '01234567'), 'invalid name "01234567": 8 hex digits look like a job id; pick a name with other characters');
});
