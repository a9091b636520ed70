import {mkdirSync, readFileSync, realpathSync, mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {execa} from 'execa';
import {loadDefaults} from '../src/core/config/config.js';
import {judgeShell, type Verdict} from '../src/core/guard/judge.js';
import {machineContext} from '../src/core/guard/places.js';
import {guardSettings} from '../src/core/guard/settings.js';
import {fixtureAgent} from './helpers/ao.js';

/**
 * The guard against a corpus of real-world commands (test/fixtures/guard-corpus): destructive ones, each tagged with
 * its category, and everyday ones. Judged as an agent's hook judges them: in the agent's own worktree, with the
 * user's main checkout beside it. The figures are printed; the aim is every destructive one caught, at most 1% of
 * the everyday ones stopped.
 */

const corpusDir = path.join(path.dirname(fixtureAgent), 'guard-corpus');
/** Which rules a category tag stands for (a rule name starts with one of these). */
const categories: Record<string, string[]> = {
	sql: ['sql-'], mongo: ['mongo-'], redis: ['redis-'], rm: ['rm-'], find: ['find-'], disk: ['disk-'], git: ['git-'],
	kube: ['kubectl-', 'helm-'], terraform: ['terraform-'], cloud: ['aws-', 'cloud-'], docker: ['docker-'],
};

interface World {
	main: string;
	worktree: string;
	home: string;
}

async function world(): Promise<World> {
	const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ao-guard-corpus-')));
	const main = path.join(dir, 'repo');
	const worktree = path.join(dir, 'worktrees', 'wt');
	const home = path.join(dir, 'home');
	mkdirSync(main, {recursive: true});
	mkdirSync(home);
	const git = (args: string[], cwd = main) => execa('git', args, {cwd, env: {GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@a', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@a'}});
	await git(['init', '-q', '-b', 'main']);
	await git(['commit', '-q', '--allow-empty', '-m', 'initial']);
	await git(['worktree', 'add', '-q', '-b', 'ao/wt', worktree]);
	return {main, worktree, home};
}

function entries(file: string, w: World): string[] {
	return readFileSync(path.join(corpusDir, file), 'utf8').split('\n')
		.filter(line => line.trim() && !line.startsWith('#'))
		.map(line => line.replaceAll('⏎', '\n').replaceAll('{main}', w.main).replaceAll('{fixtures}', corpusDir));
}

const settings = guardSettings(loadDefaults().guard);
const judge = (command: string, w: World): Promise<Verdict> => judgeShell(command, machineContext(w.worktree, w.home), settings);

test('the guard catches every destructive command of the corpus, each by a rule of its category', async t => {
	const w = await world();
	const lines = entries('destructive.txt', w);
	t.true(lines.length >= 150, `${lines.length} destructive commands`);
	const missed: string[] = [];
	const wrongRule: string[] = [];
	let denied = 0;
	let asked = 0;
	for (const line of lines) {
		const [tag, command] = [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)];
		const verdict = await judge(command, w);
		if (verdict.action === 'allow') {
			missed.push(`${tag}\t${command}`);
			continue;
		}

		if (verdict.action === 'deny') denied++;
		else asked++;
		const prefixes = categories[tag];
		t.truthy(prefixes, `unknown tag ${tag}`);
		if (!verdict.findings.some(finding => prefixes!.some(prefix => finding.rule.startsWith(prefix)) || finding.rule === 'shell-unjudgeable')) {
			wrongRule.push(`${tag}\t${command}\t-> ${verdict.decisive!.rule}`);
		}
	}

	t.log(`destructive caught: ${lines.length - missed.length}/${lines.length} (${denied} denied, ${asked} asked)`);
	t.deepEqual(missed, [], 'let through');
	t.deepEqual(wrongRule, [], 'caught by a rule of another category');
});

test('the guard stops at most 1% of the everyday commands of the corpus', async t => {
	const w = await world();
	const lines = entries('everyday.txt', w);
	t.true(lines.length >= 150, `${lines.length} everyday commands`);
	const stopped: string[] = [];
	for (const command of lines) {
		const verdict = await judge(command, w);
		if (verdict.action !== 'allow') stopped.push(`${command}\t-> ${verdict.action} ${verdict.decisive!.rule} (${verdict.decisive!.what})`);
	}

	t.log(`everyday stopped: ${stopped.length}/${lines.length} (${(100 * stopped.length / lines.length).toFixed(1)}%)${stopped.length > 0 ? `:\n${stopped.join('\n')}` : ''}`);
	t.true(stopped.length <= lines.length / 100, stopped.join('\n'));
});
