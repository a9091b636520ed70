import {randomBytes} from 'node:crypto';

/** A random task of the kinds that break quoting: shell syntax, control characters, unicode, tmux's own syntax. Pure. */
export function randomTask(seed: number): string {
	const pieces = ['"', '\'', '$(id)', '`id`', '\\', '\n', '\r\n', '\t', ';', ' ; ', '&&', '|', '>', '<', '#{pane_id}', '%3', '~', '*', '?', '!', '{}', '\u001B[31m', '\u0007', '\u007F', '\u0001', 'é', '日本語', '👩‍💻', '\u202E', ' ', '-', '--', '$HOME', '${x}'];
	const random = () => randomBytes(1)[0]!;
	const kind = seed % 10;
	if (kind === 0) return '-' + pieces.slice(0, 8).join('');
	// About 10 KB of unicode; and past tmux's 16 KB command limit.
	if (kind === 1) return '日本語のタスク👩‍💻'.repeat(300 + (seed % 50));
	if (kind === 9) return '日本語のタスク👩‍💻'.repeat(700);
	if (kind === 2) return pieces[seed % pieces.length]!.repeat(1 + (seed % 7)) + ';';
	let text = '';
	const length = 1 + (random() % 40);
	for (let index = 0; index < length; index++) {
		text += random() % 3 === 0 ? String.fromCodePoint(1 + (random() % 126)) : pieces[random() % pieces.length];
	}

	return text;
}
