import {createRequire} from 'node:module';

/**
 * Judges SQL that is about to reach a database: parsed (node-sql-parser, the dialect's build loaded only when the
 * text holds a word that can destroy data), one statement at a time. Pure but for loading the parser.
 */

/** The dialects ao reads SQL in: each is the name of a node-sql-parser build (node-sql-parser/build/<name>). */
export type SqlDialect = 'postgresql' | 'mysql' | 'mariadb' | 'sqlite' | 'transactsql' | 'bigquery' | 'snowflake';

export interface SqlHit {
	rule: string;
	/** What makes it destructive, as the job shows it: "DELETE without WHERE". */
	what: string;
	statement: string;
}

export interface SqlStatementReport {
	statement: string;
	parsed: boolean;
	hit?: SqlHit;
}

const destructiveWord = /\b(delete|update|drop|truncate|alter)\b/i;

/** True when `text` holds a word that can start a destructive statement (the parser is not needed otherwise). */
export function mayDestroy(text: string): boolean {
	return destructiveWord.test(text);
}

/** The findings for every statement of `text`, and how each was read (for `ao guard --explain`). */
export function judgeSql(text: string, dialect: SqlDialect = 'postgresql'): SqlStatementReport[] {
	if (!mayDestroy(text)) return [];
	return splitStatements(text).filter(statement => mayDestroy(statement)).map(statement => judgeStatement(statement, dialect));
}

function judgeStatement(statement: string, dialect: SqlDialect): SqlStatementReport {
	const ast = parseStatement(statement, dialect);
	if (ast === undefined) {
		const hit = lexicalHit(statement);
		return {statement, parsed: false, ...(hit ? {hit} : {})};
	}

	const hit = (Array.isArray(ast) ? ast : [ast]).map(node => astHit(node as Node, statement)).find(Boolean);
	return {statement, parsed: true, ...(hit ? {hit} : {})};
}

type Node = Record<string, unknown> & {type?: string};

function astHit(node: Node, statement: string): SqlHit | undefined {
	const at = (rule: string, what: string): SqlHit => ({rule, what, statement});
	switch (node.type) {
		case 'delete':
		case 'update': {
			const verb = node.type.toUpperCase();
			if (!node.where) return at(`sql-${node.type}-without-where`, `${verb} without WHERE`);
			const truth = whereTruth(node.where as Node);
			if (truth === 'always') return at('sql-always-true-where', `${verb} with a WHERE always true`);
			if (truth === 'broad') return at('sql-broad-where', `${verb} of nearly every row`);
			return undefined;
		}

		case 'drop': {
			const keyword = String(node.keyword ?? '').toLowerCase();
			if (['table', 'database', 'schema'].includes(keyword)) return at('sql-drop', `DROP ${keyword.toUpperCase()}`);
			return undefined;
		}

		case 'truncate':
			return at('sql-truncate', 'TRUNCATE');
		case 'alter': {
			const drops = ((node.expr as Node[] | undefined) ?? []).filter(expr => expr.action === 'drop');
			if (drops.length > 0) return at('sql-alter-drop', `ALTER TABLE ... DROP ${String(drops[0]!.resource ?? drops[0]!.keyword ?? '').toUpperCase()}`.trim());
			return undefined;
		}

		default:
			return undefined;
	}
}

type Truth = 'always' | 'never' | 'broad' | 'unknown';

function constant(node: Node): unknown {
	switch (node.type) {
		case 'number':
		case 'bool':
		case 'single_quote_string':
		case 'double_quote_string':
		case 'string':
			return node.value;
		case 'null':
			return null;
		default:
			return undefined;
	}
}

function columnName(node: Node): string | undefined {
	if (node.type !== 'column_ref') return undefined;
	const column = node.column as {expr?: {value?: unknown}} | string;
	return typeof column === 'string' ? column : String(column?.expr?.value ?? '');
}

/** Whether a WHERE holds for every row ("always": 1=1, TRUE, id = id, x OR 1=1), nearly every row, or some. */
export function whereTruth(node: Node): Truth {
	const value = constant(node);
	if (value !== undefined) return value === null || value === false || value === 0 || value === '0' ? 'never' : 'always';
	if (node.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT') {
		const inner = whereTruth(node.expr as Node);
		return inner === 'always' ? 'never' : inner === 'never' ? 'always' : 'unknown';
	}

	if (node.type !== 'binary_expr') return 'unknown';
	const operator = String(node.operator).toUpperCase();
	const left = node.left as Node;
	const right = node.right as Node;
	if (operator === 'OR') {
		const sides = [whereTruth(left), whereTruth(right)];
		return sides.includes('always') ? 'always' : sides.includes('broad') ? 'broad' : 'unknown';
	}

	if (operator === 'AND') {
		const sides = [whereTruth(left), whereTruth(right)];
		if (sides.includes('never')) return 'never';
		if (sides.every(side => side === 'always')) return 'always';
		return sides.every(side => side === 'always' || side === 'broad') ? 'broad' : 'unknown';
	}

	const [a, b] = [constant(left), constant(right)];
	if (a !== undefined && b !== undefined) {
		if (operator === '=' || operator === '==' || operator === 'IS') return String(a) === String(b) ? 'always' : 'never';
		if (operator === '<>' || operator === '!=' || operator === 'IS NOT') return String(a) !== String(b) ? 'always' : 'never';
		return 'unknown';
	}

	const [leftColumn, rightColumn] = [columnName(left), columnName(right)];
	if (leftColumn && leftColumn === rightColumn && ['=', '>=', '<=', 'LIKE'].includes(operator)) return 'always';
	if (leftColumn && operator === 'IS NOT' && b === null) return 'broad';
	if (leftColumn && operator === 'LIKE' && (b === '%' || b === '%%')) return 'broad';
	if (leftColumn && ['>', '>=', '<>', '!='].includes(operator) && (b === 0 || b === '0' || b === '' || b === -1)) return 'broad';
	return 'unknown';
}

/**
 * A statement the parser does not know: its leading words still say what it is. A DROP, TRUNCATE, or DELETE or UPDATE
 * without WHERE is clear; any other statement that may change rows or tables is a doubt (asked); a statement that
 * starts as a read or an insert is not one that destroys.
 */
function lexicalHit(statement: string): SqlHit | undefined {
	const words = statement.replaceAll(/'[^']*'/g, "''").replaceAll(/[`"[\]()]/g, ' ').trim().split(/\s+/).map(word => word.toUpperCase());
	const [verb, object] = words;
	if (verb === 'DROP' && ['TABLE', 'DATABASE', 'SCHEMA'].includes(object ?? '')) return {rule: 'sql-drop', what: `DROP ${object}`, statement};
	if (verb === 'TRUNCATE') return {rule: 'sql-truncate', what: 'TRUNCATE', statement};
	if ((verb === 'DELETE' || verb === 'UPDATE') && !words.includes('WHERE')) return {rule: `sql-${verb.toLowerCase()}-without-where`, what: `${verb} without WHERE`, statement};
	if (['SELECT', 'INSERT', 'CREATE', 'SHOW', 'EXPLAIN', 'GRANT', 'COPY', 'SET', 'VALUES', 'DESCRIBE'].includes(verb ?? '')) return undefined;
	return {rule: 'sql-unparsed', what: 'SQL the guard could not read', statement};
}

const requireBuild = createRequire(import.meta.url);
const parsers = new Map<string, {astify(sql: string, options?: {database?: string}): unknown}>();

function parser(dialect: SqlDialect): {astify(sql: string, options?: {database?: string}): unknown} {
	let found = parsers.get(dialect);
	if (!found) {
		const {Parser} = requireBuild(`node-sql-parser/build/${dialect}`) as {Parser: new () => {astify(sql: string, options?: {database?: string}): unknown}};
		found = new Parser();
		parsers.set(dialect, found);
	}

	return found;
}

/** The statement's syntax tree in its dialect, else in the nearest other one; undefined when neither reads it. */
function parseStatement(statement: string, dialect: SqlDialect): unknown {
	const second: SqlDialect = dialect === 'postgresql' ? 'mysql' : 'postgresql';
	for (const each of [dialect, second]) {
		try {
			return parser(each).astify(statement, {database: each});
		} catch {
			// Try the next dialect; a statement neither reads is judged by its words.
		}
	}

	return undefined;
}

/**
 * Splits SQL into statements at top-level semicolons, leaving out comments, psql's backslash commands and sqlite's
 * dot commands; quotes ('...', "...", `...`, $tag$...$tag$) are kept whole. Pure.
 */
export function splitStatements(sql: string): string[] {
	const text = sql.split('\n').filter(line => !/^\s*(\\|\.[a-z])/.test(line)).join('\n');
	const statements: string[] = [];
	let current = '';
	let index = 0;
	while (index < text.length) {
		const char = text[index]!;
		const rest = text.slice(index);
		if (rest.startsWith('--')) {
			const end = text.indexOf('\n', index);
			index = end === -1 ? text.length : end;
			continue;
		}

		if (rest.startsWith('/*')) {
			const end = text.indexOf('*/', index + 2);
			index = end === -1 ? text.length : end + 2;
			current += ' ';
			continue;
		}

		const dollar = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
		if (char === "'" || char === '"' || char === '`' || dollar) {
			const close = dollar ? dollar[0] : char;
			let end = text.indexOf(close, index + close.length);
			while (!dollar && end !== -1 && text[end + 1] === close) end = text.indexOf(close, end + 2);
			end = end === -1 ? text.length : end + close.length;
			current += text.slice(index, end);
			index = end;
			continue;
		}

		if (char === ';') {
			if (current.trim()) statements.push(current.trim());
			current = '';
		} else {
			current += char;
		}

		index++;
	}

	if (current.trim()) statements.push(current.trim());
	return statements;
}
