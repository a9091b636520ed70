import {stringify} from 'yaml';
import {loadConfig} from '../../core/config/config.js';
import {tildify} from '../../core/paths.js';
import {defineCommand} from '../command.js';
import {context} from '../context.js';

export default defineCommand<[], {path?: boolean; json?: boolean}>({
	name: 'config',
	description: 'print the effective config',
	options: [
		{flags: '--path', description: 'the files it was read from instead'},
		{flags: '--json', description: 'as JSON'},
	],
	async run(io, [], options) {
		const ctx = context(io);
		const {config, sources, skipped} = await loadConfig({cwd: ctx.cwd, paths: ctx.paths, env: ctx.env});
		if (options.path) {
			const rows = sources.map(source => ({file: source.file, role: source.role, trusted: source.role === 'repo' ? !source.untrusted : undefined}));
			if (options.json) io.json(rows);
			else io.out(rows.map(row => `${row.role.padEnd(8)} ${tildify(row.file)}${row.trusted === false ? '  (not trusted: program keys ignored; ao trust)' : ''}`).join('\n'));
			return;
		}

		if (options.json) io.json(config);
		else io.out(stringify(config, {lineWidth: 0}).trimEnd());
		if (skipped.length > 0) io.note(`ignored until "ao trust": ${skipped.join(', ')}`);
	},
});
