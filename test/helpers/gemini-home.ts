import fs from 'node:fs/promises';
import path from 'node:path';
import {root} from './ao.js';

export interface GeminiHomeOptions {
	/** The scripted model server (GOOGLE_GEMINI_BASE_URL; Gemini CLI accepts http only for 127.0.0.1 and localhost). */
	baseUrl: string;
	/**
	 * Folders Gemini CLI trusts (TRUST_FOLDER, which covers everything below each one). A rule for the repository does
	 * not cover its worktrees beside it (<repo>.worktrees/<name>): list that folder too.
	 */
	trust: string[];
	/** Settings merged over the defaults below, one level deep (e.g. {general: {maxAttempts: 1}}). */
	settings?: Record<string, Record<string, unknown>>;
}

/** What an offline Gemini CLI needs to skip every first-run screen and never call home. */
const baseSettings: Record<string, Record<string, unknown>> = {
	security: {auth: {selectedType: 'gemini-api-key'}, folderTrust: {enabled: true}},
	// enableAutoUpdateNotification off is what skips the update check (a request to the npm registry).
	general: {enableAutoUpdate: false, enableAutoUpdateNotification: false},
	// Usage statistics go to Google (Clearcut) unless turned off.
	privacy: {usageStatisticsEnabled: false},
	telemetry: {enabled: false},
	ide: {enabled: false, hasSeenNudge: true},
};

/**
 * Makes `dir` an isolated HOME for Gemini CLI: ~/.gemini/settings.json (API-key auth, no update check, no usage
 * statistics or telemetry, no IDE nudge, folder trust on) and ~/.gemini/trustedFolders.json. Returns the environment
 * for `ao dispatch --agent gemini`: it also points every other place Gemini CLI reads settings from (system settings,
 * GEMINI_CLI_HOME, a trusted-folders override) into `dir`, and blanks what would change auth or trust.
 */
export async function geminiHome(dir: string, options: GeminiHomeOptions): Promise<Record<string, string>> {
	const geminiDir = path.join(dir, '.gemini');
	await fs.mkdir(geminiDir, {recursive: true});
	const settings = {...baseSettings};
	for (const [key, value] of Object.entries(options.settings ?? {})) settings[key] = {...settings[key], ...value};
	await fs.writeFile(path.join(geminiDir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
	const trustedFolders = path.join(geminiDir, 'trustedFolders.json');
	await fs.writeFile(trustedFolders, JSON.stringify(Object.fromEntries(options.trust.map(folder => [folder, 'TRUST_FOLDER'])), null, 2) + '\n');
	return {
		HOME: dir,
		GEMINI_CLI_HOME: dir,
		GEMINI_CLI_TRUSTED_FOLDERS_PATH: trustedFolders,
		// Absent files: no /etc/gemini-cli/settings.json of this machine leaks in.
		GEMINI_CLI_SYSTEM_SETTINGS_PATH: path.join(dir, 'system-settings.json'),
		GEMINI_CLI_SYSTEM_DEFAULTS_PATH: path.join(dir, 'system-defaults.json'),
		GOOGLE_GEMINI_BASE_URL: options.baseUrl,
		GEMINI_API_KEY: 'test-gemini-key',
		PATH: [path.join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(path.delimiter),
		GEMINI_TELEMETRY_ENABLED: 'false',
		NO_BROWSER: 'true',
		// Set in a developer's shell, these would pick another auth, model or trust than the test means.
		GOOGLE_API_KEY: '',
		GOOGLE_GENAI_USE_VERTEXAI: '',
		GOOGLE_GENAI_USE_GCA: '',
		GOOGLE_CLOUD_PROJECT: '',
		GEMINI_MODEL: '',
		GEMINI_CLI_TRUST_WORKSPACE: '',
		GEMINI_RESTRICTED_MODE: '',
	};
}
