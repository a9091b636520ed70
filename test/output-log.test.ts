import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {lastOutputLine, lastOutputLineLater, plainText, rotateIfLarge} from '../src/core/jobs/output-log.js';

function tempDir(t: ExecutionContext): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ao-output-log-test-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	return dir;
}

test('plainText removes colour and style codes', t => {
	t.is(plainText('\u001B[31mred\u001B[0m and \u001B[1;32mbold green\u001B[39;22m'), 'red and bold green');
	t.is(plainText('\u001B[38;5;208morange\u001B[38;2;1;2;3m rgb\u001B[m'), 'orange rgb');
});

test('plainText removes cursor movement and screen codes', t => {
	t.is(plainText('\u001B[?25lhidden cursor\u001B[?25h'), 'hidden cursor');
	t.is(plainText('\u001B[2K\u001B[1Gline'), 'line');
	t.is(plainText('\u001B[2J\u001B[Hscreen'), 'screen');
});

test('plainText turns CRLF line ends into LF', t => {
	t.is(plainText('one\r\ntwo\r\n'), 'one\ntwo\n');
});

test('a carriage return overwrites its line as on screen', t => {
	t.is(plainText('progress 10%\rprogress 100%'), 'progress 100%');
	t.is(plainText('a\rb\rc\nnext'), 'c\nnext');
	t.is(plainText('step 1\r\nprogress 10%\rprogress 50%\rprogress 100%\r\ndone'), 'step 1\nprogress 100%\ndone');
});

test('a line that ends in a bare carriage return keeps its text', t => {
	t.is(plainText('downloading 50%\r'), 'downloading 50%');
});

test('plainText drops the bell, backspace and other control characters but keeps tabs', t => {
	t.is(plainText('ding\u0007!'), 'ding!');
	t.is(plainText('ab\bc'), 'abc');
	t.is(plainText('a\u0000b\u001Fc\u007Fd\u000Be\u000Cf'), 'abcdef');
	t.is(plainText('col1\tcol2'), 'col1\tcol2');
});

test('plainText keeps unicode text', t => {
	t.is(plainText('café 日本語 🚀 ✳ → ok'), 'café 日本語 🚀 ✳ → ok');
	t.is(plainText('\u001B[32m✔\u001B[0m tests passed'), '✔ tests passed');
});

test('plainText removes a window title sequence without spaces', t => {
	t.is(plainText('\u001B]0;title\u0007hello'), 'hello');
});

test('plainText removes a window title sequence whose title has spaces or unicode', t => {
	t.is(plainText('\u001B]0;my title\u0007hello'), 'hello');
	t.is(plainText('\u001B]0;✳ Claude Code\u0007hello'), 'hello');
});

test('lastOutputLine is the last line with something on it, as plain text', t => {
	const file = path.join(tempDir(t), 'output.log');
	writeFileSync(file, 'first\r\n\u001B[32msecond line\u001B[0m  \r\n\r\n   \r\n');
	t.is(lastOutputLine(file), 'second line');
});

test('lastOutputLine shows the final state of a progress line', t => {
	const file = path.join(tempDir(t), 'output.log');
	writeFileSync(file, 'building\r\nprogress 10%\rprogress 100%');
	t.is(lastOutputLine(file), 'progress 100%');
});

test('lastOutputLine reads only the end of a large log', t => {
	const file = path.join(tempDir(t), 'output.log');
	writeFileSync(file, 'x'.repeat(100_000) + '\nthe end\n');
	t.is(lastOutputLine(file), 'the end');
});

test('lastOutputLine looks further back when the last kilobyte is blank', t => {
	const file = path.join(tempDir(t), 'output.log');
	writeFileSync(file, 'the answer\n' + '\u001B[2K\n'.repeat(400));
	t.is(lastOutputLine(file), 'the answer');
});

test('lastOutputLine of a missing, empty or blank file is empty', t => {
	const dir = tempDir(t);
	t.is(lastOutputLine(path.join(dir, 'missing.log')), '');
	writeFileSync(path.join(dir, 'empty.log'), '');
	t.is(lastOutputLine(path.join(dir, 'empty.log')), '');
	writeFileSync(path.join(dir, 'blank.log'), '\n \r\n\t\n\u001B[0m\n');
	t.is(lastOutputLine(path.join(dir, 'blank.log')), '');
});

test('lastOutputLine of a directory is empty, not an error', async t => {
	t.is(lastOutputLine(tempDir(t)), '');
});

test('rotateIfLarge leaves a log at or under the limit alone', async t => {
	const file = path.join(tempDir(t), 'output.log');
	writeFileSync(file, 'a'.repeat(100));
	t.false(await rotateIfLarge(file, 100));
	t.is(readFileSync(file, 'utf8'), 'a'.repeat(100));
	t.false(existsSync(`${file}.1`));
});

test('rotateIfLarge moves a log over the limit to .1 and empties it', async t => {
	const file = path.join(tempDir(t), 'output.log');
	writeFileSync(file, 'b'.repeat(101));
	t.true(await rotateIfLarge(file, 100));
	t.is(readFileSync(`${file}.1`, 'utf8'), 'b'.repeat(101));
	t.is(statSync(file).size, 0);
});

test('rotateIfLarge replaces an older .1', async t => {
	const file = path.join(tempDir(t), 'output.log');
	writeFileSync(`${file}.1`, 'old rotation');
	writeFileSync(file, 'new content over the limit');
	t.true(await rotateIfLarge(file, 10));
	t.is(readFileSync(`${file}.1`, 'utf8'), 'new content over the limit');
	t.is(readFileSync(file, 'utf8'), '');
});

test('rotateIfLarge of a missing file does nothing', async t => {
	const file = path.join(tempDir(t), 'missing.log');
	t.false(await rotateIfLarge(file, 0));
	t.false(existsSync(file));
	t.false(existsSync(`${file}.1`));
});

test('lastOutputLineLater reads the same line without blocking', async t => {
	const dir = tempDir(t);
	const file = path.join(dir, 'output.log');
	writeFileSync(file, 'first\r\n\u001B[32msecond line\u001B[0m  \r\n\r\n' + '\u001B[2K\n'.repeat(400));
	t.is(await lastOutputLineLater(file), 'second line');
	t.is(await lastOutputLineLater(path.join(dir, 'missing.log')), '');
});
