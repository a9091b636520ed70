import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {writeFileAtomic} from '../core/processes/atomic-file.js';
import {shellQuote} from '../core/tmux/tmux.js';
import type {AgentStrategy, HookReading, PrepareContext} from './types.js';

/** Gemini CLI hook events ao installs, each running `ao report --agent gemini --hook <Event>`. */
const reportedEvents = ['SessionStart', 'BeforeAgent', 'AfterAgent', 'Notification'];

function readJson(file: string): Record<string, unknown> {
	try {
		const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
	} catch {
		return {};
	}
}

/** Where Gemini CLI reads the machine's default settings (as it finds them itself). */
function systemDefaultsPath(env: Record<string, string>): string {
	if (env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH) return env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH;
	const settings = env.GEMINI_CLI_SYSTEM_SETTINGS_PATH
		?? (process.platform === 'darwin' ? '/Library/Application Support/GeminiCli/settings.json' : '/etc/gemini-cli/settings.json');
	return path.join(path.dirname(settings), 'system-defaults.json');
}

/**
 * The machine's default settings with ao's hooks added: Gemini CLI has no --settings flag, but it reads its system
 * defaults from GEMINI_CLI_SYSTEM_DEFAULTS_PATH and joins the hook lists of every settings file, so the user's own
 * settings and hooks stay as they are. Pure.
 */
export function geminiDefaults(base: Record<string, unknown>, ao: string): Record<string, unknown> {
	const hooks = {...(base.hooks as Record<string, unknown[]> | undefined)};
	for (const event of reportedEvents) {
		hooks[event] = [...(hooks[event] ?? []), {hooks: [{type: 'command', name: `ao-${event}`, command: `${shellQuote(ao)} report --agent gemini --hook ${event}`}]}];
	}

	hooks.BeforeTool = [...(hooks.BeforeTool ?? []), {matcher: 'run_shell_command', hooks: [{type: 'command', name: 'ao-guard', command: `${shellQuote(ao)} guard --agent gemini`}]}];
	// "Executing Hooks: ..." in its spinner line would stand for what the agent does.
	return {...base, hooks, hooksConfig: {...(base.hooksConfig as object | undefined), notifications: false}};
}

type TrustRule = 'TRUST_FOLDER' | 'TRUST_PARENT' | 'DO_NOT_TRUST';

/**
 * Whether Gemini CLI's own trust rules (trustedFolders.json) trust `dir`: the longest rule that covers it wins, a
 * TRUST_PARENT rule covers its parent folder. Pure.
 */
export function trustedByRules(rules: Record<string, unknown>, dir: string): boolean {
	let best: {length: number; rule: TrustRule} | undefined;
	for (const [folder, rule] of Object.entries(rules)) {
		if (rule !== 'TRUST_FOLDER' && rule !== 'TRUST_PARENT' && rule !== 'DO_NOT_TRUST') continue;
		const covered = rule === 'TRUST_PARENT' ? path.dirname(folder) : folder;
		const relative = path.relative(covered, dir);
		if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
		if (!best || covered.length > best.length) best = {length: covered.length, rule};
	}

	return best !== undefined && best.rule !== 'DO_NOT_TRUST';
}

/** No folder from `dir` up to the root may be written by others: Gemini CLI skips a defaults file with such a parent. */
function secure(dir: string): boolean {
	for (let current = dir; ; current = path.dirname(current)) {
		try {
			if ((statSync(current).mode & 0o022) !== 0) return false;
		} catch {
			return false;
		}

		if (path.dirname(current) === current) return true;
	}
}

/**
 * Where ao keeps the defaults file: the state dir, or (when it lies under a folder others may write, /tmp say) a
 * cache folder in the user's home as the system knows it. One file per content, shared by the jobs that need it.
 */
function defaultsFile(stateDir: string, content: string): string {
	const name = `gemini-system-defaults-${createHash('sha256').update(content).digest('hex').slice(0, 12)}.json`;
	for (const dir of [stateDir, path.join(os.userInfo().homedir, '.cache', 'ao')]) {
		try {
			mkdirSync(dir, {recursive: true, mode: 0o700});
		} catch {
			continue;
		}

		if (secure(dir)) return path.join(dir, name);
	}

	return path.join(stateDir, name);
}

async function prepare(context: PrepareContext): Promise<Record<string, string>> {
	const home = context.env.GEMINI_CLI_HOME ?? context.env.HOME ?? os.homedir();
	const content = JSON.stringify(geminiDefaults(readJson(systemDefaultsPath(context.env)), context.ao), null, 2);
	const file = defaultsFile(context.stateDir, content);
	await writeFileAtomic(file, content);
	const added: Record<string, string> = {GEMINI_CLI_SYSTEM_DEFAULTS_PATH: file};
	// Gemini trusts folders, not repositories: a worktree of a repository the user trusted would ask again. Trusting it
	// for this session carries the user's own decision over; nothing is trusted that the user did not trust.
	const rules = readJson(context.env.GEMINI_CLI_TRUSTED_FOLDERS_PATH ?? path.join(home, '.gemini', 'trustedFolders.json'));
	if (context.repo && context.worktree !== context.repo && trustedByRules(rules, context.repo) && !trustedByRules(rules, context.worktree)) {
		added.GEMINI_CLI_TRUST_WORKSPACE = 'true';
	}

	return added;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim().replaceAll(/\s+/g, ' ') : '');

/** What a Gemini CLI hook says: BeforeAgent starts a turn, AfterAgent ends it, Notification asks a permission. Pure. */
export function readGeminiHook(event: string, payload: Record<string, unknown>): HookReading | undefined {
	const transcriptPath = text(payload.transcript_path) || undefined;
	switch (event) {
		case 'SessionStart': {
			return payload.source === 'resume'
				? {state: 'ready', reason: 'resumed; waiting at its prompt', transcriptPath}
				: {state: 'working', reason: 'session started', transcriptPath};
		}

		case 'BeforeAgent': {
			return {state: 'working', reason: 'prompt submitted', transcriptPath, userPrompt: true};
		}

		case 'AfterAgent': {
			return {state: 'ready', reason: 'finished its turn', transcriptPath};
		}

		case 'Notification': {
			const details = (payload.details ?? {}) as Record<string, unknown>;
			const asked = text(details.command) || (text(details.fileName) ? `edit ${text(details.fileName)}` : '') || text(details.title) || text(payload.message);
			return payload.notification_type === 'ToolPermission'
				? {state: 'needs-input', reason: `permission: ${asked || 'a tool'}`, transcriptPath}
				: {state: 'needs-input', reason: text(payload.message) || 'notification', transcriptPath};
		}

		default: {
			return undefined;
		}
	}
}

/**
 * Gemini CLI (verified with @google/gemini-cli 0.61.0 against a scripted Gemini API). Its hooks (installed through
 * its system defaults, see geminiDefaults) say when a turn starts and ends and what a permission prompt asks; its
 * screen says the rest: folder trust (no hook runs in a folder it does not trust), the quota and loop dialogs. Its
 * idle prompt is no sign of a finished turn: it stands there from the start, before the task is taken up.
 */
export const gemini: AgentStrategy = {
	name: 'gemini',
	reportsAll: false,
	reportsTurns: true,
	fullScreen: true,
	// An Enter within 30 ms of the key before it is a new line to Gemini CLI (its FAST_RETURN_TIMEOUT), not a submit.
	enterAfterMs: 100,
	prepare,
	readHook: readGeminiHook,
	screens: [
		{pattern: /Do you trust the files in this folder\?/, state: 'needs-input', reason: 'Gemini asks to trust this folder'},
		{pattern: /How would you like to authenticate/, state: 'needs-input', reason: 'Gemini asks how to sign in (Google, an API key or Vertex AI)'},
		{pattern: /Usage limit reached for ([^\s.]+(?:\.[^\s.]+)*)/, state: 'needs-input', reason: match => `usage limit reached for ${match[1]}: keep trying or stop`},
		{pattern: /A potential loop was detected/, state: 'needs-input', reason: 'Gemini detected a loop and asks whether to keep loop detection on'},
		// Its dialog names the tool and the command on its first line ("? Shell  touch a.txt"): the same reason as its
		// Notification hook gives, which may come a moment after the screen is read.
		{pattern: /^[│\s]*\? \S+ {2}(.+?)[\s│]*$(?=[\s\S]*Allow execution of \[)/m, state: 'needs-input', reason: match => `permission: ${match[1]!.trim()}`},
		{pattern: /Allow execution of (.+?)\?/, state: 'needs-input', reason: match => `permission: ${match[1]}`},
		{pattern: /^\s*(Apply this change|Do you want to proceed)\?/m, state: 'needs-input', reason: match => `asks: ${match[1]}?`},
		{pattern: /esc to cancel/, state: 'working', reason: 'working'},
	],
};
