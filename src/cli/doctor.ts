import {runDoctor} from '../core/doctor.js';
import {findLeftovers, repairLeftovers} from '../core/jobs/leftovers.js';
import {context} from './context.js';
import {out, paint, printJson} from './io.js';

export async function run(options: {json?: boolean; repair?: boolean}): Promise<void> {
	const ctx = context();
	const repaired = options.repair ? await repairLeftovers(ctx.paths, ctx.tmux, await findLeftovers(ctx.paths, ctx.tmux)) : undefined;
	if (repaired && !options.json) out(repaired.length > 0 ? repaired.map(line => `repaired: ${line}`).join('\n') : 'nothing to repair');
	const checks = await runDoctor(ctx.paths, ctx.tmux, ctx.cwd);
	// The same data as the text: with --repair, what was repaired comes first.
	if (options.json) printJson(repaired ? {repaired, checks} : checks);
	else out(checks.map(check => `${check.ok ? paint('32', 'ok  ') : paint('31', 'FAIL')} ${check.name.padEnd(10)} ${check.detail}`).join('\n'));
	if (checks.some(check => !check.ok)) process.exitCode = 1;
}
