import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {root} from './helpers/ao.js';

// The shape of the code: cli -> core -> (tmux | git | processes), nothing importing upward, small files.

const sourceFiles = readdirSync(path.join(root, 'src'), {recursive: true}).map(String).filter(file => file.endsWith('.ts')).map(file => path.join('src', file));
const importsOf = (file: string): string[] => [...readFileSync(path.join(root, file), 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map(match => match[1]!);
const resolved = (file: string, specifier: string): string => (specifier.startsWith('.') ? path.normalize(path.join(path.dirname(file), specifier)) : specifier);

test('nothing imports upward: only the CLI imports src/cli, only the CLI and the UI import src/ui', t => {
	const wrong: string[] = [];
	for (const file of sourceFiles) {
		for (const target of importsOf(file).map(specifier => resolved(file, specifier))) {
			if (target.startsWith('src/cli/') && !file.startsWith('src/cli/')) wrong.push(`${file} imports ${target}`);
			if (target.startsWith('src/ui/') && !file.startsWith('src/cli/') && !file.startsWith('src/ui/')) wrong.push(`${file} imports ${target}`);
		}
	}

	t.deepEqual(wrong, []);
});

test('one module runs tmux, one git, one other programs: nothing else starts a process', t => {
	const spawning = sourceFiles.filter(file => importsOf(file).some(specifier => ['node:child_process', 'execa', 'simple-git'].includes(specifier)));
	t.deepEqual(spawning.sort(), ['src/core/git/git.ts', 'src/core/processes/processes.ts', 'src/core/tmux/tmux.ts']);
});

test('no source file is much over 400 lines', t => {
	const long = sourceFiles.map(file => [file, readFileSync(path.join(root, file), 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 430);
	t.deepEqual(long, []);
});
