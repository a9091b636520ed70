import {Supervisor} from '../core/supervisor/supervisor.js';
import {context} from './context.js';

export async function run(): Promise<void> {
	const ctx = context();
	const supervisor = await Supervisor.create(ctx.paths, ctx.tmux);
	process.exitCode = await supervisor.run();
}
