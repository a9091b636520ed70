import {Command, Option} from 'commander';
import type {CommandIO} from './io.js';

export interface OptionSpec {
	/** As commander takes them: '-n, --lines <n>', '--no-enter'. */
	flags: string;
	description?: string;
	/** Accepted but not listed: an old spelling kept for one release. */
	hidden?: boolean;
}

/**
 * One ao command as data: its words, flags and the function that runs it. Each lives in `src/cli/commands/<name>.ts`;
 * main.ts loads only the one that is run (all of them for `ao --help`).
 */
export interface CommandSpec {
	name: string;
	aliases?: string[];
	description: string;
	hidden?: boolean;
	usage?: string;
	/** Positional arguments as commander spells them ('<job>', '[text...]') with their help. */
	args?: Array<[string, string?]>;
	options?: OptionSpec[];
	/** A group like `ao server`: its commands, and no run of its own. */
	subcommands?: CommandSpec[];
	/** The operands in order, then the options by their camel-cased long names. */
	run?: (io: CommandIO, operands: unknown[], options: Record<string, unknown>) => Promise<void>;
}

/** A command whose run is typed by its own operands and options (commander hands them over untyped). */
export function defineCommand<Operands extends unknown[], Options>(spec: Omit<CommandSpec, 'run'> & {run?: (io: CommandIO, operands: Operands, options: Options) => Promise<void>}): CommandSpec {
	return spec as CommandSpec;
}

/** Builds the commander command for `spec` under `parent`; running it calls spec.run with `io`. */
export function register(parent: Command, spec: CommandSpec, io: CommandIO): Command {
	const command = parent.command(spec.name, {hidden: spec.hidden}).description(spec.description);
	if (spec.aliases) command.aliases(spec.aliases);
	if (spec.usage) command.usage(spec.usage);
	for (const [name, help] of spec.args ?? []) command.argument(name, help);
	for (const option of spec.options ?? []) {
		const made = new Option(option.flags, option.description);
		command.addOption(option.hidden ? made.hideHelp() : made);
	}

	if (spec.subcommands) {
		// A bad subcommand is one line pointing at the group's help.
		command.configureOutput({outputError: (text, write) => write(`ao ${spec.name}: ${text.replace(/^error: /, '').trimEnd()} (ao ${spec.name} --help lists them)\n`)});
		for (const sub of spec.subcommands) register(command, sub, io);
	}

	const run = spec.run;
	if (run) {
		command.action(async (...args: unknown[]) => {
			// commander passes the operands, then the options, then the command itself.
			const operands = args.slice(0, -2);
			const options = args.at(-2) as Record<string, unknown>;
			try {
				await run(io, operands, options);
			} catch (error) {
				io.fail(error);
			}
		});
	}

	return command;
}
