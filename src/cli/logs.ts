import {createReadStream, existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {findTarget} from '../core/jobs/control.js';
import {AoError, UsageError} from '../core/errors.js';
import {plainText} from '../core/jobs/output-log.js';
import {context} from './context.js';

async function print(file: string, raw: boolean): Promise<number> {
	const content = await fs.readFile(file);
	process.stdout.write(raw ? content : plainText(content.toString('utf8')));
	return content.length;
}

/** Prints what is appended to `file` until interrupted; plain mode prints whole lines only, so codes are never cut. */
async function follow(file: string, from: number, raw: boolean): Promise<never> {
	let offset = from;
	let pending = '';
	for (;;) {
		const size = (await fs.stat(file).catch(() => ({size: 0}))).size;
		if (size < offset) offset = 0;
		if (size > offset) {
			const chunk = await new Promise<Buffer>((resolve, reject) => {
				const parts: Buffer[] = [];
				createReadStream(file, {start: offset, end: size - 1}).on('data', part => parts.push(part as Buffer)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject);
			});
			offset = size;
			if (raw) {
				process.stdout.write(chunk);
			} else {
				pending += chunk.toString('utf8');
				const cut = pending.lastIndexOf('\n') + 1;
				if (cut > 0) process.stdout.write(plainText(pending.slice(0, cut)));
				pending = pending.slice(cut);
			}
		}

		await sleep(250);
	}
}

export async function run(ref: string | undefined, options: {follow?: boolean; raw?: boolean; supervisor?: boolean}): Promise<void> {
	const ctx = context();
	if (Boolean(ref) === Boolean(options.supervisor)) throw new UsageError('give a job, or --supervisor for the supervisor log');
	let file: string;
	if (options.supervisor) {
		file = ctx.paths.supervisorLog;
		if (!existsSync(file)) throw new AoError('the supervisor has not logged anything yet (it starts with the first ao dispatch)');
	} else {
		const {job} = await findTarget(ctx.paths, ctx.tmux, ref!);
		file = ctx.paths.outputLog(job.id);
		if (!existsSync(file)) await fs.writeFile(file, '', {flag: 'a', mode: 0o600});
	}

	const printed = await print(file, Boolean(options.raw));
	if (options.follow) await follow(file, printed, Boolean(options.raw));
}
