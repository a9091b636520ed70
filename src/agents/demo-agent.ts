import fs from 'node:fs/promises';
import path from 'node:path';
import {createInterface} from 'node:readline/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {commitFiles, restoreFile} from '../core/git/git.js';
import {StatePaths} from '../core/paths.js';
import {report} from '../core/jobs/report.js';
import type {JobState} from '../core/jobs/states.js';

/**
 * A scripted coding agent for demos and tests: it works on a task in its directory (a note file stands in for a
 * code change), asks "Apply this change? [y/N]", commits on "y", then waits for the next instruction. "exit" ends it.
 * Run by ao, it reports its state the way an agent with hooks does (`ao report`), so the groups change at once.
 */

const color = !process.env.NO_COLOR && process.stdout.isTTY;
const paint = (code: string, text: string) => (color ? `\u001B[${code}m${text}\u001B[0m` : text);
const delayMs = Number(process.env.AO_DEMO_DELAY_MS ?? 400);
const notesFile = 'AGENT_NOTES.md';

async function tell(state: JobState, reason: string): Promise<void> {
	if (process.env.AO_JOB_ID) await report(new StatePaths(), process.env.AO_JOB_ID, {state, reason}).catch(() => undefined);
}

async function step(text: string): Promise<void> {
	await sleep(delayMs);
	process.stdout.write(`${paint('2', '·')} ${text}\n`);
}

async function work(task: string, ask: (question: string) => Promise<string>): Promise<void> {
	const cwd = process.cwd();
	await tell('working', task.split('\n')[0]!.slice(0, 60));
	process.stdout.write(`${paint('1;36', 'demo agent')} working on: ${task}\n`);
	const files = (await fs.readdir(cwd)).filter(file => !file.startsWith('.'));
	await step(`reading the repository (${files.length} ${files.length === 1 ? 'entry' : 'entries'} at the top)`);
	await step('planning the change');
	const notes = path.join(cwd, notesFile);
	const line = `- ${new Date().toISOString().slice(0, 19)}Z ${task.replaceAll('\n', ' ')}\n`;
	await fs.appendFile(notes, line);
	await step(`edited ${notesFile}`);
	process.stdout.write(`${paint('32', `+ ${line.trimEnd()}`)}\n`);
	await tell('needs-input', 'asks: Apply this change? [y/N]');
	const answer = (await ask('Apply this change? [y/N] ')).trim().toLowerCase();
	await tell('working', answer === 'y' || answer === 'yes' ? 'applying the change' : 'discarding the change');
	if (answer === 'y' || answer === 'yes') {
		const hash = await commitFiles(cwd, [notesFile], `demo agent: ${task.split('\n')[0]!.slice(0, 60)}`).catch(error => `not committed (${(error as Error).message.split('\n')[0]})`);
		process.stdout.write(`${paint('32', 'applied')} ${hash}\n`);
	} else {
		await restoreFile(cwd, notesFile).catch(() => undefined);
		process.stdout.write(`${paint('33', 'discarded')} the change\n`);
	}
}

export async function runDemoAgent(task: string, resumed: boolean): Promise<number> {
	const rl = createInterface({input: process.stdin, output: process.stdout, terminal: false});
	const lines = rl[Symbol.asyncIterator]();
	const ask = async (question: string): Promise<string> => {
		process.stdout.write(question);
		const next = await lines.next();
		if (next.done) throw new Error('input closed');
		return next.value as string;
	};

	try {
		if (resumed) process.stdout.write(`${paint('1;36', 'demo agent')} resumed\n`);
		if (task) await work(task, ask);
		for (;;) {
			await tell('ready', 'done; waiting for the next task');
			process.stdout.write(`${paint('1', 'Done.')} Type a new task, or "exit".\n`);
			const next = (await ask('> ')).trim();
			if (next === 'exit') break;
			if (next) await work(next, ask);
		}
	} catch (error) {
		if ((error as Error).message !== 'input closed') throw error;
	} finally {
		rl.close();
	}

	process.stdout.write('bye\n');
	return 0;
}
