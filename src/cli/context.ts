import {sshAgentLink} from '../core/processes/agent-env.js';
import {socketName, StatePaths, aoHome} from '../core/paths.js';
import {Tmux} from '../core/tmux/tmux.js';
import type {CommandIO} from './io.js';

/** What every command needs: the state dir, the ao server, the environment. One place, so tests can point it elsewhere. */
export interface Context {
	paths: StatePaths;
	tmux: Tmux;
	env: NodeJS.ProcessEnv;
	cwd: string;
}

export function context(io: CommandIO): Context {
	const paths = new StatePaths(aoHome(io.env));
	// Any command run from a new SSH login points the agents' SSH agent link at that login's agent (see sshAgentLink).
	if (io.env.SSH_AUTH_SOCK) sshAgentLink(paths, io.env);
	return {paths, tmux: new Tmux(socketName(io.env)), env: io.env, cwd: io.cwd};
}
