import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {insideRepo, worktreePath} from '../src/core/git/worktree.js';

const repo = '/src/projects/my-app';
const values = {repo, name: 'fix-login', id: 'abcd1234'};

test('the default template puts the worktree beside the repository', t => {
	t.is(worktreePath('{repo}/../{repoName}.worktrees/{name}', values), '/src/projects/my-app.worktrees/fix-login');
});

test('every placeholder is filled, each as often as it appears', t => {
	t.is(worktreePath('/wt/{repoName}/{name}-{id}/{id}', values), '/wt/my-app/fix-login-abcd1234/abcd1234');
	t.is(worktreePath('{repo}/.worktrees/{name}', values), '/src/projects/my-app/.worktrees/fix-login');
});

test('unknown placeholders are left as they are', t => {
	t.is(worktreePath('/wt/{branch}/{name}', values), '/wt/{branch}/fix-login');
});

test('a relative template resolves against the repository', t => {
	t.is(worktreePath('../trees/{name}', values), '/src/projects/trees/fix-login');
	t.is(worktreePath('.ao/{id}', values), '/src/projects/my-app/.ao/abcd1234');
});

test('a leading ~/ means the home directory', t => {
	t.is(worktreePath('~/worktrees/{repoName}/{name}', values), path.join(os.homedir(), 'worktrees', 'my-app', 'fix-login'));
	t.is(worktreePath('~', values), os.homedir());
});

test('a ~ that is not at the start is an ordinary character', t => {
	t.is(worktreePath('/wt/~/{name}', values), '/wt/~/fix-login');
	t.is(worktreePath('~other/{name}', values), '/src/projects/my-app/~other/fix-login');
});

test('the result is normalised', t => {
	t.is(worktreePath('/wt//a/./b/../{name}/', values), '/wt/a/fix-login');
});

test('a repository path with a trailing slash still gives its folder name', t => {
	t.is(worktreePath('/wt/{repoName}', {...values, repo: '/src/my-app/'}), '/wt/my-app');
});

test('insideRepo accepts files and folders inside the repository, as relative paths', t => {
	t.is(insideRepo(repo, '.env'), '.env');
	t.is(insideRepo(repo, 'a/b'), path.join('a', 'b'));
	t.is(insideRepo(repo, './config/local.json'), path.join('config', 'local.json'));
	t.is(insideRepo(repo, 'a/../b'), 'b');
	t.is(insideRepo(repo, `${repo}/node_modules`), 'node_modules');
	t.is(insideRepo(repo, 'node_modules/'), 'node_modules');
});

test('insideRepo refuses paths that leave the repository', t => {
	for (const entry of ['../x', '/etc/passwd', '..', 'a/../../x', '../my-app-other/x', '/src/projects/my-app-evil/x']) {
		t.is(insideRepo(repo, entry), undefined, entry);
	}
});

test('insideRepo does not expand "~": it names a folder inside the repository', t => {
	t.is(insideRepo(repo, '~/.ssh/id_ed25519'), path.join('~', '.ssh', 'id_ed25519'));
});

test('insideRepo refuses the repository itself and an empty entry', t => {
	t.is(insideRepo(repo, ''), undefined);
	t.is(insideRepo(repo, '.'), undefined);
	t.is(insideRepo(repo, repo), undefined);
	t.is(insideRepo(repo, './'), undefined);
});

test('insideRepo accepts a file inside the repository whose name starts with ".."', t => {
	t.is(insideRepo(repo, '..env'), '..env');
});
