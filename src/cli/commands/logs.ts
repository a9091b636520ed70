import {createReadStream, existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {findTarget} from '../../core/jobs/control.js';
import {AoError, UsageError} from '../../core/errors.js';
import {plainText} from '../../core/jobs/output-log.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import type {CommandIO} from '../io.js';

async function print(io: CommandIO, file: string, raw: boolean): Promise<number> {
	const content = await fs.readFile(file);
	io.stdout.write(raw ? content : plainText(content.toString('utf8')));
	return content.length;
}

/** Prints what is appended to `file` until interrupted; plain mode prints whole lines only, so codes are never cut. */
async function follow(io: CommandIO, file: string, from: number, raw: boolean): Promise<never> {
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
				io.stdout.write(chunk);
			} else {
				pending += chunk.toString('utf8');
				const cut = pending.lastIndexOf('\n') + 1;
				if (cut > 0) io.stdout.write(plainText(pending.slice(0, cut)));
				pending = pending.slice(cut);
			}
		}

		await sleep(250);
	}
}

export default defineCommand<[string | undefined], {follow?: boolean; raw?: boolean; supervisor?: boolean}>({
	name: 'logs',
	description: 'print everything the agent printed',
	args: [['[job]', 'id, unique id prefix or name']],
	options: [
		{flags: '-f, --follow', description: 'keep printing new output'},
		{flags: '--raw', description: 'with colours and control codes, as the agent wrote them'},
		{flags: '--supervisor', description: 'the supervisor\'s log instead'},
	],
	async run(io, [ref], options) {
		const ctx = context(io);
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

		const printed = await print(io, file, Boolean(options.raw));
		if (options.follow) await follow(io, file, printed, Boolean(options.raw));
	},
});
