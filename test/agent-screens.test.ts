import test from 'ava';
import {strategies} from '../src/agents/index.js';
import {knownScreen} from '../src/core/jobs/derive.js';

// Screens captured from the real programs (tmux capture-pane) that no scripted turn of the suite reaches: each must
// read as the state it is, with a reason that names it.
const screens: Array<{agent: string; title: string; screen: string; state: string; reason: string}> = [
	{
		agent: 'gemini',
		title: 'Gemini CLI 0.61 with no sign-in chosen asks how to authenticate',
		screen: [
			'│   How would you like to authenticate for this project?          │',
			'│   ● 1. Sign in with Google                                      │',
			'│     2. Use Gemini API Key                                       │',
			'│     3. Vertex AI                                                │',
			'│   No authentication method selected.                            │',
			'│   (Use Enter to select)                                         │',
		].join('\n'),
		state: 'needs-input',
		reason: 'Gemini asks how to sign in (Google, an API key or Vertex AI)',
	},
	{
		agent: 'gemini',
		title: 'Gemini CLI 0.61 asking to run a command names the command, before its Notification hook says it',
		screen: [
			'╭────────────────────────────────────────────────────────────╮',
			'│ ? Shell  touch made-by-agent.txt                           │',
			'│ ╭────────────────────────────────────────────────────────╮ │',
			'│ │ touch made-by-agent.txt                                │ │',
			'│ ╰────────────────────────────────────────────────────────╯ │',
			'│ Allow execution of [Shell]?                                │',
			'│                                                            │',
			'│ ● 1. Allow once                                            │',
			'│   2. Allow for this session                                │',
			'│   3. No, suggest changes (esc)                             │',
			'╰────────────────────────────────────────────────────────────╯',
		].join('\n'),
		state: 'needs-input',
		reason: 'permission: touch made-by-agent.txt',
	},
	{
		agent: 'codex',
		title: 'Codex 0.171 with no account shows its sign-in choices',
		screen: '  Welcome to Codex, OpenAI\'s command-line coding agent\n  Choose how you want to use Codex.\n> 1. Sign in with ChatGPT\n  2. Sign in with Device Code\n  3. Sign in another way\n  Press enter to continue',
		state: 'needs-input',
		reason: 'Codex asks you to sign in (codex login, or an API key provider in ~/.codex/config.toml)',
	},
	{
		agent: 'claude',
		title: 'Claude Code 2.1.197 in a folder not trusted asks to trust it',
		screen: ' Accessing workspace:\n /tmp/repo.worktrees/stranger\n Quick safety check: Is this a project you created or one you trust?\n ❯ 1. Yes, I trust this folder\n   2. No, exit\n Enter to confirm · Esc to cancel',
		state: 'needs-input',
		reason: 'Claude Code asks to trust this folder',
	},
];

for (const row of screens) {
	test(row.title, t => {
		t.deepEqual(knownScreen(row.screen, strategies[row.agent]!.screens), {state: row.state, reason: row.reason, signal: 'screen'});
	});
}
