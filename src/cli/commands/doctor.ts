import {runDoctor} from '../../core/doctor.js';
import {findLeftovers, repairLeftovers} from '../../core/jobs/leftovers.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

export default defineCommand<[], {json?: boolean; repair?: boolean}>({
	name: 'doctor',
	description: 'check tmux, git, config, the state dir, leftovers of interrupted commands, the server and the supervisor',
	options: [
		{flags: '--json', description: 'as JSON'},
		{flags: '--repair', description: 'first clean up what interrupted commands left: half-made jobs, windows without a record'},
	],
	async run(io, [], options) {
		const ctx = context(io);
		const repaired = options.repair ? await repairLeftovers(ctx.paths, ctx.tmux, await findLeftovers(ctx.paths, ctx.tmux)) : undefined;
		if (repaired && !options.json) io.out(repaired.length > 0 ? repaired.map(line => `repaired: ${line}`).join('\n') : 'nothing to repair');
		const checks = await runDoctor(ctx.paths, ctx.tmux, ctx.cwd);
		// The same data as the text: with --repair, what was repaired comes first.
		if (options.json) io.json(repaired ? {repaired, checks} : checks);
		else io.out(checks.map(check => `${check.ok ? io.paint('32', 'ok  ') : io.paint('31', 'FAIL')} ${check.name.padEnd(10)} ${check.detail}`).join('\n'));
		if (checks.some(check => !check.ok)) io.exitCode = 1;
	},
});
