/**
 * `make test-faults`: runs the fault-injection suite (test/faults/*.test.ts) with ava and ends with one summary
 * line per category, e.g. "faults: 3 cases, 3 passed, 0 failed (kill -9)", then one for all of them.
 */
import {spawn} from 'node:child_process';
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const categories: Record<string, string> = {
	kill: 'kill -9 of the supervisor, the CLI, the tmux server',
	races: 'concurrent writers',
	corrupt: 'corrupt state files',
	'disk-full': 'a full disk',
	'hostile-input': 'hostile tasks, names and ids',
	moved: 'worktrees, branches and repositories changed by hand',
};
const files = readdirSync(here).filter(file => file.endsWith('.test.js')).sort().map(file => path.join('dist', 'test', 'faults', file));
const counts = new Map<string, {passed: number; failed: number}>();
let pending = '';

function record(line: string): void {
	const match = /^(not ok|ok) \d+ - (.*)$/.exec(line);
	if (!match) return;
	const category = Object.keys(categories).find(name => match[2]!.startsWith(`${name} › `) || match[2]!.includes(`faults › ${name} › `)) ?? (files.length === 1 ? path.basename(files[0]!, '.test.js') : 'other');
	const count = counts.get(category) ?? {passed: 0, failed: 0};
	if (match[1] === 'ok') count.passed++;
	else count.failed++;
	counts.set(category, count);
}

const child = spawn(path.join(root, 'node_modules', '.bin', 'ava'), ['--tap', ...files], {cwd: root, stdio: ['ignore', 'pipe', 'inherit']});
child.stdout.on('data', (chunk: Buffer) => {
	process.stdout.write(chunk);
	const text = pending + chunk.toString('utf8');
	const lines = text.split('\n');
	pending = lines.pop()!;
	for (const line of lines) record(line);
});
child.on('close', code => {
	record(pending);
	const line = (count: {passed: number; failed: number}) => `faults: ${count.passed + count.failed} cases, ${count.passed} passed, ${count.failed} failed`;
	process.stdout.write('\n');
	for (const [category, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) process.stdout.write(`${line(count)} (${categories[category] ?? category})\n`);
	const total = [...counts.values()].reduce((sum, count) => ({passed: sum.passed + count.passed, failed: sum.failed + count.failed}), {passed: 0, failed: 0});
	process.stdout.write(`${line(total)} (all)\n`);
	process.exitCode = code === 0 && total.failed === 0 && total.passed > 0 ? 0 : 1;
});
