import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {StatePaths} from '../paths.js';
import {runQuietly} from '../processes/processes.js';

/**
 * systemd-logind with KillUserProcesses=yes kills every process of a login session's scope when the session ends: a
 * tmux server started from an SSH login, and every agent in it, dies at logout. Processes in a scope of the user's
 * own service manager (`systemd-run --user --scope`) are outside the session; they end only when that manager ends,
 * which lingering (`loginctl enable-linger`) keeps from happening at the last logout.
 */
export interface KillPolicy {
	killUserProcesses: boolean;
	killOnlyUsers: string[];
	killExcludeUsers: string[];
}

/** What the check reads, gathered by readLogindFacts (kept apart so the verdict is tested on text). */
export interface LogindFacts {
	/** systemd is the init system (/run/systemd/system exists). */
	systemd: boolean;
	user: string;
	/** `loginctl show-session -p KillUserProcesses -p KillOnlyUsers -p KillExcludeUsers` (the manager's), if it answered. */
	managerProperties?: string;
	/** logind.conf and its drop-ins, in the order systemd reads them, for when loginctl does not answer. */
	configTexts: string[];
	/** `loginctl show-user USER -p Linger`, if it answered. */
	userProperties?: string;
	/** /var/lib/systemd/linger/USER exists. */
	lingerFile: boolean;
	/** The cgroup of the running ao tmux server (/proc/PID/cgroup), if there is one. */
	serverCgroup?: string;
}

export interface LogoutRisk {
	/** Agents would die when this login ends. */
	kills: boolean;
	detail: string;
}

/** `Key=value` lines (loginctl show-* output). Pure. */
export function parseProperties(text: string): Record<string, string> {
	return Object.fromEntries(text.split('\n').flatMap(line => {
		const at = line.indexOf('=');
		return at > 0 ? [[line.slice(0, at).trim(), line.slice(at + 1).trim()]] : [];
	}));
}

const isYes = (value: string) => /^(1|yes|y|true|t|on)$/i.test(value);
const users = (value: string) => value.split(/\s+/).filter(Boolean);

/**
 * The policy from logind.conf texts (later files override earlier ones, as drop-ins do). Unset keys keep the
 * defaults of Debian, Ubuntu, Fedora and Arch builds: KillUserProcesses=no, KillExcludeUsers=root. Pure.
 */
export function parseLogindConf(texts: string[]): KillPolicy {
	const policy: KillPolicy = {killUserProcesses: false, killOnlyUsers: [], killExcludeUsers: ['root']};
	for (const text of texts) {
		let inLogin = false;
		for (const raw of text.split('\n')) {
			const line = raw.trim();
			if (line.startsWith('[')) inLogin = line === '[Login]';
			if (!inLogin || line.startsWith('#') || line.startsWith(';')) continue;
			const [key, value = ''] = [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()];
			if (key === 'KillUserProcesses') policy.killUserProcesses = isYes(value);
			if (key === 'KillOnlyUsers') policy.killOnlyUsers = users(value);
			if (key === 'KillExcludeUsers') policy.killExcludeUsers = users(value);
		}
	}

	return policy;
}

/** The policy logind runs with: what it says over loginctl, else what its config files say. Pure. */
export function killPolicy(facts: Pick<LogindFacts, 'managerProperties' | 'configTexts'>): KillPolicy {
	const said = facts.managerProperties ? parseProperties(facts.managerProperties) : {};
	if (said.KillUserProcesses === undefined) return parseLogindConf(facts.configTexts);
	return {killUserProcesses: isYes(said.KillUserProcesses), killOnlyUsers: users(said.KillOnlyUsers ?? ''), killExcludeUsers: users(said.KillExcludeUsers ?? '')};
}

/** logind kills this user's session processes at logout. Pure. */
export function killsUser(policy: KillPolicy, user: string): boolean {
	if (!policy.killUserProcesses || policy.killExcludeUsers.includes(user)) return false;
	return policy.killOnlyUsers.length === 0 || policy.killOnlyUsers.includes(user);
}

/** A cgroup path inside a login session's scope (…/session-12.scope). Pure. */
export function inSessionScope(cgroup: string): boolean {
	return /\/session-[^/]*\.scope(\/|$)/m.test(cgroup);
}

/** Whether agents would die when this login ends, and what to do about it. Pure. */
export function logoutRisk(facts: LogindFacts): LogoutRisk {
	if (!facts.systemd) return {kills: false, detail: 'no systemd-logind here: agents outlive your logins'};
	if (!killsUser(killPolicy(facts), facts.user)) return {kills: false, detail: `logind keeps ${facts.user}'s processes at logout (KillUserProcesses is off for ${facts.user}): agents outlive your logins`};
	const linger = facts.userProperties && parseProperties(facts.userProperties).Linger !== undefined
		? isYes(parseProperties(facts.userProperties).Linger!) : facts.lingerFile;
	if (!linger) {
		return {kills: true, detail: `logind kills ${facts.user}'s processes at logout (KillUserProcesses=yes) and lingering is off, so agents die when you log out; run: loginctl enable-linger ${facts.user}`};
	}

	if (facts.serverCgroup && inSessionScope(facts.serverCgroup)) {
		return {kills: true, detail: `logind kills ${facts.user}'s processes at logout (KillUserProcesses=yes) and the ao server runs in this login's session; run: ao server restart (ao starts it under your user manager, which lingering keeps)`};
	}

	return {kills: false, detail: `logind kills session processes at logout (KillUserProcesses=yes), but lingering is on and ao's server runs under your user manager: agents outlive your logins`};
}

const run = (program: string, args: string[]) => runQuietly(program, args);

/** logind.conf, then its drop-ins ordered by file name (a name in /etc hides the same one in /run and /usr/lib). */
function logindConfigTexts(): string[] {
	const dropIns = new Map<string, string>();
	for (const dir of ['/usr/lib/systemd/logind.conf.d', '/run/systemd/logind.conf.d', '/etc/systemd/logind.conf.d']) {
		let names: string[] = [];
		try {
			names = readdirSync(dir).filter(name => name.endsWith('.conf'));
		} catch {}

		for (const name of names) dropIns.set(name, path.join(dir, name));
	}

	const files = ['/etc/systemd/logind.conf', ...[...dropIns.keys()].sort().map(name => dropIns.get(name)!)];
	return files.flatMap(file => {
		try {
			return [readFileSync(file, 'utf8')];
		} catch {
			return [];
		}
	});
}

export function systemdRuns(): boolean {
	return existsSync('/run/systemd/system');
}

/** Reads what logoutRisk judges. Without systemd it reads nothing and runs nothing. */
export async function readLogindFacts(serverPid?: number): Promise<LogindFacts> {
	const user = os.userInfo().username;
	if (!systemdRuns()) return {systemd: false, user, configTexts: [], lingerFile: false};
	const [managerProperties, userProperties] = await Promise.all([
		run('loginctl', ['show-session', '-p', 'KillUserProcesses', '-p', 'KillOnlyUsers', '-p', 'KillExcludeUsers']),
		run('loginctl', ['show-user', user, '-p', 'Linger']),
	]);
	let serverCgroup: string | undefined;
	try {
		if (serverPid) serverCgroup = readFileSync(`/proc/${serverPid}/cgroup`, 'utf8');
	} catch {}

	return {
		systemd: true, user, managerProperties, userProperties, configTexts: logindConfigTexts(),
		lingerFile: existsSync(path.join('/var/lib/systemd/linger', user)), serverCgroup,
	};
}

/**
 * The argv prefix that starts the ao tmux server outside the login session when logind would kill it there: a
 * scope of the user's service manager. Empty when not needed, or when systemd-run or the manager is not there.
 */
export async function serverLauncher(socket: string): Promise<string[]> {
	if (!systemdRuns()) return [];
	const facts = await readLogindFacts();
	if (!killsUser(killPolicy(facts), facts.user)) return [];
	const runtime = process.env.XDG_RUNTIME_DIR;
	if (!runtime || !existsSync(path.join(runtime, 'systemd', 'private'))) return [];
	const launcher = ['systemd-run', '--user', '--scope', '--quiet', '--collect', `--unit=ao-${socket.replaceAll(/[^\w-]/g, '_')}-${process.pid}`];
	return (await run('systemd-run', ['--version'])) === undefined ? [] : launcher;
}

/**
 * The warning ao dispatch gives, once per state dir (a marker file), when agents would die at logout. Costs nothing
 * where systemd does not run, and nothing once it was said.
 */
export async function logoutWarning(paths: StatePaths, serverPid: () => Promise<number | undefined>): Promise<string | undefined> {
	if (!systemdRuns() || existsSync(paths.logoutWarned)) return undefined;
	const risk = logoutRisk(await readLogindFacts(await serverPid()));
	if (!risk.kills) return undefined;
	try {
		writeFileSync(paths.logoutWarned, risk.detail + '\n', {mode: 0o600});
	} catch {}

	return `${risk.detail} (said once; ao doctor checks again)`;
}
