import {readFileSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline/promises';
import {stringify} from 'yaml';
import {findRepoConfig, loadConfig} from '../core/config/config.js';
import {AoError, UsageError} from '../core/errors.js';
import {tildify} from '../core/paths.js';
import {trustFile, trustMode} from '../core/safety/trust.js';
import {riskyModes} from '../core/config/config-schema.js';
import {repoRoot} from '../core/git/git.js';
import {context} from './context.js';
import {out, printJson} from './io.js';

export async function configCommand(options: {path?: boolean; json?: boolean}): Promise<void> {
	const ctx = context();
	const {config, sources, skipped} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths, env: ctx.env});
	if (options.path) {
		const rows = sources.map(source => ({file: source.file, role: source.role, trusted: source.role === 'repo' ? !source.untrusted : undefined}));
		if (options.json) printJson(rows);
		else out(rows.map(row => `${row.role.padEnd(8)} ${tildify(row.file)}${row.trusted === false ? '  (not trusted: program keys ignored; ao trust)' : ''}`).join('\n'));
		return;
	}

	if (options.json) printJson(config);
	else out(stringify(config, {lineWidth: 0}).trimEnd());
	if (skipped.length > 0) process.stderr.write(`ao: ignored until "ao trust": ${skipped.join(', ')}\n`);
}

/** `ao trust [DIR] --mode auto|bypass`: a yes typed in a terminal lets dispatch use that mode for DIR. */
async function trustModeCommand(dir: string | undefined, mode: string): Promise<void> {
	const ctx = context();
	if (!(riskyModes as string[]).includes(mode)) throw new UsageError(`only ${riskyModes.join(' and ')} need accepting; --mode ${mode} works without`);
	const asked = path.resolve(dir ?? ctx.cwd);
	const where = (await repoRoot(asked)) ?? asked;
	if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError(`accepting --mode ${mode} needs a yes typed in a terminal; run "ao trust ${tildify(where)} --mode ${mode}" there`);
	const rl = createInterface({input: process.stdin, output: process.stdout});
	const answer = await rl.question(`In --mode ${mode}, agents dispatched in ${tildify(where)} act without asking you first (edits, commands). Accept that for this directory? [y/N] `);
	rl.close();
	if (!/^y(es)?$/i.test(answer.trim())) throw new AoError('not accepted; nothing changed');
	await trustMode(ctx.paths, where, mode);
	out(`accepted --mode ${mode} for ${tildify(where)}`);
}

export async function trustCommand(dir: string | undefined, options: {yes?: boolean; mode?: string}): Promise<void> {
	if (options.mode !== undefined) {
		await trustModeCommand(dir, options.mode);
		return;
	}

	const ctx = context();
	const file = findRepoConfig(path.resolve(dir ?? ctx.cwd));
	if (!file) throw new AoError(`no .ao.yaml in ${tildify(path.resolve(dir ?? ctx.cwd))} or above it (up to the repository top); nothing to trust`);
	const text = readFileSync(file, 'utf8');
	await loadConfig({cwd: path.dirname(file), paths: ctx.paths, env: ctx.env});
	if (!options.yes) {
		if (!process.stdin.isTTY) throw new UsageError(`approving ${tildify(file)} needs a yes typed in a terminal; read the file, then run "ao trust ${tildify(path.dirname(file))} --yes"`);
		out(`${tildify(file)}:\n${text.trimEnd()}\n`);
		const rl = createInterface({input: process.stdin, output: process.stdout});
		const answer = await rl.question('Let ao run the programs this file names (worktree.setup, agent commands)? [y/N] ');
		rl.close();
		if (!/^y(es)?$/i.test(answer.trim())) throw new AoError('not approved; nothing changed');
	}

	await trustFile(ctx.paths, file, text);
	out(`trusted ${tildify(file)} as it is now; any change to it needs ao trust again`);
}
