import test from 'ava';
import {inSessionScope, killPolicy, killsUser, logoutRisk, parseLogindConf, type LogindFacts} from '../src/core/supervisor/logind.js';

// What systemd-logind boxes show ao, as loginctl prints it and as the files read; no systemd runs here.
const debianConf = `#  This file is part of systemd.
[Login]
#NAutoVTs=6
#KillUserProcesses=no
#KillOnlyUsers=
#KillExcludeUsers=root
`;
const killingDropIn = '[Login]\nKillUserProcesses=yes\n';
const sessionCgroup = '0::/user.slice/user-1000.slice/session-4.scope\n';
const userScopeCgroup = '0::/user.slice/user-1000.slice/user@1000.service/app.slice/ao-ao-123.scope\n';

function facts(overrides: Partial<LogindFacts>): LogindFacts {
	return {systemd: true, user: 'dev', configTexts: [debianConf], lingerFile: false, ...overrides};
}

test('logind.conf and its drop-ins: later files win, commented keys keep the defaults (no, root excluded)', t => {
	t.deepEqual(parseLogindConf([debianConf]), {killUserProcesses: false, killOnlyUsers: [], killExcludeUsers: ['root']});
	t.deepEqual(parseLogindConf([debianConf, killingDropIn]), {killUserProcesses: true, killOnlyUsers: [], killExcludeUsers: ['root']});
	t.deepEqual(parseLogindConf([killingDropIn, '[Login]\nKillUserProcesses=no\nKillExcludeUsers=root dev\n']), {killUserProcesses: false, killOnlyUsers: [], killExcludeUsers: ['root', 'dev']});
	t.false(parseLogindConf(['[Other]\nKillUserProcesses=yes\n']).killUserProcesses, 'only the [Login] section counts');
});

test('what loginctl says of the manager wins over the files; excluded and only-listed users are honoured', t => {
	const said = 'KillUserProcesses=yes\nKillOnlyUsers=\nKillExcludeUsers=root\n';
	t.true(killPolicy({managerProperties: said, configTexts: [debianConf]}).killUserProcesses);
	t.false(killPolicy({managerProperties: 'KillUserProcesses=no\n', configTexts: [killingDropIn]}).killUserProcesses);
	t.true(killPolicy({managerProperties: undefined, configTexts: [killingDropIn]}).killUserProcesses, 'the files when loginctl does not answer');
	const policy = killPolicy({managerProperties: said, configTexts: []});
	t.true(killsUser(policy, 'dev'));
	t.false(killsUser(policy, 'root'));
	t.false(killsUser({...policy, killOnlyUsers: ['ci']}, 'dev'));
	t.true(killsUser({...policy, killOnlyUsers: ['dev']}, 'dev'));
});

test('a session scope is told from a user manager scope', t => {
	t.true(inSessionScope(sessionCgroup));
	t.true(inSessionScope('12:pids:/user.slice/user-1000.slice/session-c2.scope\n0::/user.slice/user-1000.slice/session-c2.scope'));
	t.false(inSessionScope(userScopeCgroup));
	t.false(inSessionScope('0::/system.slice/ssh.service\n'));
});

test('the logout verdict: agents die without lingering, or while the server runs in the session; else they live', t => {
	t.deepEqual(logoutRisk(facts({systemd: false})), {kills: false, detail: 'no systemd-logind here: agents outlive your logins'});
	t.false(logoutRisk(facts({})).kills, 'KillUserProcesses=no, the default of most distributions');
	const killing = {managerProperties: 'KillUserProcesses=yes\nKillOnlyUsers=\nKillExcludeUsers=root\n'};
	const noLinger = logoutRisk(facts({...killing, userProperties: 'Linger=no\n'}));
	t.true(noLinger.kills);
	t.is(noLinger.detail, 'logind kills dev\'s processes at logout (KillUserProcesses=yes) and lingering is off, so agents die when you log out; run: loginctl enable-linger dev');
	t.true(logoutRisk(facts({...killing, userProperties: undefined, lingerFile: false})).kills, 'the linger file when loginctl does not answer');
	const inSession = logoutRisk(facts({...killing, userProperties: 'Linger=yes\n', serverCgroup: sessionCgroup}));
	t.true(inSession.kills);
	t.regex(inSession.detail, /the ao server runs in this login's session; run: ao server restart/);
	t.false(logoutRisk(facts({...killing, userProperties: 'Linger=yes\n', serverCgroup: userScopeCgroup})).kills);
	t.false(logoutRisk(facts({...killing, lingerFile: true})).kills, 'no server yet: the next one starts under the user manager');
	t.false(logoutRisk(facts({...killing, user: 'root', userProperties: 'Linger=no\n'})).kills, 'root is excluded by default');
});
