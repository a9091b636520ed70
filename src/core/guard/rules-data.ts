import path from 'node:path';
import {isOpaque, optionValues, positionals, subcommand, type Checker, type GuardContext, type Hit} from './rule.js';
import type {Arg, SimpleCommand} from './shell.js';
import {judgeSql, mayDestroy, type SqlDialect} from './sql.js';

/**
 * Rules on databases: SQL that reaches a database client (its command option, its positional SQL, a file it is
 * given, a heredoc or pipe into it) is parsed and judged; MongoDB scripts and Redis commands likewise. Pure but for
 * reading the .sql files a command names.
 */

interface Client {
	dialect: SqlDialect;
	/** Options whose value is SQL. */
	sql: string[];
	/** Options whose value is a file of SQL. */
	files: string[];
	/** Other options that take a value (so it is not taken for a positional). */
	values: string[];
	/** Positionals from this index on are SQL (sqlite3 DB "SQL"); undefined: none are. */
	sqlFrom?: number;
	/** The first positional is a subcommand that must be this (`cockroach sql`, `bq query`). */
	sub?: string;
}

const mysqlValues = ['-h', '--host', '-u', '--user', '-P', '--port', '-D', '--database', '-S', '--socket', '--defaults-file', '--login-path', '--default-character-set'];
const clients: Record<string, Client> = {
	psql: {dialect: 'postgresql', sql: ['-c', '--command'], files: ['-f', '--file'], values: ['-h', '--host', '-p', '--port', '-U', '--username', '-d', '--dbname', '-v', '--set', '--variable', '-o', '--output', '-L', '--log-file', '-P', '--pset', '-F', '--field-separator', '-R', '--record-separator', '-T', '--table-attr']},
	mysql: {dialect: 'mysql', sql: ['-e', '--execute'], files: [], values: mysqlValues},
	mariadb: {dialect: 'mariadb', sql: ['-e', '--execute'], files: [], values: mysqlValues},
	mycli: {dialect: 'mysql', sql: ['-e', '--execute'], files: [], values: mysqlValues},
	sqlite3: {dialect: 'sqlite', sql: ['-cmd'], files: ['-init'], values: ['-separator', '-newline', '-nullvalue', '-vfs'], sqlFrom: 1},
	sqlite: {dialect: 'sqlite', sql: ['-cmd'], files: ['-init'], values: ['-separator', '-newline', '-nullvalue', '-vfs'], sqlFrom: 1},
	litecli: {dialect: 'sqlite', sql: ['-e', '--execute'], files: [], values: []},
	duckdb: {dialect: 'postgresql', sql: ['-c', '-s'], files: ['-init'], values: [], sqlFrom: 1},
	'clickhouse-client': {dialect: 'mysql', sql: ['-q', '--query'], files: ['--queries-file'], values: ['-h', '--host', '--port', '-u', '--user', '-d', '--database', '--password', '-f', '--format']},
	sqlcmd: {dialect: 'transactsql', sql: ['-Q', '-q'], files: ['-i'], values: ['-S', '-U', '-P', '-d', '-o', '-s', '-W', '-h', '-t']},
	cockroach: {dialect: 'postgresql', sql: ['-e', '--execute'], files: ['-f', '--file'], values: ['--url', '--host', '--user', '--database', '-d', '--certs-dir', '--format'], sub: 'sql'},
	usql: {dialect: 'postgresql', sql: ['-c', '--command'], files: ['-f', '--file'], values: ['-o', '--out', '-v', '--set']},
	bq: {dialect: 'bigquery', sql: [], files: [], values: ['--project_id', '--dataset_id', '--location', '--format', '--max_rows'], sqlFrom: 0, sub: 'query'},
	snowsql: {dialect: 'snowflake', sql: ['-q', '--query'], files: ['-f', '--filename'], values: ['-a', '--accountname', '-u', '--username', '-d', '--dbname', '-s', '--schemaname', '-w', '--warehouse', '-r', '--rolename', '-c', '--connection', '-o', '--option']},
};

function sqlTexts(command: SimpleCommand, client: Client, context: GuardContext): Array<{text?: string; unknown?: string}> {
	const texts: Array<{text?: string; unknown?: string}> = [];
	const fromArg = (arg: Arg): void => void texts.push(isOpaque(arg) ? {unknown: `SQL known only when it runs (${arg.text})`} : {text: arg.text});
	const fromFile = (file: string): void => {
		const resolved = command.remote ? undefined : path.resolve(command.cwd ?? context.cwd, file);
		const text = resolved ? context.readFile(resolved) : undefined;
		texts.push(text === undefined ? {unknown: `SQL in ${file}, which the guard could not read`} : {text});
	};

	optionValues(command.args, ...client.sql).forEach(fromArg);
	for (const file of optionValues(command.args, ...client.files)) if (file.text !== '-') fromFile(file.text);
	if (client.sqlFrom !== undefined) {
		const words = positionals(command.args, [...client.sql, ...client.files, ...client.values]);
		words.slice(client.sqlFrom).forEach(fromArg);
	}

	if (command.stdin && 'text' in command.stdin) texts.push({text: command.stdin.text});
	if (command.stdin && 'file' in command.stdin) fromFile(command.stdin.file);
	// Files the SQL itself pulls in: sqlite3's .read, psql's \i, mysql's source.
	for (const {text} of [...texts]) {
		for (const match of (text ?? '').matchAll(/^\s*(?:\.read|\\i|\\ir|\\include|source)\s+['"]?([^\s'";]+)/gim)) fromFile(match[1]!);
	}

	return texts;
}

export const databases: Checker = {
	screen: new RegExp(`\\b(${Object.keys(clients).join('|')}|clickhouse)\\b`),
	check(command, context, notes) {
		let client = clients[command.program];
		let args = command.args;
		if (command.program === 'clickhouse' && args[0]?.text === 'client') {
			client = clients['clickhouse-client'];
			args = args.slice(1);
		}

		if (!client) return [];
		if (client.sub) {
			const {name, rest} = subcommand(args, client.values);
			if (name !== client.sub) return [];
			args = rest;
		}

		const hits: Hit[] = [];
		for (const {text, unknown} of sqlTexts({...command, args}, client, context)) {
			if (unknown !== undefined) {
				hits.push({rule: 'sql-unparsed', what: unknown});
				continue;
			}

			if (!text || !mayDestroy(text)) continue;
			const reports = judgeSql(text, client.dialect);
			notes.sql.push(...reports);
			for (const report of reports) if (report.hit) hits.push({rule: report.hit.rule, what: report.hit.what});
		}

		return hits;
	},
};

const mongoDeleteAll = /\.\s*(deleteMany|remove)\s*\(\s*\{\s*\}\s*[,)]/;
const mongoDrop = /\.\s*(drop|dropDatabase)\s*\(\s*\)/;

export const mongo: Checker = {
	screen: /\b(mongosh|mongo)\b/,
	check(command, context) {
		if (command.program !== 'mongosh' && command.program !== 'mongo') return [];
		const scripts = optionValues(command.args, '--eval').map(arg => arg.text);
		for (const file of positionals(command.args, ['--eval', '--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase', '--file', '-f'])) {
			if (file.text.endsWith('.js')) scripts.push(context.readFile(path.resolve(command.cwd ?? context.cwd, file.text)) ?? '');
		}

		if (command.stdin && 'text' in command.stdin) scripts.push(command.stdin.text);
		const hits: Hit[] = [];
		for (const script of scripts) {
			const all = mongoDeleteAll.exec(script);
			if (all) hits.push({rule: 'mongo-delete-all', what: `${all[1]}({}) (every document)`});
			const drop = mongoDrop.exec(script);
			if (drop) hits.push({rule: 'mongo-drop', what: `${drop[1]}()`});
		}

		return hits;
	},
};

export const redis: Checker = {
	screen: /\b(redis-cli|valkey-cli|keydb-cli)\b/,
	check(command) {
		if (!['redis-cli', 'valkey-cli', 'keydb-cli'].includes(command.program)) return [];
		const words = positionals(command.args, ['-h', '-p', '-a', '-n', '-u', '-s', '--user', '--pass', '-r', '-i']).map(arg => arg.text.toUpperCase());
		const stdin = command.stdin && 'text' in command.stdin ? command.stdin.text.toUpperCase() : '';
		const flush = words.find(word => word === 'FLUSHALL' || word === 'FLUSHDB') ?? /\b(FLUSHALL|FLUSHDB)\b/.exec(stdin)?.[1];
		return flush ? [{rule: 'redis-flush', what: `${flush} (every key)`}] : [];
	},
};
