import path from 'node:path';
import {hasFlag, positionals, subcommand, type Checker, type Hit} from './rule.js';

/**
 * Rules on git: history rewritten or deleted on a remote, the base branch deleted, and uncommitted work thrown away
 * in the main checkout (an agent's own worktree is its own business). Pure.
 */

const globalOptions = ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env'];
const pushValueOptions = ['--repo', '--receive-pack', '--exec', '-o', '--push-option', '--signed'];

export const git: Checker = {
	screen: /\bgit\b[\s\S]*\b(push|branch|reset|clean|checkout|restore|stash)\b/,
	check(command, context) {
		if (command.program !== 'git') return [];
		const {name, rest, dir} = subcommand(command.args, globalOptions);
		const before = command.args.slice(0, command.args.length - rest.length);
		const workTree = before.map((arg, index) => (arg.text.startsWith('--work-tree=') ? arg.text.slice(12) : arg.text === '--work-tree' ? before[index + 1]?.text : undefined)).find(Boolean);
		const where = path.resolve(command.cwd ?? context.cwd, dir ?? '.', workTree ?? '.');
		const inMainCheckout = (): boolean => !command.remote && context.repoOf(where)?.inMain === true;
		const hits: Hit[] = [];
		switch (name) {
			case 'push': {
				const refs = positionals(rest, pushValueOptions).slice(1);
				if (hasFlag(rest, 'f', '--force', '--force-with-lease', '--force-if-includes')) hits.push({rule: 'git-force-push', what: 'force push'});
				else if (refs.some(ref => ref.text.startsWith('+'))) hits.push({rule: 'git-force-push', what: 'force push'});
				if (hasFlag(rest, undefined, '--mirror')) hits.push({rule: 'git-force-push', what: 'mirror push (overwrites and deletes remote refs)'});
				if (hasFlag(rest, 'd', '--delete') || refs.some(ref => /^:[^:]/.test(ref.text))) hits.push({rule: 'git-push-delete', what: 'deletes a branch or tag on the remote'});
				if (hasFlag(rest, undefined, '--prune')) hits.push({rule: 'git-push-delete', what: 'push --prune (deletes remote branches)'});
				break;
			}

			case 'branch': {
				const force = hasFlag(rest, 'D') || (hasFlag(rest, 'd', '--delete') && hasFlag(rest, 'f', '--force'));
				if (!force) break;
				const bases = context.baseBranches(where);
				const base = positionals(rest).find(branch => bases.includes(branch.text.replace(/^refs\/heads\//, '')));
				if (base) hits.push({rule: 'git-delete-base-branch', what: `deletes the base branch ${base.text}`});
				break;
			}

			case 'reset':
				if (hasFlag(rest, undefined, '--hard') && inMainCheckout()) {
					hits.push({rule: 'git-reset-hard', what: 'reset --hard in the main checkout'});
				}

				break;
			case 'checkout':
			case 'restore': {
				const staged = name === 'restore' && hasFlag(rest, 'S', '--staged') && !hasFlag(rest, 'W', '--worktree');
				const everything = positionals(rest).some(arg => arg.text === '.' || arg.text === ':/' || arg.text === '*');
				const forced = name === 'checkout' && hasFlag(rest, 'f', '--force');
				if (!staged && (everything || forced) && inMainCheckout()) hits.push({rule: 'git-reset-hard', what: `${name} ${forced ? '-f' : '.'} in the main checkout (drops uncommitted changes)`});
				break;
			}

			case 'clean':
				if (hasFlag(rest, 'f', '--force') && !hasFlag(rest, 'n', '--dry-run') && inMainCheckout()) hits.push({rule: 'git-clean', what: 'git clean in the main checkout (deletes untracked files)'});
				break;
			case 'stash': {
				const [action] = positionals(rest);
				if (action?.text === 'clear' && inMainCheckout()) hits.push({rule: 'git-reset-hard', what: 'stash clear in the main checkout'});
				break;
			}

			default:
				break;
		}

		return hits;
	},
};
