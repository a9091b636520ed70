import {createRequire} from 'node:module';
import {stripVTControlCharacters} from 'node:util';

/** "42s", "5m", "3h", "2d": how long ago `iso` was. Pure. */
export function age(iso: string, now = Date.now()): string {
	const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
	if (seconds < 60) return `${seconds}s`;
	if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
	if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
	return `${Math.floor(seconds / 86_400)}d`;
}

const plain = /^[\x20-\x7e]*$/;
const requireModule = createRequire(import.meta.url);
let widthOf: ((text: string) => number) | undefined;
let graphemes: Intl.Segmenter | undefined;

/**
 * Columns `text` takes on screen (East Asian wide characters and emoji take 2, colour codes none). Pure. Plain ASCII
 * is counted as is: string-width costs some 30 ms to load and its emoji rules as much again on first use, which
 * `ao list` would pay on every run for names that are nearly always ASCII; it loads only for the first other text.
 */
export function displayWidth(text: string): number {
	const visible = stripVTControlCharacters(text);
	if (plain.test(visible)) return visible.length;
	widthOf ??= (requireModule('string-width') as {default: (text: string) => number}).default;
	return widthOf(visible);
}

/** The longest start of `text` that takes at most `width` columns, cut between characters as the user sees them. */
function cutTo(text: string, width: number): {kept: string; used: number} {
	if (plain.test(text)) {
		const kept = text.slice(0, Math.max(0, width));
		return {kept, used: kept.length};
	}

	let kept = '';
	let used = 0;
	graphemes ??= new Intl.Segmenter(undefined, {granularity: 'grapheme'});
	for (const {segment} of graphemes.segment(text)) {
		const each = displayWidth(segment);
		if (used + each > width) break;
		kept += segment;
		used += each;
	}

	return {kept, used};
}

/** Cuts `text` to `width` columns, marking the cut with "…". Pure. */
export function truncate(text: string, width: number): string {
	if (displayWidth(text) <= width) return text;
	const {kept} = cutTo(text, width <= 1 ? width : width - 1);
	return width <= 1 ? kept : kept + '…';
}

/** Cut or padded with spaces to exactly `width` columns (no ellipsis: terminals disagree on its width). Pure. */
export function fitColumns(text: string, width: number): string {
	const {kept, used} = cutTo(text, Math.max(0, width));
	return kept + ' '.repeat(Math.max(0, width - used));
}

/** Left-aligned columns, each as wide as its widest cell; the last column is cut to fit `maxWidth`. Pure. */
export function table(rows: string[][], maxWidth: number): string[] {
	const widths: number[] = [];
	for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, displayWidth(cell))));
	return rows.map(row => {
		const cells = row.map((cell, index) => (index === row.length - 1 ? cell : cell + ' '.repeat(widths[index]! - displayWidth(cell))));
		const head = cells.slice(0, -1).join('  ');
		const room = Math.max(8, maxWidth - displayWidth(head) - 2);
		return row.length > 1 ? `${head}  ${truncate(cells.at(-1)!, room)}`.trimEnd() : truncate(cells[0] ?? '', maxWidth);
	});
}
