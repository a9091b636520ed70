import path from 'node:path';
import {SshServer} from '../test/helpers/sshd.js';
import {alternate, recordPair} from './lib.js';
import {aoBin, World} from './world.js';

/**
 * `ao list` across three hosts beside `ao list --host local`, with the connections warm: each host is another world
 * (state dir, tmux server) of this machine behind a real sshd on 127.0.0.1, with 5 jobs each, as are the local jobs.
 */
export async function hostsSideBySide(): Promise<void> {
	const section = 'hosts: ao list across three hosts (real sshd on 127.0.0.1, connections warm)';
	const hosts = ['box1', 'box2', 'box3'].map(name => ({name, world: new World(`host-${name}`)}));
	const local = new World('hosts-local');
	const sshd = await SshServer.start(path.join(local.dir, 'sshd'));
	try {
		for (const {world} of hosts) await world.init();
		const lines = ['hosts:', ...hosts.flatMap(({name, world}) => [
			`  ${name}:`, `    ssh: ${sshd.destination}`, `    ssh_args: ${JSON.stringify(sshd.clientArgs)}`,
			`    ao: ${JSON.stringify(`${Object.entries(world.env).map(([key, value]) => `${key}=${value === '' ? '""' : value}`).join(' ')} ${process.execPath} ${aoBin}`)}`,
		])];
		await local.init();
		const {appendFile} = await import('node:fs/promises');
		await appendFile(local.configFile, `${lines.join('\n')}\n`);
		for (const world of [local, ...hosts.map(host => host.world)]) {
			for (let index = 0; index < 5; index++) await world.ao(['dispatch', '-n', `job-${index}`, '--', 'sleep', '600']);
		}

		await local.ao(['list']);
		const pair = await alternate(20, async () => local.ao(['list']), async () => local.ao(['list', '--host', 'local']));
		recordPair(section, ['ao list, this machine and 3 hosts (20 jobs)', 'ao list --host local (5 jobs)'], 'ms', pair);
	} finally {
		await sshd.stop();
		for (const world of [local, ...hosts.map(host => host.world)]) await world.cleanup();
	}
}
