import blessed from 'blessed';

/** The dashboard's modal widgets: a one-line prompt, a scrollable text view, a text shown until a key. */

/**
 * A one-line prompt over the screen; resolves with what was typed (undefined for Escape). blessed's textbox starts
 * listening in a setImmediate after readInput, so keys that came in the same read as the one that opened the prompt
 * (typed ahead, pasted, bunched up by a slow SSH link) would be dropped: they are kept and handed on once it listens.
 */
export async function askLine(screen: blessed.Widgets.Screen, label: string, initial: string, color: boolean): Promise<string | undefined> {
	const box = blessed.textbox({
		parent: screen, top: 'center', left: 'center', width: '80%', height: 3, border: {type: 'line'}, label: ` ${label} `,
		inputOnFocus: false, value: initial, style: color ? {border: {fg: 'yellow'}} : {},
	});
	box.focus();
	screen.render();
	const early: Array<[string | undefined, unknown]> = [];
	const keep = (ch: string | undefined, key: unknown) => early.push([ch, key]);
	box.on('keypress', keep);
	try {
		return await new Promise<string | undefined>(resolve => {
			box.readInput((error, value) => resolve(error || value === undefined || value === null ? undefined : String(value)));
			setImmediate(() => {
				box.removeListener('keypress', keep);
				for (const [ch, key] of early) screen.program.emit('keypress', ch, key);
			});
		});
	} finally {
		box.destroy();
	}
}

/** `text` over the whole screen, scrolled to its end (or shown from its top), until q or Escape. */
export async function showScrollable(screen: blessed.Widgets.Screen, label: string, text: string, from: 'top' | 'end' = 'end'): Promise<void> {
	const box = blessed.box({
		parent: screen, top: 0, left: 0, width: '100%', height: '100%', border: {type: 'line'}, label: ` ${label} (↑↓ PgUp PgDn scroll, q or Esc closes) `,
		content: text, tags: false, scrollable: true, alwaysScroll: true, keys: true, vi: true, scrollbar: {ch: ' ', style: {inverse: true}},
	});
	box.setScrollPerc(from === 'end' ? 100 : 0);
	box.focus();
	screen.render();
	await new Promise<void>(resolve => box.key(['q', 'escape'], () => resolve()));
	box.destroy();
}

/** `text` in a box over the screen until any key. */
export async function showUntilKey(screen: blessed.Widgets.Screen, label: string, text: string): Promise<void> {
	const box = blessed.box({parent: screen, top: 'center', left: 'center', width: '90%', height: '90%', border: {type: 'line'}, label: ` ${label} `, content: text, tags: false});
	screen.render();
	await new Promise<void>(resolve => screen.once('keypress', () => resolve()));
	box.destroy();
}
