import {remoteUrl} from '../../core/git/review.js';
import {findHost, runOnHost, sshProblem} from '../../core/hosts/remote.js';
import {packageRoot} from '../../core/paths.js';
import {thisBuild} from '../../core/supervisor/build.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';
import {configFor} from '../job-target.js';

const install = defineCommand<[string], object>({
	name: 'install',
	description: 'say whether the host runs this ao, and how to put it there',
	args: [['<name>', 'a host from config (hosts.<name>)']],
	async run(io, [name]) {
		const ctx = context(io);
		const host = findHost(await configFor(ctx), name);
		const ours = thisBuild().version;
		const result = await runOnHost(ctx.paths, host, {line: `${host.ao ?? 'ao'} --version`}, ctx.env, 15_000);
		const theirs = result.exitCode === 0 ? result.stdout.trim() : undefined;
		if (result.exitCode === 255) {
			io.out(`${name} (${host.ssh}) does not answer: ${sshProblem(result)}; fix the connection first (ssh ${host.ssh} true)`);
			io.exitCode = 1;
			return;
		}

		if (theirs === ours) {
			io.out(`${name} runs ao ${theirs}, as this one does: nothing to install`);
			return;
		}

		// Where this ao can be fetched from: its checkout's origin, else a copy of the checkout.
		const origin = await remoteUrl(packageRoot);
		const fetch = origin ? `git clone ${origin} ~/ao` : `rsync -a --exclude node_modules --exclude dist ${packageRoot}/ ${host.ssh}:ao/`;
		io.out([
			`${name} ${theirs ? `runs ao ${theirs}` : `has no ao that answers as "${host.ao ?? 'ao'}"`}, and this is ao ${ours}. To put this ao there:`,
			...(origin ? [`  ssh ${host.ssh} '${fetch} && cd ~/ao && make build && make install'`] : [`  ${fetch}`, `  ssh ${host.ssh} 'cd ~/ao && make build && make install'`]),
			`then, if ~/.local/bin is not on the PATH of a non-interactive login there: hosts.${name}.ao: ~/.local/bin/ao`,
		].join('\n'));
		io.exitCode = 1;
	},
});

export default defineCommand({
	name: 'host',
	description: 'the other hosts in config: whether they run this ao, and how to put it there',
	subcommands: [install],
});
