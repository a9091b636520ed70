import type {JobView} from '../../core/jobs/list.js';
import {listHosts, type HostListing} from '../../core/hosts/listing.js';
import {runOnHost} from '../../core/hosts/remote.js';
import {sshArgv} from '../../core/hosts/ssh.js';
import type {Config} from '../../core/config/config-schema.js';
import type {StatePaths} from '../../core/paths.js';
import type {KeyContext} from './key-actions.js';

/** A row of another host's job: its id made unique among all hosts' (`box1:3f9c2a1d`), with the host's own beside it. */
export type RemoteRow = JobView & {host: string; remoteId: string; stale?: boolean};

export function isRemote(job: JobView): job is RemoteRow {
	return typeof (job as Partial<RemoteRow>).remoteId === 'string';
}

/** Every host's jobs as dashboard rows, and the hosts that did not answer. */
export async function remoteRows(paths: StatePaths, config: Config): Promise<{rows: RemoteRow[]; listings: HostListing[]}> {
	const listings = await listHosts(paths, config, process.env, {all: true});
	const rows = listings.flatMap(listing => listing.jobs.map(job => ({...job, id: `${listing.host}:${job.id}`, remoteId: job.id, host: listing.host})));
	return {rows, listings};
}

/** The job's screen on its host (ao peek there). */
export async function remotePeek(paths: StatePaths, config: Config, job: RemoteRow): Promise<string> {
	const result = await runOnHost(paths, config.hosts[job.host]!, ['peek', job.remoteId], process.env, 15_000);
	return result.exitCode === 0 ? result.stdout : `(${job.host}: ${result.stderr.trim() || 'no answer'})`;
}

/** The keys that act on another host's job, each as the ao command that host runs. */
export const remoteKeys = new Set(['enter', 'r', 's', 'S-r', 'd', 'x', 'p', 'l', 'S-d', 'S-m', 'S-p', 'S-a']);

/** Runs the key's command on the job's host; says what it printed. Enter attaches there with ssh -t. */
export async function remoteKey(context: KeyContext & {attach(argv: string[]): Promise<void>}, job: RemoteRow, key: string): Promise<void> {
	const {paths, config} = context;
	const host = config.hosts[job.host];
	if (!host) throw new Error(`${job.host} is no longer in the config`);
	const where = `${job.name} on ${job.host}`;
	if (key === 'enter') {
		await context.attach(sshArgv(paths, host, ['attach', job.remoteId], {tty: true}));
		await context.done(`back from ${where}`);
		return;
	}

	let args: string[] | undefined;
	if (key === 'r') {
		const text = await context.ask(`reply to ${where} (Enter sends, Esc cancels)`);
		args = text === undefined ? undefined : ['send', job.remoteId, text];
	} else if (key === 'd') {
		const answer = await context.ask(`delete ${where} (its agent, window, worktree and branch there)? Enter deletes (refused if it has unsaved work), force archives that work first; Esc keeps it`);
		args = answer === undefined ? undefined : ['rm', job.remoteId, ...(answer.trim() === 'force' ? ['--force'] : [])];
	} else if (key === 'S-m') {
		const answer = await context.ask(`merge ${where} into its base there? Enter merges (or type --squash, --rebase, --ff-only, --commit); Esc cancels`);
		args = answer === undefined ? undefined : ['merge', job.remoteId, ...answer.trim().split(/\s+/).filter(Boolean)];
	} else {
		const simple: Record<string, string[]> = {
			s: ['stop'], 'S-r': ['resume'], x: ['dismiss'], p: [job.pinned ? 'unpin' : 'pin'], l: ['logs'], 'S-d': ['diff'], 'S-p': ['pr'], 'S-a': ['merge', '--ask-agent'],
		};
		const [command, ...flags] = simple[key]!;
		args = [command!, job.remoteId, ...flags];
	}

	if (!args) return;
	context.note(`${args[0]} ${where}…`);
	const result = await runOnHost(paths, host, args, process.env, 60_000);
	if ((key === 'l' || key === 'S-d') && result.exitCode === 0) {
		await context.show(`${key === 'l' ? 'log' : 'diff'} of ${where}`, result.stdout);
		context.note('');
		return;
	}

	const said = (result.exitCode === 0 ? result.stdout : result.stderr).trim().split('\n')[0]?.replace(/^ao: /, '') ?? '';
	await context.done(`${job.host}: ${said || (result.exitCode === 0 ? 'done' : `exit ${result.exitCode ?? '?'}`)}`);
}
