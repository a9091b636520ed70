import test from 'ava';
import {conflictsOf, forecastChanged, overlappingPairs, type WorkFacts} from '../src/core/review/forecast.js';
import {landedReason} from '../src/core/review/merge.js';
import {ghCreateArgv, prBody, readPrUrl, readPrView} from '../src/core/review/pr.js';
import {taskTitle} from '../src/core/review/work.js';
import {conflictText, prText, reviewMarks} from '../src/core/review/words.js';
import {hasMergeTreeWriteTree} from '../src/core/git/review.js';

function facts(id: string, files: string[], repo = '/r'): WorkFacts {
	return {id, name: id, repo, base: 'main', snapshot: `snap-${id}`, files, changes: {files: files.length, added: 1, removed: 0, commits: 1}, behind: 0, baseConflicts: []};
}

test('only jobs of one repository whose changed files overlap are paired', t => {
	const pairs = overlappingPairs([facts('a', ['src/x.ts', 'README.md']), facts('b', ['src/x.ts']), facts('c', ['docs/y.md']), facts('d', ['src/x.ts'], '/other')]);
	t.deepEqual(pairs.map(([a, b]) => `${a.id}-${b.id}`), ['a-b']);
});

test('a job\'s conflicts: with its base first, then with other jobs by name, files sorted; none is an empty list', t => {
	const job = {...facts('a', ['x']), baseConflicts: ['src/b.ts', 'src/a.ts']};
	t.deepEqual(conflictsOf(job, [{name: 'api-docs', files: ['src/orders.ts']}]), [{with: 'main', files: ['src/a.ts', 'src/b.ts']}, {with: 'api-docs', files: ['src/orders.ts']}]);
	t.deepEqual(conflictsOf(facts('b', ['x']), []), []);
});

test('the forecast writes only news', t => {
	const next = {changes: {files: 1, added: 2, removed: 0, commits: 1}, behind: 0, conflicts: []};
	t.true(forecastChanged({}, next));
	t.false(forecastChanged({changes: next.changes, behind: 0, conflicts: []}, next));
	t.true(forecastChanged({changes: next.changes, behind: 0, conflicts: []}, {...next, behind: 3}));
});

test('conflict and pull request words, as the row shows them', t => {
	t.is(conflictText({with: 'main', files: ['src/a.ts', 'src/b.ts']}), 'conflicts with main: src/a.ts, src/b.ts');
	t.is(conflictText({with: 'api-docs', files: ['a', 'b', 'c', 'd', 'e']}, 2), 'conflicts with api-docs: a, b and 3 more');
	t.is(prText({url: 'u', number: 12, state: 'open'}), '#12');
	t.is(prText({url: 'u', number: 12, state: 'open', failing: ['test', 'lint']}), '#12 checks failing: test, lint');
	t.is(prText({url: 'u', number: 12, state: 'merged'}), '#12 merged');
	t.is(prText({url: 'u', state: 'closed'}), 'PR closed');
});

test('review marks: lines and commits for ready work, the PR, conflicts, the base moving; nothing once landed', t => {
	const job = {state: 'ready' as const, changes: {files: 2, added: 12, removed: 3, commits: 2}, pr: {url: 'u', number: 7, state: 'open' as const}, conflicts: [{with: 'main', files: ['a.ts']}], behind: 3};
	t.deepEqual(reviewMarks(job), ['+12 -3 · 2 commits', '#7', 'conflicts with main: a.ts', 'base +3']);
	t.deepEqual(reviewMarks({...job, state: 'working'}), ['#7', 'conflicts with main: a.ts', 'base +3']);
	t.deepEqual(reviewMarks({...job, landed: {how: 'merge', into: 'main', head: 'h', at: 'now'}}), []);
	t.deepEqual(reviewMarks({state: 'ready', changes: {files: 1, added: 1, removed: 0, commits: 0}}), ['+1 -0 · uncommitted']);
});

test('what a landing says', t => {
	t.is(landedReason('merge', 'main', '1a2b3c4'), 'merged into main as 1a2b3c4');
	t.is(landedReason('ff-only', 'main', '1a2b3c4'), 'merged into main as 1a2b3c4');
	t.is(landedReason('squash', 'dev', '1a2b3c4'), 'squash-merged into dev as 1a2b3c4');
	t.is(landedReason('rebase', 'main', '1a2b3c4'), 'rebased onto main and merged as 1a2b3c4');
});

test('gh pr create is run with the branch, base, title and body file, and --draft only when asked', t => {
	const request = {branch: 'ao/fix', base: 'main', title: 'Fix the login', bodyFile: '/s/pr-body.md', draft: false};
	t.deepEqual(ghCreateArgv(request), ['gh', 'pr', 'create', '--head', 'ao/fix', '--base', 'main', '--title', 'Fix the login', '--body-file', '/s/pr-body.md']);
	t.deepEqual(ghCreateArgv({...request, draft: true}).at(-1), '--draft');
});

test('the pull request\'s URL is the last one printed, its number the URL\'s end', t => {
	t.deepEqual(readPrUrl('Creating pull request for ao/fix into main\n\nhttps://github.com/acme/app/pull/123\n'), {url: 'https://github.com/acme/app/pull/123', number: 123});
	t.deepEqual(readPrUrl('see https://gitlab.example/acme/app/-/merge_requests/9.'), {url: 'https://gitlab.example/acme/app/-/merge_requests/9', number: 9});
	t.deepEqual(readPrUrl('https://forge.example/review?id=abc'), {url: 'https://forge.example/review?id=abc'});
	t.is(readPrUrl('no url here'), undefined);
});

test('gh pr view JSON: state and the failing checks, from check runs and commit statuses', t => {
	t.deepEqual(readPrView('{"state":"OPEN","statusCheckRollup":[{"__typename":"CheckRun","name":"test","conclusion":"FAILURE","status":"COMPLETED"},{"name":"lint","conclusion":"SUCCESS"},{"__typename":"StatusContext","context":"ci/build","state":"ERROR"},{"name":"slow","conclusion":"","status":"IN_PROGRESS"}]}'), {state: 'open', failing: ['test', 'ci/build']});
	t.deepEqual(readPrView('{"state":"MERGED"}'), {state: 'merged', failing: []});
	t.is(readPrView('{"state":"DRAFTY"}'), undefined);
	t.is(readPrView('not json'), undefined);
});

test('the pull request body holds the task, the commits and the stat', t => {
	const body = prBody({id: '1234abcd', name: 'fix', agent: 'claude', task: 'Fix the login\nand the logout'}, ['1a2b3c4 fix login'], ' a.ts | 2 +-\n');
	t.true(body.startsWith('Fix the login\nand the logout\n\nCommits:\n- 1a2b3c4 fix login\n'));
	t.true(body.includes('```\n a.ts | 2 +-\n```'));
	t.true(body.endsWith('Opened by ao for job 1234abcd (fix), agent claude.'));
});

test('a title is the task\'s first line, cut at 72 columns; a job with no task is titled by its name', t => {
	t.is(taskTitle({task: '\n  Fix the flaky test  \nmore', name: 'x'}), 'Fix the flaky test');
	t.is(taskTitle({task: 'a'.repeat(100), name: 'x'}).length, 72);
	t.is(taskTitle({task: '', name: 'npm-test'}), 'npm-test');
});

test('merge-tree --write-tree is in git 2.38 and later', t => {
	t.true(hasMergeTreeWriteTree('git version 2.39.5'));
	t.true(hasMergeTreeWriteTree('git version 3.0.0'));
	t.false(hasMergeTreeWriteTree('git version 2.37.1'));
	t.false(hasMergeTreeWriteTree('garbage'));
});
