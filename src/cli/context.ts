import {sshAgentLink} from '../core/processes/agent-env.js';
import {socketName, StatePaths} from '../core/paths.js';
import {Tmux} from '../core/tmux/tmux.js';

/** What every command needs: the state dir, the ao server, the environment. One place, so tests can point it elsewhere. */
export interface Context {
	paths: StatePaths;
	tmux: Tmux;
	env: NodeJS.ProcessEnv;
	cwd: string;
}

export function context(): Context {
	const paths = new StatePaths();
	// Any command run from a new SSH login points the agents' SSH agent link at that login's agent (see sshAgentLink).
	if (process.env.SSH_AUTH_SOCK) sshAgentLink(paths, process.env);
	return {paths, tmux: new Tmux(socketName()), env: process.env, cwd: process.cwd()};
}
