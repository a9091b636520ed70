import fs from 'node:fs/promises';
import path from 'node:path';
import {root} from './ao.js';

/** The API key the scripted server gets; any sk-ant- key works, Claude Code only asks once whether to use it. */
export const claudeApiKey = 'sk-ant-api03-ao-test-scripted-model-server-0123456789abcdef';

/**
 * What keeps Claude Code to the scripted server: no auto-update (it would `npm install -g` a newer Claude Code),
 * no telemetry, error reports, feature flags or marketplace install, which all call home.
 */
export const quietClaude: Record<string, string> = {
	DISABLE_AUTOUPDATER: '1',
	DISABLE_UPDATES: '1',
	CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
	DISABLE_TELEMETRY: '1',
	DISABLE_ERROR_REPORTING: '1',
	DISABLE_GROWTHBOOK: '1',
	CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
};

/**
 * An isolated HOME (dir/claude-home) in which the real Claude Code starts straight into a session against the
 * scripted server at `baseUrl`: onboarding done, the API key approved, the folders in `trust` trusted. Returns the
 * environment for `ao dispatch`.
 */
export async function claudeHome(dir: string, options: {baseUrl: string; trust: string[]}): Promise<Record<string, string>> {
	const home = path.join(dir, 'claude-home');
	await fs.mkdir(path.join(home, '.claude'), {recursive: true});
	const projects = Object.fromEntries(options.trust.map(folder => [folder, {hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true}]));
	await fs.writeFile(path.join(home, '.claude.json'), JSON.stringify({
		hasCompletedOnboarding: true,
		autoUpdates: false,
		// Claude Code keeps the last 20 characters of a key the user said yes to.
		customApiKeyResponses: {approved: [claudeApiKey.slice(-20)], rejected: []},
		projects,
	}, undefined, '\t'));
	await fs.writeFile(path.join(home, '.claude', 'settings.json'), JSON.stringify({env: quietClaude}, undefined, '\t'));
	return {
		...quietClaude,
		HOME: home,
		ANTHROPIC_BASE_URL: options.baseUrl,
		ANTHROPIC_API_KEY: claudeApiKey,
		PATH: `${path.join(root, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
	};
}
