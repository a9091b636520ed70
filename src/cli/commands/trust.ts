import {readFileSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline/promises';
import {findRepoConfig, loadConfig} from '../../core/config/config.js';
import {AoError, UsageError} from '../../core/errors.js';
import {tildify} from '../../core/paths.js';
import {trustFile, trustMode} from '../../core/safety/trust.js';
import {riskyModes} from '../../core/config/config-schema.js';
import {repoRoot} from '../../core/git/git.js';
import {defineCommand} from '../command.js';
import {context, type Context} from '../context.js';
import type {CommandIO} from '../io.js';

async function ask(io: CommandIO, question: string): Promise<boolean> {
	const rl = createInterface({input: io.stdin, output: io.stdout as NodeJS.WritableStream});
	const answer = await rl.question(question);
	rl.close();
	return /^y(es)?$/i.test(answer.trim());
}

/** `ao trust [DIR] --mode auto|bypass`: a yes typed in a terminal lets dispatch use that mode for DIR. */
async function trustModeFor(io: CommandIO, ctx: Context, dir: string | undefined, mode: string): Promise<void> {
	if (!(riskyModes as string[]).includes(mode)) throw new UsageError(`only ${riskyModes.join(' and ')} need accepting; --mode ${mode} works without`);
	const asked = path.resolve(ctx.cwd, dir ?? '.');
	const where = (await repoRoot(asked)) ?? asked;
	if (!io.interactive) throw new UsageError(`accepting --mode ${mode} needs a yes typed in a terminal; run "ao trust ${tildify(where)} --mode ${mode}" there`);
	if (!await ask(io, `In --mode ${mode}, agents dispatched in ${tildify(where)} act without asking you first (edits, commands). Accept that for this directory? [y/N] `)) throw new AoError('not accepted; nothing changed');
	await trustMode(ctx.paths, where, mode);
	io.out(`accepted --mode ${mode} for ${tildify(where)}`);
}

export default defineCommand<[string | undefined], {yes?: boolean; mode?: string}>({
	name: 'trust',
	description: 'approve a repository\'s .ao.yaml, so the programs it names may run',
	args: [['[dir]', 'the repository (default: here)']],
	options: [
		{flags: '-y, --yes', description: 'approve the .ao.yaml without asking (for scripts that have read the file)'},
		{flags: '-m, --mode <mode>', description: 'instead: accept --mode auto or bypass for DIR (asks y/N; needs a terminal)'},
	],
	async run(io, [dir], options) {
		const ctx = context(io);
		if (options.mode !== undefined) {
			await trustModeFor(io, ctx, dir, options.mode);
			return;
		}

		const asked = path.resolve(ctx.cwd, dir ?? '.');
		const file = findRepoConfig(asked);
		if (!file) throw new AoError(`no .ao.yaml in ${tildify(asked)} or above it (up to the repository top); nothing to trust`);
		const text = readFileSync(file, 'utf8');
		await loadConfig({cwd: path.dirname(file), paths: ctx.paths, env: ctx.env});
		if (!options.yes) {
			if (!io.stdin.isTTY) throw new UsageError(`approving ${tildify(file)} needs a yes typed in a terminal; read the file, then run "ao trust ${tildify(path.dirname(file))} --yes"`);
			io.out(`${tildify(file)}:\n${text.trimEnd()}\n`);
			if (!await ask(io, 'Let ao run the programs this file names (worktree.setup, agent commands)? [y/N] ')) throw new AoError('not approved; nothing changed');
		}

		await trustFile(ctx.paths, file, text);
		io.out(`trusted ${tildify(file)} as it is now; any change to it needs ao trust again`);
	},
});
