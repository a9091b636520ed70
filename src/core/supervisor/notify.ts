import fs from 'node:fs/promises';
import type {Config} from '../config/config-schema.js';
import type {Job} from '../jobs/job.js';
import {runShellCommand} from '../processes/processes.js';
import {displayMessageOnServer, type Tmux} from '../tmux/tmux.js';

/** The one-line message for a job that now needs the user. Pure. */
export function notificationText(job: Job): string {
	const what = job.state === 'needs-input' ? 'needs input' : 'is ready for review';
	return `ao: ${job.name} (${job.id}) ${what}${job.reason ? `: ${job.reason}` : ''}`;
}

/**
 * Tells the user a job needs them: a message in the clients of the ao server and of the user's own tmux servers that
 * registered (the plugin, or an `ao attach` from inside tmux), the bell on the ao server's terminals,
 * and notify.command with the job as JSON on stdin. Never throws: a notification must not stop the supervisor.
 */
export async function notify(config: Config, tmux: Tmux, job: Job, userServers: string[] = []): Promise<void> {
	const text = notificationText(job);
	if (config.notify.message) {
		await tmux.displayMessage(text).catch(() => undefined);
		for (const socket of userServers) await displayMessageOnServer(socket, text).catch(() => undefined);
	}

	if (config.notify.bell) {
		for (const tty of await tmux.clientTtys().catch(() => [])) await fs.appendFile(tty, '\u0007').catch(() => undefined);
	}

	if (config.notify.command.trim()) {
		await runShellCommand(config.notify.command, JSON.stringify(job) + '\n', {AO_JOB_ID: job.id, AO_MESSAGE: text});
	}
}
