import {socketName, StatePaths} from '../core/paths.js';
import {Tmux} from '../core/tmux.js';

/** What every command needs: the state dir, the ao server, the environment. One place, so tests can point it elsewhere. */
export interface Context {
	paths: StatePaths;
	tmux: Tmux;
	env: NodeJS.ProcessEnv;
	cwd: string;
}

export function context(): Context {
	return {paths: new StatePaths(), tmux: new Tmux(socketName()), env: process.env, cwd: process.cwd()};
}
