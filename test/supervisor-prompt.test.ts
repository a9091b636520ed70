import test from 'ava';
import {parseDuration} from '../src/core/config/config-schema.js';
import {promptArea, promptLines} from '../src/core/jobs/derive.js';

/** The prompt area's lines as text. */
const area = (screen: string) => {
	const lines = screen.split('\n');
	return promptArea(lines).map(index => lines[index]).join('\n');
};

test('promptLines is 3', t => {
	t.is(promptLines, 3);
});

const areas: Array<{title: string; screen: string; expected: string}> = [
	{
		title: 'keeps the last 3 lines of a screen',
		screen: 'one\ntwo\nthree\nfour\nfive',
		expected: 'three\nfour\nfive',
	},
	{
		title: 'skips blank lines at the bottom of the screen',
		screen: 'one\ntwo\nthree\nfour\n\n\n\n',
		expected: 'two\nthree\nfour',
	},
	{
		title: 'skips blank lines between the lines it keeps',
		screen: 'old question? [y/N]\nApply this change? [y/N]\n\n> \n\n   \n',
		expected: 'old question? [y/N]\nApply this change? [y/N]\n> ',
	},
	{
		title: 'counts a line of spaces or tabs as blank',
		screen: 'a\nb\n \t \nc\n\t\n',
		expected: 'a\nb\nc',
	},
	{
		title: 'keeps the lines it keeps as they are, indentation and trailing spaces included',
		screen: 'x\n  ❯ 1. Yes  \n    2. No\n  (esc to cancel)  ',
		expected: '  ❯ 1. Yes  \n    2. No\n  (esc to cancel)  ',
	},
	{
		title: 'keeps all the lines of a screen with fewer than 3',
		screen: '\nonly\n\nlines\n',
		expected: 'only\nlines',
	},
	{
		title: 'is empty for an empty screen',
		screen: '',
		expected: '',
	},
	{
		title: 'is empty for a screen of blank lines',
		screen: '\n\n  \n\t\n',
		expected: '',
	},
	{
		title: 'leaves a question scrolled above the last 3 lines out, as history',
		screen: 'Apply this change? [y/N] y\napplied\ncommitted 3f2a\n$ ',
		expected: 'applied\ncommitted 3f2a\n$ ',
	},
];

for (const row of areas) {
	test(`promptArea ${row.title}`, t => {
		t.is(area(row.screen), row.expected);
	});
}

test('promptArea of a tall screen has at most promptLines lines', t => {
	const screen = Array.from({length: 50}, (_, index) => `line ${index}`).join('\n');
	t.is(promptArea(screen.split('\n')).length, promptLines);
	t.is(area(screen), 'line 47\nline 48\nline 49');
});

const durations: Array<[string, number | undefined]> = [
	['90s', 90_000],
	['30m', 1_800_000],
	['1h', 3_600_000],
	['2d', 172_800_000],
	['500ms', 500],
	['0s', 0],
	['1ms', 1],
	['off', 0],
	['0', 0],
	['', undefined],
	['garbage', undefined],
	['1', undefined],
	['10', undefined],
	['h', undefined],
	['1.5h', undefined],
	['-1s', undefined],
	['1 h', undefined],
	['1hour', undefined],
	['1w', undefined],
	['1H', undefined],
	['1h30m', undefined],
	['Off', undefined],
];

for (const [text, expected] of durations) {
	test(`parseDuration(${JSON.stringify(text)}) is ${String(expected)}`, t => {
		t.is(parseDuration(text), expected);
	});
}
