import {readFileSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {aoBin, root} from './helpers/ao.js';

// The docs say what the CLI does: every command and flag `ao <command> --help` lists is in docs/commands.md (under
// the command's own heading) and the command is in the README; the man page is made from docs/commands.md.

const help = async (args: string[]) => String((await execa(process.execPath, [aoBin, ...args, '--help'])).stdout);

/** The commands a help text lists (its "Commands:" part), without `help`. */
function commandsOf(text: string): string[] {
	const part = text.split('\nCommands:\n')[1] ?? '';
	return [...part.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map(match => match[1]!).filter(name => name !== 'help');
}

/** The long flags a help text lists (its "Options:" part), without --help. */
function flagsOf(text: string): string[] {
	const part = (text.split('\nOptions:\n')[1] ?? '').split('\nCommands:\n')[0]!;
	return [...part.matchAll(/^ {2}(?:-[a-zA-Z], )?(--[a-z][a-z-]*)/gm)].map(match => match[1]!).filter(flag => flag !== '--help');
}

/** The part of docs/commands.md under the heading for `ao <command>`, up to the next heading. */
function section(docs: string, command: string): string | undefined {
	const lines = docs.split('\n');
	const start = lines.findIndex(line => line.startsWith(`### \`ao ${command}`) && /^### `ao [a-z -]+/.test(line) && (line.slice(`### \`ao ${command}`.length)[0] ?? ' ').match(/[ `]/));
	if (start === -1) return undefined;
	const end = lines.findIndex((line, index) => index > start && /^#{2,3} /.test(line));
	return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

test('every command and flag of ao --help is in docs/commands.md, and every command in the README', async t => {
	const docs = readFileSync(path.join(root, 'docs', 'commands.md'), 'utf8');
	const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
	const top = await help([]);
	const commands = commandsOf(top);
	t.true(commands.length >= 20, commands.join(' '));
	const all = [...commands];
	for (const group of ['server', 'tmux']) all.push(...commandsOf(await help([group])).map(sub => `${group} ${sub}`));
	const missing: string[] = [];
	for (const command of all) {
		const text = section(docs, command);
		if (!text) {
			missing.push(`ao ${command}: no "### \`ao ${command}" heading`);
			continue;
		}

		for (const flag of flagsOf(await help(command.split(' ')))) {
			if (!text.includes(flag)) missing.push(`ao ${command} ${flag}`);
		}

		if (!readme.includes(`ao ${command.split(' ')[0]}`)) missing.push(`README: ao ${command}`);
	}

	t.deepEqual(missing, []);
	t.true(Buffer.byteLength(readme) < 10_240, `README.md is ${Buffer.byteLength(readme)} bytes`);
});

test('the man page is made from docs/commands.md and reads cleanly', async t => {
	const page = path.join(root, 'dist', 'man', 'ao.1');
	const rendered = await execa('groff', ['-man', '-Tutf8', '-ww', page], {env: {...process.env, LANG: 'C.UTF-8'}});
	t.is(String(rendered.stderr), '', 'groff has nothing to warn about');
	const text = String(rendered.stdout).replaceAll(/.\x08/g, '');
	t.regex(text, /^NAME\n\s+ao - tmux-native orchestrator for parallel coding agents/m);
	for (const command of ['ao dispatch', 'ao list', 'ao guard', 'ao server status']) t.true(text.includes(command), command);
});
