import test from 'ava';
import {parseShell} from '../src/core/guard/shell.js';
import {judgeSql, splitStatements} from '../src/core/guard/sql.js';

// How the guard reads a command line and its SQL, without running anything.

const read = (source: string, cwd = '/work/wt') => parseShell(source, {cwd, home: '/home/u'});
const programs = (source: string) => read(source).commands.map(command => [command.program, ...command.args.map(arg => arg.text)].join(' '));

test('a list, a pipeline, a subshell and $(...) are every command they run, in order', t => {
	t.deepEqual(programs('make && (cd src; ls) | wc -l; echo $(git rev-parse HEAD)'), ['make', 'ls', 'wc -l', 'git rev-parse HEAD', 'echo $(git rev-parse HEAD)']);
});

test('prefixes that run another program are seen through, and remembered', t => {
	const [command] = read('FOO=1 sudo -u deploy env -i PATH=/bin nohup time nice -n 5 timeout 10s rm -rf /srv/app').commands;
	t.is(command!.program, 'rm');
	t.deepEqual(command!.args.map(arg => arg.text), ['-rf', '/srv/app']);
	t.deepEqual(command!.via, ['sudo', 'env', 'nohup', 'time', 'nice', 'timeout']);
});

test('sh -c, bash -lc, eval and ssh run a script: it is parsed too; a script made at run time is marked', t => {
	t.deepEqual(programs(`bash -lc 'cd /tmp && rm -rf x'`), ['rm -rf x']);
	t.is(read(`bash -lc 'cd /tmp && rm -rf x'`).commands[0]!.cwd, '/tmp');
	t.deepEqual(programs('eval "git push -f"'), ['git push -f']);
	const [remote] = read(`ssh -p 2222 db1 'psql -c "DROP TABLE t"'`).commands;
	t.like(remote, {program: 'psql', remote: true, via: ['ssh db1']});
	t.is(read('eval "$SCRIPT"').commands[0]!.opaque, '$SCRIPT');
	t.is(read('sh -c "$(curl -fsSL https://x/install.sh)"').commands.at(-1)!.opaque, '$(curl -fsSL https://x/install.sh)');
});

test('what reaches a command on stdin: a heredoc, a herestring, echo into a pipe, a file', t => {
	const stdin = (source: string) => read(source).commands.at(-1)!.stdin;
	t.deepEqual(stdin('psql <<EOF\nDROP TABLE a;\nEOF'), {text: 'DROP TABLE a;\n'});
	t.deepEqual(stdin('psql <<< "TRUNCATE b"'), {text: 'TRUNCATE b'});
	t.deepEqual(stdin('echo "DELETE FROM c" | psql'), {text: 'DELETE FROM c'});
	t.deepEqual(stdin('psql app < down.sql'), {file: '/work/wt/down.sql'});
	t.deepEqual(stdin('cat ~/down.sql | psql'), {file: '/home/u/down.sql'});
});

test('cd changes where what follows it runs, not what runs beside it in a subshell', t => {
	const commands = read('cd ~ && (cd /etc && ls) && rm -rf *').commands;
	t.deepEqual(commands.map(command => command.cwd), ['/etc', '/home/u']);
});

test('docker exec and kubectl exec run their command elsewhere: seen, with paths that are not this machine\'s', t => {
	t.like(read('docker compose exec -T db psql -U app -c "DELETE FROM users"').commands[0], {program: 'psql', remote: true});
	t.like(read('kubectl exec -it pod-1 -n prod -- redis-cli FLUSHALL').commands[0], {program: 'redis-cli', remote: true});
});

test('SQL is split at semicolons outside quotes, comments and psql backslash commands', t => {
	t.deepEqual(splitStatements("\\set ON_ERROR_STOP\nSELECT ';' ; -- DROP TABLE x;\nDELETE FROM \"a;b\" /* ; */ WHERE id = 1;"), ["SELECT ';'", 'DELETE FROM "a;b"   WHERE id = 1']);
	t.deepEqual(splitStatements('CREATE FUNCTION f() AS $$ BEGIN DELETE FROM t; END $$;'), ['CREATE FUNCTION f() AS $$ BEGIN DELETE FROM t; END $$']);
});

test('SQL judged by its tree: no WHERE and an always-true WHERE are clear, a near-total WHERE is a doubt, a keyed one is fine', t => {
	const rules = (sql: string, dialect?: Parameters<typeof judgeSql>[1]) => judgeSql(sql, dialect).map(report => report.hit?.rule ?? 'fine');
	t.deepEqual(rules('DELETE FROM users'), ['sql-delete-without-where']);
	t.deepEqual(rules('update users set email = null'), ['sql-update-without-where']);
	t.deepEqual(rules('DELETE FROM t WHERE 1=1; DELETE FROM t WHERE TRUE; DELETE FROM t WHERE id = id; DELETE FROM t WHERE a = 2 OR 1 = 1'), Array(4).fill('sql-always-true-where'));
	t.deepEqual(rules('DELETE FROM t WHERE id > 0; UPDATE t SET a = 1 WHERE b IS NOT NULL'), ['sql-broad-where', 'sql-broad-where']);
	t.deepEqual(rules('DELETE FROM t WHERE id = 3; DELETE FROM sessions WHERE expires_at < now(); DELETE FROM t WHERE 1 = 0'), ['fine', 'fine', 'fine']);
	t.deepEqual(rules('DROP TABLE IF EXISTS a; DROP DATABASE prod; DROP SCHEMA s CASCADE; TRUNCATE b; ALTER TABLE c DROP COLUMN d'), ['sql-drop', 'sql-drop', 'sql-drop', 'sql-truncate', 'sql-alter-drop']);
	t.deepEqual(rules('DELETE FROM `users`', 'mysql'), ['sql-delete-without-where']);
	t.deepEqual(rules("INSERT INTO log VALUES ('DROP TABLE x'); SELECT * FROM updates; DROP INDEX i; DROP VIEW v"), ['fine', 'fine', 'fine'], 'the SELECT holds no word that destroys: not even parsed');
	t.deepEqual(rules('WITH old AS (SELECT id FROM t) DELETE FROM t USING old WHERE t.id = old.id'), ['sql-unparsed'], 'a statement the parser cannot read is asked');
});
