import {Command, CommanderError, Option} from 'commander';
import {statSync} from 'node:fs';
import {UsageError} from '../core/errors.js';
import {thisBuild} from '../core/supervisor/build.js';
import type {DispatchOptions} from './dispatch.js';
import {reportError} from './io.js';

// Command modules load only when their command runs, so `ao --version` and `ao list` stay fast.

const {version} = thisBuild();

/** A directory option's value, refused in one line when it is not one (a typo would otherwise filter to nothing). */
function existingDir(flag: string, dir: string | undefined): string | undefined {
	if (dir !== undefined && !statSync(dir, {throwIfNoEntry: false})?.isDirectory()) throw new UsageError(`${flag} ${dir} is not a directory; give one that jobs were dispatched in or below`);
	return dir;
}

function action<A extends unknown[]>(work: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
	return async (...args: A) => {
		try {
			await work(...args);
		} catch (error) {
			reportError(error);
		}
	};
}

/**
 * `ao dispatch ... -- cmd args`: everything after the first `--` is the command to run, untouched by option parsing.
 * `--task TEXT` takes TEXT whatever it is, even "--": it is joined into `--task=TEXT` before "--" is looked for.
 */
function splitCommand(raw: string[]): {argv: string[]; command: string[]} {
	const firstOperand = raw.slice(2).find(arg => !arg.startsWith('-'));
	if (firstOperand !== 'dispatch') return {argv: raw, command: []};
	const argv = [...raw];
	const task = argv.indexOf('--task');
	const before = argv.indexOf('--');
	if (task !== -1 && task + 1 < argv.length && (before === -1 || before > task)) argv.splice(task, 2, `--task=${argv[task + 1]}`);
	const separator = argv.indexOf('--');
	if (separator === -1) return {argv, command: []};
	return {argv: argv.slice(0, separator), command: argv.slice(separator + 1)};
}

const {argv, command} = splitCommand(process.argv);
const program = new Command('ao')
	.description('tmux-native orchestrator for parallel coding agents')
	.version(version, '-V, --version')
	.exitOverride()
	// One line, with where to look next: bad input is never a screenful of help.
	.configureOutput({outputError: (text, write) => write(`ao: ${text.replace(/^error: /, '').trimEnd()} (ao --help lists every command)\n`)});

program.command('dispatch')
	.description('start a coding agent on a task in its own worktree and tmux window')
	.argument('[task...]', 'the task, passed to the agent as one argument, byte for byte')
	.option('--task <text>', 'the task as one argument (for text that starts with "-")')
	.option('--task-file <file>', 'read the task from a file ("-" for stdin)')
	.option('--name <name>', 'job name (default: from the task\'s first words)')
	// -n meant --name here and --lines in peek; it stays for one release, unlisted.
	.addOption(new Option('-n <name>').hideHelp())
	.option('-a, --agent <preset>', 'agent preset (default: agent.default in config)')
	.option('-C, --cwd <dir>', 'run as if ao were started in <dir>')
	.option('-b, --branch <branch>', 'branch for the worktree (default ao/<name>; an existing branch is checked out)')
	.option('--no-worktree', 'run in the directory itself, without a worktree')
	.option('--carry', 'bring the main checkout\'s uncommitted changes into the worktree')
	.option('-p, --priority <n>', 'start before queued jobs of lower priority (default 0)')
	.option('--allow-ci', 'dispatch even with CI=true (ao refuses there by default)')
	.option('-m, --mode <mode>', 'permission mode: default, plan, acceptEdits, auto or bypass (auto and bypass need ao trust DIR --mode)')
	.option('--budget <tokens>', 'pause the agent once it spent this many tokens (200k, 1.5M); ao resume grants as many again')
	.option('--env-from <source>', 'the agent\'s environment: shell (this shell\'s, the default) or server (the ao tmux server\'s)')
	.option('--json', 'print the job record as JSON')
	.usage('[options] [task...] [-- command...]')
	.action(action(async (words: string[], options: Record<string, unknown>) => {
		const {run} = await import('./dispatch.js');
		const {n, ...rest} = options;
		await run({...(rest as Omit<DispatchOptions, 'words' | 'command'>), ...(n !== undefined && rest.name === undefined ? {name: n as string} : {}), words, command});
	}));

program.command('list').alias('ls')
	.description('list jobs grouped by state')
	.option('--json', 'print a JSON array')
	.option('--all', 'include completed jobs')
	.option('--under <dir>', 'only jobs dispatched in <dir> or below')
	// -C means "run in DIR" (dispatch, as in git and make); as a filter it stays for one release, unlisted.
	.addOption(new Option('-C, --cwd <dir>').hideHelp())
	.action(action(async (options: {json?: boolean; all?: boolean; cwd?: string; under?: string}) => {
		const {run} = await import('./list.js');
		await run({json: options.json, all: options.all, cwd: existingDir('--under', options.under ?? options.cwd)});
	}));

program.command('peek')
	.description('print the agent\'s current screen')
	.argument('<job>', 'id, unique id prefix or name')
	.option('-n, --lines <n>', 'only the last <n> lines')
	.option('--ansi', 'keep colours')
	.action(action(async (job: string, options: {lines?: string; ansi?: boolean}) => (await import('./jobs.js')).peekCommand(job, options)));

program.command('send')
	.description('type text into the agent without attaching')
	.argument('<job>', 'id, unique id prefix or name')
	.argument('[text...]', 'the text, typed literally')
	.option('--no-enter', 'do not press Enter after the text')
	.action(action(async (job: string, text: string[], options: {enter: boolean}) => (await import('./jobs.js')).sendCommand(job, text, options)));

program.command('dismiss')
	.description('clear the guard\'s block from a job once you have seen it (a reply clears it too)')
	.argument('<job>', 'id, unique id prefix or name')
	.action(action(async (job: string) => (await import('./jobs.js')).dismissCommand(job)));

program.command('attach')
	.description('show the agent\'s window in this terminal (or a popup inside your tmux)')
	.argument('<job>', 'id, unique id prefix or name')
	.action(action(async (job: string) => (await import('./jobs.js')).attachCommand(job)));

program.command('logs')
	.description('print everything the agent printed')
	.argument('[job]', 'id, unique id prefix or name')
	.option('-f, --follow', 'keep printing new output')
	.option('--raw', 'with colours and control codes, as the agent wrote them')
	.option('--supervisor', 'the supervisor\'s log instead')
	.action(action(async (job: string | undefined, options: {follow?: boolean; raw?: boolean; supervisor?: boolean}) => (await import('./logs.js')).run(job, options)));

program.command('stop')
	.description('end the agent, keeping its window, worktree and record')
	.argument('[job]', 'id, unique id prefix or name')
	.option('--all-running', 'stop every running job')
	.addOption(new Option('--all').hideHelp())
	.action(action(async (job: string | undefined, options: {all?: boolean; allRunning?: boolean}) => (await import('./jobs.js')).stopCommand(job, {all: options.allRunning ?? options.all})));

program.command('rm')
	.description('remove a job: agent, window, worktree, branch and record (refuses to lose work)')
	.argument('<job>', 'id, unique id prefix or name')
	.option('-f, --force', 'archive unsaved work to refs/ao/archive/<id>, then remove')
	.action(action(async (job: string, options: {force?: boolean}) => (await import('./jobs.js')).rmCommand(job, options)));

program.command('pin')
	.description('show the job first, in the Pinned group')
	.argument('<job>', 'id, unique id prefix or name')
	.action(action(async (job: string) => (await import('./jobs.js')).pinCommand(job, true)));

program.command('unpin')
	.description('return the job to its state\'s group')
	.argument('<job>', 'id, unique id prefix or name')
	.action(action(async (job: string) => (await import('./jobs.js')).pinCommand(job, false)));

program.command('rename')
	.description('give the job a new name (its window follows)')
	.argument('<job>', 'id, unique id prefix or name')
	.argument('<name>', 'the new name')
	.action(action(async (job: string, name: string) => (await import('./jobs.js')).renameCommand(job, name)));

program.command('config')
	.description('print the effective config')
	.option('--path', 'the files it was read from instead')
	.option('--json', 'as JSON')
	.action(action(async (options: {path?: boolean; json?: boolean}) => (await import('./config.js')).configCommand(options)));

program.command('trust')
	.description('approve a repository\'s .ao.yaml, so the programs it names may run')
	.argument('[dir]', 'the repository (default: here)')
	.option('-y, --yes', 'approve the .ao.yaml without asking (for scripts that have read the file)')
	.option('-m, --mode <mode>', 'instead: accept --mode auto or bypass for DIR (asks y/N; needs a terminal)')
	.action(action(async (dir: string | undefined, options: {yes?: boolean; mode?: string}) => (await import('./config.js')).trustCommand(dir, options)));

program.command('doctor')
	.description('check tmux, git, config, the state dir, leftovers of interrupted commands, the server and the supervisor')
	.option('--json', 'as JSON')
	.option('--repair', 'first clean up what interrupted commands left: half-made jobs, windows without a record')
	.action(action(async (options: {json?: boolean; repair?: boolean}) => (await import('./doctor.js')).run(options)));

program.command('demo')
	.description('start three demo agents in a scratch repository and show them')
	.action(action(async () => (await import('./demo.js')).run()));

program.command('dashboard').aliases(['agents', 'view'])
	.description('the dashboard: every agent by group, with a live peek; reply, attach, stop and delete from it')
	.option('--under <dir>', 'only jobs dispatched in <dir> or below')
	.addOption(new Option('-C, --cwd <dir>').hideHelp())
	.action(action(async (options: {cwd?: string; under?: string}) => (await import('./dashboard.js')).run({cwd: existingDir('--under', options.under ?? options.cwd)})));

program.command('cost')
	.description('tokens and estimated cost per job, the burn rate of all agents, and the quota window projection')
	.option('--json', 'as JSON')
	.option('--since <when>', 'only what was spent since then: a duration back from now (30m, 2h, 1d) or a date')
	.action(action(async (options: {json?: boolean; since?: string}) => (await import('./cost.js')).run(options)));

program.command('status')
	.description('counts by group for a status line: "ao 2? 1! 3* 4+" (needs input, ready, working, done)')
	.option('--json', 'the counts as JSON')
	// --tmux changed nothing (the plugin reads the supervisor's copy with tmux/status.sh); accepted for one release.
	.addOption(new Option('--tmux').hideHelp())
	.action(action(async (options: {json?: boolean}) => (await import('./status.js')).run(options)));

program.command('respawn')
	.description('bring back a stopped, failed or lost job in its worktree with its preset\'s resume command')
	.argument('[job]', 'id, unique id prefix or name')
	.option('--all-lost', 'every job lost with the tmux server (reboot, sleep, kill-server)')
	.addOption(new Option('--all').hideHelp())
	.action(action(async (job: string | undefined, options: {all?: boolean; allLost?: boolean}) => (await import('./jobs.js')).respawnCommand(job, {all: options.allLost ?? options.all})));

program.command('resume')
	.description('let a paused job (over budget, a runaway) go on, told MESSAGE or "continue"; a stopped job is respawned')
	.argument('<job>', 'id, unique id prefix or name')
	.argument('[message...]', 'what to tell the agent as it goes on')
	.action(action(async (job: string, message: string[]) => (await import('./jobs.js')).resumeCommand(job, message)));

/** A command with commands of its own: a bad one is one line pointing at the group's help. */
function group(name: string, description: string): Command {
	return program.command(name).description(description)
		.configureOutput({outputError: (text, write) => write(`ao ${name}: ${text.replace(/^error: /, '').trimEnd()} (ao ${name} --help lists them)\n`)});
}

const server = group('server', 'the ao tmux server that holds every agent: status, stop, restart');
server.command('status')
	.description('whether it runs, its pid, the supervisor, the agent windows, and which ao build each runs')
	.option('--json', 'as JSON')
	.action(action(async (options: {json?: boolean}) => (await import('./server.js')).run('status', options)));
server.command('stop')
	.description('end the server and every agent in it (ao respawn brings a job back)')
	.action(action(async () => (await import('./server.js')).run('stop', {})));
server.command('restart')
	.description('start the server again from this shell (with its limits); running agents are resumed or queued')
	.action(action(async () => (await import('./server.js')).run('restart', {})));

program.command('report')
	.description('(for agents and their hooks) record the agent\'s own state: working, needs-input or ready')
	.argument('[state]', 'working, needs-input or ready')
	.option('--reason <text>', 'why, shown in ao list')
	.option('--hook <event>', 'read an agent hook\'s payload (JSON) for this event: from stdin, or the last argument')
	.option('--agent <kind>', 'whose hook it is: claude (default), codex or gemini')
	.action(action(async (state: string | undefined, options: {reason?: string; hook?: string; agent?: string}) => (await import('./report.js')).run(state, options)));

const tmuxPlugin = group('tmux', 'the tmux plugin: prefix + A opens the dashboard, ao\'s counts in the status line, notifications');
tmuxPlugin.command('install')
	.description('print the ~/.tmux.conf line that loads the plugin')
	.option('--apply', 'append the line to ~/.tmux.conf unless it is there')
	.action(action(async (options: {apply?: boolean}) => (await import('./tmux-cmd.js')).run('install', options)));
tmuxPlugin.command('register')
	.description('send ao\'s notifications to the tmux server this runs in (the plugin runs it)')
	.action(action(async () => (await import('./tmux-cmd.js')).run('register', {})));

program.command('guard')
	.description('judge a command as the guard does (--explain), list its rules (--rules); with neither, the hook agents run before a tool call (JSON on stdin)')
	.option('--explain <command>', 'show how COMMAND is parsed and judged (run in --cwd, default here)')
	.option('--rules', 'list the rules, their action (deny, ask, off) and what each catches')
	.option('--cwd <dir>', 'with --explain: judge as if run in DIR (the main checkout, an agent\'s worktree)')
	.option('--json', 'print the verdict (or the rules) as JSON')
	.option('--agent <kind>', 'the hook: whose protocol to answer in: claude (the default), codex or gemini')
	.action(action(async (options: {agent?: string; explain?: string; rules?: boolean; json?: boolean; cwd?: string}) => (await import('./guard.js')).run(options)));

program.command('supervise', {hidden: true})
	.description('the supervisor loop (runs in window 0 of the ao server)')
	.action(action(async () => (await import('./supervise.js')).run()));

program.command('demo-agent', {hidden: true})
	.description('the scripted demo agent')
	.argument('[task...]')
	.addOption(new Option('--resumed').hideHelp())
	.action(action(async (task: string[], options: {resumed?: boolean}) => {
		const {runDemoAgent} = await import('../agents/demo-agent.js');
		process.exitCode = await runDemoAgent(task.join(' '), Boolean(options.resumed));
	}));

try {
	await program.parseAsync(argv);
} catch (error) {
	if (!(error instanceof CommanderError)) throw error;
	process.exitCode = error.exitCode === 0 ? 0 : 2;
}
