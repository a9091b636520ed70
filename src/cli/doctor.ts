import {runDoctor} from '../core/doctor.js';
import {findLeftovers, repairLeftovers} from '../core/leftovers.js';
import {context} from './context.js';
import {out, paint, printJson} from './io.js';

export async function run(options: {json?: boolean; repair?: boolean}): Promise<void> {
	const ctx = context();
	if (options.repair) {
		const done = await repairLeftovers(ctx.paths, ctx.tmux, await findLeftovers(ctx.paths, ctx.tmux));
		if (!options.json) out(done.length > 0 ? done.map(line => `repaired: ${line}`).join('\n') : 'nothing to repair');
	}

	const checks = await runDoctor(ctx.paths, ctx.tmux, ctx.cwd);
	if (options.json) printJson(checks);
	else out(checks.map(check => `${check.ok ? paint('32', 'ok  ') : paint('31', 'FAIL')} ${check.name.padEnd(10)} ${check.detail}`).join('\n'));
	if (checks.some(check => !check.ok)) process.exitCode = 1;
}
