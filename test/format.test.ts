import test from 'ava';
import {age, displayWidth, table, truncate} from '../src/ui/format.js';

const start = '2024-05-01T12:00:00.000Z';
const at = (seconds: number): number => Date.parse(start) + seconds * 1000;

test('age shows seconds below a minute', t => {
	t.is(age(start, at(0)), '0s');
	t.is(age(start, at(42)), '42s');
	t.is(age(start, at(59.4)), '59s');
});

test('age shows whole minutes, hours and days, rounded down', t => {
	t.is(age(start, at(60)), '1m');
	t.is(age(start, at(5 * 60 + 59)), '5m');
	t.is(age(start, at(3599)), '59m');
	t.is(age(start, at(3600)), '1h');
	t.is(age(start, at(23 * 3600 + 3599)), '23h');
	t.is(age(start, at(86_400)), '1d');
	t.is(age(start, at(400 * 86_400)), '400d');
});

test('age of a time in the future (clock skew) is 0s', t => {
	t.is(age(start, at(-30)), '0s');
	t.is(age(start, at(-86_400)), '0s');
});

test('age reads ISO times with an offset', t => {
	t.is(age('2024-05-01T14:00:00+02:00', at(90)), '1m');
});

test('age uses the current time by default', t => {
	t.is(age(new Date(Date.now() - 3 * 3600 * 1000).toISOString()), '3h');
});

test('truncate leaves text that fits as it is', t => {
	t.is(truncate('hello', 5), 'hello');
	t.is(truncate('hello', 80), 'hello');
	t.is(truncate('', 3), '');
});

test('truncate marks the cut with an ellipsis within the width', t => {
	t.is(truncate('hello world', 8), 'hello w…');
	t.is([...truncate('hello world', 8)].length, 8);
	t.is(truncate('abc', 2), 'a…');
});

test('truncate to one or zero columns has no room for the ellipsis', t => {
	t.is(truncate('hello', 1), 'h');
	t.is(truncate('hello', 0), '');
});

test('truncate never cuts a character in half: an emoji takes two columns, a family or a flag is one character', t => {
	t.is(truncate('🚀🚀🚀🚀', 5), '🚀🚀…');
	t.is(truncate('🚀🚀🚀', 6), '🚀🚀🚀');
	t.is(truncate('🚀🚀🚀', 4), '🚀…', 'a wide character that does not fit is left out whole');
	t.is(truncate('e\u0301e\u0301e\u0301e\u0301e\u0301', 4), 'e\u0301e\u0301e\u0301…', 'a combining accent stays with its letter');
	t.is(truncate('👨‍👩‍👧 fix', 4), '👨‍👩‍👧 …');
	t.is(displayWidth('🇫🇷'), 2);
});

test('truncate counts a wide CJK character as two columns', t => {
	t.is(truncate('日本語のタスク名です', 8), '日本語…');
});

test('table pads every column but the last to its widest cell, two spaces apart', t => {
	t.deepEqual(table([
		['a1b2c3d4', 'fix', 'working', 'last line'],
		['deadbee0', 'refactor-all', 'ready', 'ok'],
	], 80), [
		'a1b2c3d4  fix           working  last line',
		'deadbee0  refactor-all  ready    ok',
	]);
});

test('table cuts only the last column to the width', t => {
	const lines = table([['id', 'name', 'a long last column that does not fit in the room']], 30);
	t.is(lines[0], 'id  name  a long last column …');
	t.is([...lines[0]!].length, 30);
});

test('table keeps at least 8 columns for the last cell even when the width is too small', t => {
	t.deepEqual(table([['abcdefghij', 'the last column']], 12), ['abcdefghij  the las…']);
});

test('table trims trailing spaces when the last cell is empty', t => {
	t.deepEqual(table([['a', 'b', ''], ['aaa', 'bbb', 'x']], 80), ['a    b', 'aaa  bbb  x']);
});

test('table counts a one-column letter as one column, even when it takes two UTF-16 units', t => {
	t.deepEqual(table([['é', 'x'], ['ab', 'y']], 80), ['é   x', 'ab  y']);
	t.deepEqual(table([['𝒳', 'x'], ['ab', 'y']], 80), ['𝒳   x', 'ab  y']);
});

test('a one-column table is cut to the full width', t => {
	t.deepEqual(table([['short'], ['a very long single cell']], 10), ['short', 'a very lo…']);
});

test('an empty table has no lines', t => {
	t.deepEqual(table([], 80), []);
});

test('table aligns columns whose cells carry colour codes of different lengths', t => {
	// cli/list.ts paints the state: in the Pinned group "needs-input" (1;33) and "working" (36) share a column.
	const paint = (code: string, text: string): string => `\u001B[${code}m${text}\u001B[0m`;
	const lines = table([
		['aaaa0001', paint('1;33', 'needs-input'), '5m', 'x'],
		['aaaa0002', paint('36', 'working'), '1h', 'y'],
	], 80);
	const visible = lines.map(line => line.replaceAll(/\u001B\[[\d;]*m/g, ''));
	t.deepEqual(visible, ['aaaa0001  needs-input  5m  x', 'aaaa0002  working      1h  y']);
});
