import {runDemo} from '../../core/demo.js';
import {aoBin, tildify} from '../../core/paths.js';
import {table} from '../../ui/format.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {printList} from './list.js';

export default defineCommand<[], object>({
	name: 'demo',
	description: 'start three demo agents in a scratch repository and show them',
	async run(io) {
		const ctx = context(io);
		io.out(io.paint('1', 'ao demo: three demo agents in a scratch repository (no account needed)'));
		const {repo, jobs} = await runDemo(ctx.paths, ctx.env);
		const ao = ctx.env.PATH?.split(':').some(dir => dir && aoBin.startsWith(dir)) ? 'ao' : tildify(aoBin);
		io.out(`repository: ${tildify(repo)}\n`);
		await printList(io, {all: true, under: repo});
		const [approved, finished, waiting] = jobs;
		const tries = table([
			[`${ao} peek ${waiting!.name}`, 'its screen, without attaching'],
			[`${ao} send ${waiting!.name} y`, 'answer it without attaching'],
			[`${ao} attach ${waiting!.name}`, 'step in (Ctrl-q comes back)'],
			[`${ao} logs ${approved!.name}`, 'everything it printed'],
			[`${ao} rm ${approved!.name}`, 'refused: its commit is on no other branch (--force archives it first)'],
			[`${ao} stop --all-running`, 'end every agent'],
		], 200);
		io.out(`
${io.paint('1', 'What happened')}: ${approved!.name} had its change approved (y) and waits for its next task;
${finished!.name} was approved and told "exit", so it completed; ${waiting!.name} still asks "Apply this change? [y/N]".

${io.paint('1', 'Try')}:
${tries.map(line => `  ${line}`).join('\n')}`);
	},
});
