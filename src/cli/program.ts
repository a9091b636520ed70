import {Command, CommanderError} from 'commander';
import {UsageError} from '../core/errors.js';
import {thisBuild} from '../core/supervisor/build.js';
import {register, type CommandSpec} from './command.js';
import {commandIndex} from './commands/index.js';
import type {CommandIO} from './io.js';

/**
 * `ao dispatch ... -- cmd args`: everything after the first `--` is the command to run, untouched by option parsing.
 * `--task TEXT` takes TEXT whatever it is, even "--": it is joined into `--task=TEXT` before "--" is looked for.
 */
export function splitCommand(args: string[]): {args: string[]; command: string[]} {
	if (args.find(arg => !arg.startsWith('-')) !== 'dispatch') return {args, command: []};
	const split = [...args];
	const task = split.indexOf('--task');
	const before = split.indexOf('--');
	if (task !== -1 && task + 1 < split.length && (before === -1 || before > task)) split.splice(task, 2, `--task=${split[task + 1]}`);
	const separator = split.indexOf('--');
	if (separator === -1) return {args: split, command: []};
	return {args: split.slice(0, separator), command: split.slice(separator + 1)};
}

/** The specs `args` needs: the one command it names, or all of them (for help, and to name an unknown command's neighbours). */
async function specsFor(args: string[]): Promise<CommandSpec[]> {
	const word = args.find(arg => !arg.startsWith('-'));
	const entry = commandIndex.find(candidate => word !== undefined && candidate.words.includes(word));
	const entries = entry ? [entry] : commandIndex;
	return Promise.all(entries.map(async candidate => (await candidate.load()).default));
}

/** Commands that show every host's jobs, for which `--host local` means this machine's alone. */
const localFilters = new Set(['list', 'ls', 'dashboard', 'agents', 'view', 'cost']);

/**
 * `--host NAME` (anywhere before a `--`; or AO_HOST): which machine runs the command. Taken out of the arguments,
 * except `--host local` for list, dashboard and cost, which show every host's jobs without it. Pure.
 */
export function takeHost(args: string[], env: NodeJS.ProcessEnv): {host?: string; args: string[]} {
	const end = args.includes('--') ? args.indexOf('--') : args.length;
	const at = args.slice(0, end).findIndex(arg => arg === '--host' || arg.startsWith('--host='));
	if (at === -1) return {host: env.AO_HOST || undefined, args};
	const host = args[at] === '--host' ? args[at + 1] : args[at]!.slice('--host='.length);
	if (!host || host.startsWith('-')) throw new UsageError('--host needs a host name: local (this machine) or one of hosts: in your config');
	const word = args.find(arg => !arg.startsWith('-'));
	if (host === 'local' && localFilters.has(word ?? '')) return {host, args};
	return {host, args: [...args.slice(0, at), ...args.slice(at + (args[at] === '--host' ? 2 : 1))]};
}

/** Runs `ao ARGS` with `io` as its world; returns the exit code. */
export async function runAo(rawArgs: string[], io: CommandIO): Promise<number> {
	let taken: ReturnType<typeof takeHost>;
	try {
		taken = takeHost(rawArgs, io.env);
		if (taken.host !== undefined && taken.host !== 'local') return await (await import('./remote.js')).runRemote(io, taken.host, taken.args);
	} catch (error) {
		io.fail(error);
		return io.exitCode;
	}

	const {args, command} = splitCommand(taken.args);
	const program = new Command('ao')
		.description('tmux-native orchestrator for parallel coding agents')
		.version(thisBuild().version, '-V, --version')
		.exitOverride()
		.configureOutput({
			writeOut: text => io.stdout.write(text),
			writeErr: text => io.stderr.write(text),
			// One line, with where to look next: bad input is never a screenful of help.
			outputError: (text, write) => write(`ao: ${text.replace(/^error: /, '').trimEnd().replaceAll('\n', ' ')} (ao --help lists every command)\n`),
		});
	for (const spec of await specsFor(args)) {
		const run = spec.run;
		// What followed `--` is dispatch's command; commander never sees it.
		register(program, spec.name === 'dispatch' && run ? {...spec, run: async (io, operands, options) => run(io, operands, {...options, command})} : spec, io);
	}

	try {
		await program.parseAsync(args, {from: 'user'});
	} catch (error) {
		if (!(error instanceof CommanderError)) throw error;
		io.exitCode = error.exitCode === 0 ? 0 : 2;
	}

	return io.exitCode;
}
