import {runDoctor} from '../core/doctor.js';
import {context} from './context.js';
import {out, paint, printJson} from './io.js';

export async function run(options: {json?: boolean}): Promise<void> {
	const ctx = context();
	const checks = await runDoctor(ctx.paths, ctx.tmux, ctx.cwd);
	if (options.json) printJson(checks);
	else out(checks.map(check => `${check.ok ? paint('32', 'ok  ') : paint('31', 'FAIL')} ${check.name.padEnd(10)} ${check.detail}`).join('\n'));
	if (checks.some(check => !check.ok)) process.exitCode = 1;
}
