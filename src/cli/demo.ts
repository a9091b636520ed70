import {runDemo} from '../core/demo.js';
import {aoBin, tildify} from '../core/paths.js';
import {context} from './context.js';
import {table} from '../ui/format.js';
import {out, paint} from './io.js';

export async function run(): Promise<void> {
	const ctx = context();
	out(paint('1', 'ao demo: three demo agents in a scratch repository (no account needed)'));
	const {repo, jobs} = await runDemo(ctx.paths, ctx.env);
	const ao = process.env.PATH?.split(':').some(dir => dir && aoBin.startsWith(dir)) ? 'ao' : tildify(aoBin);
	out(`repository: ${tildify(repo)}\n`);
	const {run: list} = await import('./list.js');
	await list({all: true, cwd: repo});
	const [approved, finished, waiting] = jobs;
	const tries = table([
		[`${ao} peek ${waiting!.name}`, 'its screen, without attaching'],
		[`${ao} send ${waiting!.name} y`, 'answer it without attaching'],
		[`${ao} attach ${waiting!.name}`, 'step in (Ctrl-q comes back)'],
		[`${ao} logs ${approved!.name}`, 'everything it printed'],
		[`${ao} rm ${approved!.name}`, 'refused: its commit is on no other branch (--force archives it first)'],
		[`${ao} stop --all-running`, 'end every agent'],
	], 200);
	out(`
${paint('1', 'What happened')}: ${approved!.name} had its change approved (y) and waits for its next task;
${finished!.name} was approved and told "exit", so it completed; ${waiting!.name} still asks "Apply this change? [y/N]".

${paint('1', 'Try')}:
${tries.map(line => `  ${line}`).join('\n')}`);
}
