import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {ensurePrivateDir, writeFileAtomic} from '../processes/atomic-file.js';
import {StatePaths} from '../paths.js';

/**
 * The user's own tmux servers that asked to hear from ao (ao's plugin registers its server; `ao attach` run inside
 * tmux registers that one). Notifications are shown in their clients too. A file per server socket.
 */
function registryDir(paths: StatePaths): string {
	return path.join(paths.home, 'tmux-servers');
}

/** The socket path of the tmux server $TMUX points at ("/tmp/tmux-1000/default,1234,0"). Pure. */
export function socketFromTmuxEnv(tmuxEnv: string | undefined): string | undefined {
	const socket = tmuxEnv?.split(',')[0];
	return socket ? socket : undefined;
}

export async function registerUserServer(paths: StatePaths, socket: string): Promise<void> {
	const dir = registryDir(paths);
	await ensurePrivateDir(dir);
	const file = path.join(dir, `${createHash('sha256').update(socket).digest('hex').slice(0, 16)}.json`);
	if (!existsSync(file)) await writeFileAtomic(file, JSON.stringify({socket}) + '\n');
}

/** Registered servers whose socket still exists; the others are forgotten. */
export async function userServers(paths: StatePaths): Promise<string[]> {
	const dir = registryDir(paths);
	const files = await fs.readdir(dir).catch(() => [] as string[]);
	const sockets: string[] = [];
	for (const file of files.filter(name => name.endsWith('.json'))) {
		const socket = await fs.readFile(path.join(dir, file), 'utf8').then(text => (JSON.parse(text) as {socket?: string}).socket).catch(() => undefined);
		if (socket && existsSync(socket)) sockets.push(socket);
		else await fs.rm(path.join(dir, file), {force: true});
	}

	return sockets;
}
