import {stripVTControlCharacters} from 'node:util';

/** "42s", "5m", "3h", "2d": how long ago `iso` was. Pure. */
export function age(iso: string, now = Date.now()): string {
	const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
	if (seconds < 60) return `${seconds}s`;
	if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
	if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
	return `${Math.floor(seconds / 86_400)}d`;
}

/** Columns a character takes in a terminal: 2 for East Asian wide and emoji, 0 for combining marks. Pure. */
function charWidth(character: string): number {
	const code = character.codePointAt(0)!;
	if (/\p{M}/u.test(character)) return 0;
	const wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF && code !== 0x303F) || (code >= 0xAC00 && code <= 0xD7A3)
		|| (code >= 0xF900 && code <= 0xFAFF) || (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) || (code >= 0xFFE0 && code <= 0xFFE6)
		|| (code >= 0x1F300 && code <= 0x1F64F) || (code >= 0x1F900 && code <= 0x1F9FF) || (code >= 0x20000 && code <= 0x3FFFD);
	return wide ? 2 : 1;
}

/** Columns `text` takes on screen; colour codes take none. Pure. */
export function displayWidth(text: string): number {
	return [...stripVTControlCharacters(text)].reduce((sum, character) => sum + charWidth(character), 0);
}

/** Cuts `text` to `width` columns, marking the cut with "…". Pure. */
export function truncate(text: string, width: number): string {
	if (displayWidth(text) <= width) return text;
	const room = width <= 1 ? width : width - 1;
	let kept = '';
	for (const character of text) {
		if (displayWidth(kept) + charWidth(character) > room) break;
		kept += character;
	}

	return width <= 1 ? kept : kept + '…';
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
