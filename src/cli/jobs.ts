import {attach} from '../core/tmux/attach.js';
import {loadConfig} from '../core/config/config.js';
import type {Config} from '../core/config/config-schema.js';
import {findTarget, peek, rename, setPinned, stop, type Target} from '../core/jobs/control.js';
import {bringBack, dismissBlock, reply} from '../core/jobs/actions.js';
import {AoError, UsageError} from '../core/errors.js';
import {listJobs} from '../core/jobs/list.js';
import {tildify} from '../core/paths.js';
import {removeJob} from '../core/jobs/remove.js';
import {allowance} from '../core/safety/pause.js';
import {lostJobs, respawn, resumeIfIdle} from '../core/jobs/respawn.js';
import {formatTokens} from '../core/cost/units.js';
import {isLive} from '../core/jobs/states.js';
import {registerUserServer, socketFromTmuxEnv} from '../core/tmux/user-servers.js';
import {context, type Context} from './context.js';
import {out} from './io.js';

/** The job, resumed first if the idle stop ended it: looking at it or talking to it means the user is back. */
async function resumable(ctx: Context, ref: string, config?: Config): Promise<Target> {
	const target = await findTarget(ctx.paths, ctx.tmux, ref);
	if (target.job.state !== 'stopped' || target.job.reason !== 'idle') return target;
	process.stderr.write(`ao: resuming ${target.job.name} (stopped while idle); the first reply takes a moment\n`);
	return resumeIfIdle(ctx.paths, ctx.tmux, config ?? (await loadConfig({cwd: ctx.cwd, paths: ctx.paths})).config, target);
}

export async function respawnCommand(ref: string | undefined, options: {all?: boolean}): Promise<void> {
	if (Boolean(ref) === Boolean(options.all)) throw new UsageError('give one job to respawn, or --all-lost for every job lost with the tmux server');
	const ctx = context();
	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
	const targets = options.all
		? lostJobs((await listJobs(ctx.paths, ctx.tmux, {all: true})).jobs).map(job => ({job, pane: undefined}))
		: [await findTarget(ctx.paths, ctx.tmux, ref!)];
	if (targets.length === 0) {
		out('no lost jobs to respawn');
		return;
	}

	for (const job of await respawn(ctx.paths, ctx.tmux, config, targets)) {
		out(job.state === 'queued' ? `queued ${job.id} (${job.name}): ${job.reason}` : `respawned ${job.id} (${job.name}) in ${tildify(job.worktree)}`);
	}
}

export async function peekCommand(ref: string, options: {lines?: string; ansi?: boolean}): Promise<void> {
	const lines = options.lines === undefined ? undefined : Number(options.lines);
	if (lines !== undefined && (!Number.isInteger(lines) || lines < 1)) throw new UsageError(`-n must be a positive number of lines, got ${JSON.stringify(options.lines)}`);
	const ctx = context();
	const target = await resumable(ctx, ref);
	out(await peek(ctx.tmux, target, {lines, ansi: options.ansi}));
}

export async function sendCommand(ref: string, words: string[], options: {enter: boolean}): Promise<void> {
	// No text at all is a slip (it would answer a [y/N] with its default); an explicit '' presses Enter alone.
	if (words.length === 0) throw new UsageError('nothing to send: give the text to type (ao send <job> \'\' presses Enter alone)');
	const text = words.join(' ');
	if (text === '' && options.enter === false) throw new UsageError('nothing to send: give the text to type');
	const ctx = context();
	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
	const target = await findTarget(ctx.paths, ctx.tmux, ref);
	if (target.job.state === 'stopped' && target.job.reason === 'idle') process.stderr.write(`ao: resuming ${target.job.name} (stopped while idle); the first reply takes a moment\n`);
	const result = await reply(ctx.paths, ctx.tmux, config, target, text, options.enter);
	if (result.unpaused) process.stderr.write(`ao: ${target.job.name} was paused; it goes on with your reply\n`);
	if (result.unblocked) process.stderr.write(`ao: ${target.job.name}: the guard's block is lifted by your reply\n`);
	out(`sent to ${target.job.id} (${target.job.name})`);
}

/** `ao dismiss <job>`: the guard's block has been seen; the job shows what its agent did since. */
export async function dismissCommand(ref: string): Promise<void> {
	const ctx = context();
	const {job} = await dismissBlock(ctx.paths, await findTarget(ctx.paths, ctx.tmux, ref));
	out(`dismissed the guard's block on ${job.id} (${job.name}); it is ${job.state}${job.reason ? `: ${job.reason}` : ''}`);
}

/** `ao resume <job> [message]`: a paused agent goes on (told the message, or "continue"); a stopped one respawns. */
export async function resumeCommand(ref: string, words: string[]): Promise<void> {
	const ctx = context();
	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
	const target = await findTarget(ctx.paths, ctx.tmux, ref);
	const text = words.length > 0 ? words.join(' ') : undefined;
	const {how, job} = await bringBack(ctx.paths, ctx.tmux, config, target, text);
	if (how === 'unpaused') {
		const limit = allowance(job, config);
		out(`resumed ${job.id} (${job.name})${limit > 0 ? `; it may spend ${formatTokens(limit)} more tokens before the next pause` : ''}`);
		return;
	}

	if (text !== undefined && how !== 'queued') {
		process.stderr.write(`ao: ${job.name} was ${target.job.state}; it was ${how}, and the message was not sent (ao send it once it is up)\n`);
	}

	out(how === 'queued' ? `queued ${job.id} (${job.name}): ${job.reason}` : `${how} ${target.job.id} (${target.job.name}) in ${tildify(target.job.worktree)}`);
}

export async function attachCommand(ref: string): Promise<void> {
	const ctx = context();
	// Outside tmux this terminal becomes the agent's; `ssh box ao attach x` has none, and tmux would only say "not a terminal".
	if (!ctx.env.TMUX && !(process.stdin.isTTY && process.stdout.isTTY)) {
		throw new UsageError(`ao attach needs a terminal and this command has none; log in with ssh -t (or run it in a terminal), or use ao peek ${ref} and ao send ${ref} TEXT`);
	}

	const {config} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths});
	const target = await resumable(ctx, ref, config);
	const userServer = socketFromTmuxEnv(ctx.env.TMUX);
	if (userServer) await registerUserServer(ctx.paths, userServer);
	const result = await attach(ctx.tmux, target, config, ctx.env);
	if (result.mode !== 'terminal') out(`opened ${target.job.name} in a tmux ${result.mode}; ${config.attach.detach_key} leaves it`);
	process.exitCode = result.exitCode;
}

export async function stopCommand(ref: string | undefined, options: {all?: boolean}): Promise<void> {
	if (Boolean(ref) === Boolean(options.all)) throw new UsageError('give one job to stop, or --all-running');
	const ctx = context();
	const refs = options.all
		? (await listJobs(ctx.paths, ctx.tmux)).jobs.filter(job => isLive(job.state)).map(job => job.id)
		: [ref!];
	if (refs.length === 0) out('no running jobs to stop');
	const results = await Promise.allSettled(refs.map(async id => stop(ctx.paths, ctx.tmux, await findTarget(ctx.paths, ctx.tmux, id))));
	const failures = results.flatMap(result => (result.status === 'rejected' ? [result.reason as Error] : []));
	for (const result of results) if (result.status === 'fulfilled') out(`stopped ${result.value.id} (${result.value.name}); its window and worktree stay`);
	if (failures.length === 1) throw failures[0];
	if (failures.length > 1) throw new AoError(`${failures.length} jobs could not be stopped: ${failures.map(failure => failure.message).join('; ')}`);
}

export async function rmCommand(ref: string, options: {force?: boolean}): Promise<void> {
	const ctx = context();
	const target = await findTarget(ctx.paths, ctx.tmux, ref);
	const result = await removeJob(ctx.paths, ctx.tmux, target, Boolean(options.force));
	for (const note of result.notes) out(`note: ${note}`);
	if (result.archivedTo) {
		out(`saved its unsaved work to ${result.archivedTo} in ${tildify(result.job.repo!)}; get it back with: git -C ${tildify(result.job.repo!)} checkout -b ${result.job.branch ?? 'recovered'} ${result.archivedTo}`);
	}

	out(`removed ${result.job.id} (${result.job.name})`);
}

export async function pinCommand(ref: string, pinned: boolean): Promise<void> {
	const ctx = context();
	const target = await findTarget(ctx.paths, ctx.tmux, ref);
	const job = await setPinned(ctx.paths, target.job, pinned);
	out(`${pinned ? 'pinned' : 'unpinned'} ${job.id} (${job.name})`);
}

export async function renameCommand(ref: string, name: string): Promise<void> {
	const ctx = context();
	const target = await findTarget(ctx.paths, ctx.tmux, ref);
	const job = await rename(ctx.paths, ctx.tmux, target, name);
	out(`renamed ${job.id} to ${job.name}`);
}
