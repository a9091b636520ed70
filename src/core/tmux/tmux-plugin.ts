import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {packageRoot} from '../paths.js';

/** The plugin's entry, run by TPM or by a `run-shell` line in the user's tmux.conf. */
export const pluginScript = path.join(packageRoot, 'tmux', 'ao.tmux');

const plainWord = /^[A-Za-z0-9_./-]+$/;

/** A word for sh: as it is when plain, else single-quoted (the same rule as tmux/ao.tmux). Pure. */
export function shellWord(value: string): string {
	return plainWord.test(value) ? value : `'${value.replaceAll("'", String.raw`'\''`)}'`;
}

/**
 * The tmux.conf line that loads the plugin. run-shell expands formats in its argument, then hands it to sh, so the
 * path is quoted for sh, '#' is doubled, and the whole is quoted for tmux's config parser around that. Pure.
 */
export function runShellLine(script: string = pluginScript): string {
	const command = shellWord(script).replaceAll('#', '##');
	if (plainWord.test(command)) return `run-shell '${command}'`;
	return `run-shell "${command.replace(/[\\"$]/g, String.raw`\$&`)}"`;
}

/** The ways a tmux.conf may spell the plugin's path: absolute, and `~/...` when it is under the home dir. Pure. */
export function pluginSpellings(script: string, home: string): string[] {
	const relative = path.relative(home, script);
	const underHome = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
	return underHome ? [script, `~/${relative}`, `$HOME/${relative}`] : [script];
}

/** Whether any line of the conf mentions the plugin (a commented-out line too: the user chose to turn it off). Pure. */
export function confMentionsPlugin(conf: string, spellings: string[]): boolean {
	return conf.split('\n').some(line => spellings.some(spelling => line.includes(spelling)));
}

/** What to append to the conf so `line` is a line of its own, after whatever is there. Pure. */
export function textToAppend(conf: string, line: string): string {
	return conf === '' || conf.endsWith('\n') ? `${line}\n` : `\n${line}\n`;
}

export function userTmuxConf(home: string = os.homedir()): string {
	return path.join(home, '.tmux.conf');
}

export interface InstallResult {
	confFile: string;
	line: string;
	appended: boolean;
	created: boolean;
}

/**
 * Adds the run-shell line to the user's tmux.conf unless a line already mentions the plugin. Appends, never rewrites:
 * the other lines stay byte for byte, and a tmux.conf that is a symlink into a dotfiles repo stays one.
 */
export async function installPlugin(options: {home?: string; script?: string} = {}): Promise<InstallResult> {
	const home = options.home ?? os.homedir();
	const script = options.script ?? pluginScript;
	const confFile = userTmuxConf(home);
	const line = runShellLine(script);
	const created = !existsSync(confFile);
	const conf = created ? '' : await fs.readFile(confFile, 'utf8');
	if (confMentionsPlugin(conf, pluginSpellings(script, home))) return {confFile, line, appended: false, created: false};
	await fs.appendFile(confFile, textToAppend(conf, line));
	return {confFile, line, appended: true, created};
}
