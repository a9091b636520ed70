import {loadConfig} from '../core/config/config.js';
import {UsageError} from '../core/errors.js';
import {findHost, runOnHost, runOnHostHere} from '../core/hosts/remote.js';
import {sshArgv} from '../core/hosts/ssh.js';
import {openInUserTmux, tmuxSupportsPopup} from '../core/tmux/tmux.js';
import {context} from './context.js';
import type {CommandIO} from './io.js';

/** Commands that take the terminal over: ssh -t, and only from a terminal. */
const terminalCommands = new Set(['attach', 'dashboard', 'agents', 'view']);

/**
 * `ao --host NAME <command>`: the host's ao runs the command over the host's multiplexed ssh connection, its output
 * streamed here (kept and passed on when this ao runs for another process) and its exit code returned.
 */
export async function runRemote(io: CommandIO, name: string, args: string[]): Promise<number> {
	const ctx = context(io);
	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths, env: ctx.env});
	const host = findHost(config, name);
	const word = args.find(arg => !arg.startsWith('-')) ?? '';
	const tty = terminalCommands.has(word);
	// Inside your tmux, the agent on the other host opens in a popup (or a window) of it, as a local attach does.
	if (word === 'attach' && ctx.env.TMUX) {
		const popup = config.attach.popup && tmuxSupportsPopup(await ctx.tmux.version().catch(() => '0'));
		await openInUserTmux(sshArgv(ctx.paths, host, args, {tty: true}), {popup, popupSize: config.attach.popup_size, title: `ao: ${args.at(-1)} on ${name}`});
		io.out(`opened ${args.at(-1)} on ${name} in a tmux ${popup ? 'popup' : 'window'}; ${config.attach.detach_key} leaves it`);
		return 0;
	}

	if (tty && !io.interactive) {
		throw new UsageError(`ao ${word} on ${name} needs a terminal and this command has none; run it in a terminal, or use ao --host ${name} peek and send`);
	}

	if (io.stdout === process.stdout) {
		const code = await runOnHostHere(ctx.paths, host, args, ctx.env, tty);
		if (code === 255) io.note(`host ${name} (${host.ssh}) did not answer (ssh exit 255); ssh ${host.ssh} shows why`);
		return code;
	}

	const result = await runOnHost(ctx.paths, host, args, ctx.env);
	io.stdout.write(result.stdout);
	io.stderr.write(result.stderr);
	if (result.exitCode === 255) io.note(`host ${name} (${host.ssh}) did not answer (ssh exit 255)`);
	return result.exitCode ?? 1;
}
