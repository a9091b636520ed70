import fs from 'node:fs/promises';
import path from 'node:path';
import {root} from './ao.js';

/** The variable the scripted provider takes its key from (`env_key`), and the key. */
export const codexKeyVariable = 'AO_TEST_CODEX_KEY';
export const codexApiKey = 'sk-ao-test-scripted-model-server';

/**
 * A catalog model with plain function tools (exec_command, and apply_patch as a freeform tool); the newer ones use a
 * JavaScript "code mode" instead. Codex offers its upgrade once, unless the migration is marked as seen.
 */
export const codexModel = 'gpt-5.5';

export interface CodexHomeOptions {
	baseUrl: string;
	/** Folders trusted as projects; a repository's trust covers its git worktrees, wherever they are. */
	trust: string[];
	/** false: no provider in the config, so Codex uses OpenAI's and asks to sign in. */
	provider?: boolean;
	/** false: the provider's key variable is not set. */
	apiKey?: boolean;
}

const quote = (text: string) => JSON.stringify(text);

/** Codex's config.toml for the scripted server at `baseUrl` (no `notify`: ao sets its own). Pure. */
export function codexConfig(options: CodexHomeOptions): string {
	const provider = options.provider === false ? [] : [
		'[model_providers.scripted]',
		'name = "scripted"',
		`base_url = ${quote(`${options.baseUrl}/v1`)}`,
		'wire_api = "responses"',
		`env_key = ${quote(codexKeyVariable)}`,
		'',
	];
	return [
		...(options.provider === false ? [] : ['model_provider = "scripted"']),
		`model = ${quote(codexModel)}`,
		'check_for_update_on_startup = false',
		'',
		// The TUI would start a shared app server in the background that outlives the test's tmux server.
		'[features]',
		'daemon_auto_start = false',
		'',
		'[notice.model_migrations]',
		`${quote(codexModel)} = "gpt-6-sol"`,
		'',
		'[tui]',
		'screen_reader_detection_done = true',
		'',
		...provider,
		...options.trust.flatMap(folder => [`[projects.${quote(folder)}]`, 'trust_level = "trusted"', '']),
	].join('\n');
}

/**
 * An isolated HOME (dir/codex-home) and CODEX_HOME (its .codex) in which the real Codex CLI starts straight into a
 * session against the scripted server at `baseUrl`. Returns the environment for `ao dispatch`.
 */
export async function codexHome(dir: string, options: CodexHomeOptions): Promise<Record<string, string>> {
	const home = path.join(dir, 'codex-home');
	const codexDir = path.join(home, '.codex');
	await fs.mkdir(codexDir, {recursive: true});
	await fs.writeFile(path.join(codexDir, 'config.toml'), codexConfig(options));
	return {
		HOME: home,
		CODEX_HOME: codexDir,
		...(options.apiKey === false ? {} : {[codexKeyVariable]: codexApiKey}),
		PATH: `${path.join(root, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
	};
}
