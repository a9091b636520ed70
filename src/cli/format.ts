import {stripVTControlCharacters} from 'node:util';

/** "42s", "5m", "3h", "2d": how long ago `iso` was. Pure. */
export function age(iso: string, now = Date.now()): string {
	const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
	if (seconds < 60) return `${seconds}s`;
	if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
	if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
	return `${Math.floor(seconds / 86_400)}d`;
}

/** Cuts `text` to `width` columns, marking the cut with "…". Pure. */
export function truncate(text: string, width: number): string {
	const characters = [...text];
	if (characters.length <= width) return text;
	return width <= 1 ? characters.slice(0, width).join('') : characters.slice(0, width - 1).join('') + '…';
}

/** Columns a cell takes on screen (colour codes take none). Pure. */
function visibleWidth(text: string): number {
	return [...stripVTControlCharacters(text)].length;
}

/** Left-aligned columns, each as wide as its widest cell; the last column is cut to fit `maxWidth`. Pure. */
export function table(rows: string[][], maxWidth: number): string[] {
	const widths: number[] = [];
	for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, visibleWidth(cell))));
	return rows.map(row => {
		const cells = row.map((cell, index) => (index === row.length - 1 ? cell : cell + ' '.repeat(widths[index]! - visibleWidth(cell))));
		const head = cells.slice(0, -1).join('  ');
		const room = Math.max(8, maxWidth - visibleWidth(head) - 2);
		return row.length > 1 ? `${head}  ${truncate(cells.at(-1)!, room)}`.trimEnd() : truncate(cells[0] ?? '', maxWidth);
	});
}
