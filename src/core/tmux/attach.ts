import type {Config} from '../config/config-schema.js';
import {AoError} from '../errors.js';
import type {Target} from '../jobs/control.js';
import {openInUserTmux, tmuxSupportsPopup, type Tmux} from './tmux.js';

export type AttachMode = 'terminal' | 'popup' | 'window';

/**
 * Shows the agent's window: outside tmux this terminal attaches (returns when the user detaches); inside the
 * user's own tmux a nested client opens in a popup or a new window there.
 */
export async function attach(tmux: Tmux, target: Target, config: Config, env: NodeJS.ProcessEnv = process.env): Promise<{mode: AttachMode; exitCode: number}> {
	if (!target.pane) throw new AoError(`job ${target.job.id} (${target.job.name}) has no window (${target.job.state}: ${target.job.reason}); see its output with: ao logs ${target.job.id}`);
	await tmux.bindDetachKey(config.attach.detach_key);
	const argv = tmux.attachArgv(target.pane.windowId);
	if (!env.TMUX) return {mode: 'terminal', exitCode: await tmux.attachHere(argv)};
	const popup = config.attach.popup && tmuxSupportsPopup(await tmux.version());
	await openInUserTmux(argv, {popup, popupSize: config.attach.popup_size, title: `ao: ${target.job.name}`});
	return {mode: popup ? 'popup' : 'window', exitCode: 0};
}
