import {createHash} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The project folder (this file is dist/src/core/paths.js once built). */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const aoBin = path.join(packageRoot, 'bin', 'ao');
export const defaultConfigFile = path.join(packageRoot, 'config', 'default.yaml');
export const supervisorConfFile = path.join(packageRoot, 'tmux', 'supervisor.conf');

export const repoConfigName = '.ao.yaml';

export function aoHome(env: NodeJS.ProcessEnv = process.env): string {
	if (env.AO_HOME) return path.resolve(env.AO_HOME);
	const stateHome = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
	return path.join(stateHome, 'ao');
}

export function socketName(env: NodeJS.ProcessEnv = process.env): string {
	return env.AO_SOCKET || 'ao';
}

export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
	if (env.AO_CONFIG) return path.resolve(env.AO_CONFIG);
	const configHome = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
	return path.join(configHome, 'ao', 'config.yaml');
}

/** Where everything of one ao state dir lives. Job ids are validated before they reach these functions. */
export class StatePaths {
	readonly home: string;

	constructor(home = aoHome()) {
		this.home = home;
	}

	get jobsDir(): string {
		return path.join(this.home, 'jobs');
	}

	get supervisorLog(): string {
		return path.join(this.home, 'supervisor.log');
	}

	/** Where the supervisor answers the commands that must start fast (list, peek, send): see command-socket.ts. */
	get commandSocket(): string {
		return path.join(this.home, 'supervisor.sock');
	}

	get supervisorPid(): string {
		return path.join(this.home, 'supervisor.pid');
	}

	/** Which ao the running supervisor runs (version, build, bin) and in which pane: see supervisorOutdated. */
	get supervisorInfo(): string {
		return path.join(this.home, 'supervisor.json');
	}

	/** Held while deciding which queued jobs start, so caps hold under concurrent dispatches. */
	get startLock(): string {
		return path.join(this.home, 'locks', 'start.lock');
	}

	/** The status-line text the supervisor keeps current, for the tmux plugin's segment (read by tmux/status.sh). */
	get statusLineFile(): string {
		return path.join(this.home, 'status-line');
	}

	/** Tokens per job, burn rate and quota window, kept current by the supervisor for list, dashboard and queue. */
	get usageSummary(): string {
		return path.join(this.home, 'usage.json');
	}

	/** CPU, memory, processes, open files and inotify watches of each live agent, kept current by the supervisor. */
	get resourcesFile(): string {
		return path.join(this.home, 'resources.json');
	}

	get trustFile(): string {
		return path.join(this.home, 'trust.json');
	}

	/** names/<name> holds the id of the job that has the name: names are claimed atomically, like ids. */
	nameClaim(name: string): string {
		return path.join(this.home, 'names', name);
	}

	/** A lock per repository, for git commands that must not run at once in one repo (git worktree add). */
	repoLock(repo: string): string {
		return path.join(this.home, 'locks', `${createHash('sha256').update(repo).digest('hex').slice(0, 16)}.lock`);
	}

	jobDir(id: string): string {
		return path.join(this.jobsDir, id);
	}

	stateFile(id: string): string {
		return path.join(this.jobDir(id), 'state.json');
	}

	eventsFile(id: string): string {
		return path.join(this.jobDir(id), 'events.jsonl');
	}

	/** The environment the agent starts with (0600; sourced by tmux/agent.sh, never printed). */
	envFile(id: string): string {
		return path.join(this.jobDir(id), 'env');
	}

	/** Written once ao dispatch warned that logind kills agents at logout, so it says so once. */
	get logoutWarned(): string {
		return path.join(this.home, 'logout-warned');
	}

	/** A symlink to the newest live SSH agent socket an ao command saw: agents' SSH_AUTH_SOCK (see sshAgentLink). */
	get sshAgentLink(): string {
		return path.join(this.home, 'ssh-agent.sock');
	}

	outputLog(id: string): string {
		return path.join(this.jobDir(id), 'output.log');
	}
}

/** `/home/me/x` -> `~/x`, for messages. */
export function tildify(file: string): string {
	const home = os.homedir();
	return file === home || file.startsWith(home + path.sep) ? '~' + file.slice(home.length) : file;
}

export function expandHome(file: string): string {
	return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
}
