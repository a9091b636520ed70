import test from 'ava';
import {configSchema, isProgramKey, mergeConfig, type Config, type Rule} from '../src/core/config/config-schema.js';
import {validateConfigValue, validateMerged} from '../src/core/config/config-check.js';
import {loadDefaults} from '../src/core/config/config.js';

function messages(value: unknown, rule: Rule = configSchema): string[] {
	return validateConfigValue(value, rule).map(problem => problem.message);
}

/** The shipped defaults with only the agents these tests need. */
function baseConfig(): Config {
	return {...loadDefaults(), agents: {claude: {command: ['claude', '{task}'], env: {}}}};
}

test('a well-formed config has no problems', t => {
	t.deepEqual(validateConfigValue({
		agent: {default: 'claude'},
		agents: {claude: {command: ['claude'], resume: ['claude', '--resume'], env: {A: 'b'}}},
		worktree: {root: 'x', copy: ['.env'], link: [], setup: 'npm ci'},
		attach: {detach_key: 'C-q', popup: false, popup_size: '80%'},
		logs: {max_bytes: 4096},
		supervisor: {tick_ms: 50},
		tmux: {window_size: '1x9999'},
	}), []);
});

test('an empty map is valid (every key is optional in one file)', t => {
	t.deepEqual(validateConfigValue({}), []);
});

test('a word where a positive integer belongs names the key, the expectation and the value', t => {
	t.deepEqual(messages({count: 'five'}, {type: 'object', keys: {count: {type: 'int', min: 1}}}), ['count must be a positive integer, got "five"']);
});

test('an integer below its minimum states the minimum', t => {
	const problems = validateConfigValue({supervisor: {tick_ms: 10}});
	t.deepEqual(problems, [{path: ['supervisor', 'tick_ms'], message: 'supervisor.tick_ms must be an integer of at least 50, got 10'}]);
});

test('a quoted number, a fraction and an unsafe integer are not integers', t => {
	t.deepEqual(messages({supervisor: {tick_ms: 'five'}}), ['supervisor.tick_ms must be an integer of at least 50, got "five"']);
	t.deepEqual(messages({supervisor: {tick_ms: '1000'}}), ['supervisor.tick_ms must be an integer of at least 50, got "1000"']);
	t.deepEqual(messages({logs: {max_bytes: 5000.5}}), ['logs.max_bytes must be an integer of at least 4096, got 5000.5']);
	t.deepEqual(messages({logs: {max_bytes: 2 ** 60}}), [`logs.max_bytes must be an integer of at least 4096, got ${2 ** 60}`]);
});

test('a boolean key refuses the string "yes"', t => {
	t.deepEqual(messages({attach: {popup: 'yes'}}), ['attach.popup must be true or false, got "yes"']);
});

test('a non-empty string key refuses blanks and null', t => {
	t.deepEqual(messages({agent: {default: '  '}}), ['agent.default must be a non-empty string, got "  "']);
	t.deepEqual(messages({agent: {default: null}}), ['agent.default must be a non-empty string, got null']);
});

test('worktree.setup may be empty but must be a string', t => {
	t.deepEqual(messages({worktree: {setup: ''}}), []);
	t.deepEqual(messages({worktree: {setup: ['npm', 'ci']}}), ['worktree.setup must be a string, got ["npm","ci"]']);
});

test('a list of strings refuses a bare string and a list holding a number', t => {
	t.deepEqual(messages({worktree: {copy: '.env'}}), ['worktree.copy must be a list of strings, got ".env"']);
	t.deepEqual(messages({worktree: {link: ['node_modules', 3]}}), ['worktree.link must be a list of strings, got ["node_modules",3]']);
});

test('a preset command must be a non-empty list', t => {
	t.deepEqual(messages({agents: {claude: {command: []}}}), ['agents.claude.command must be a non-empty list of strings, got []']);
	t.deepEqual(messages({agents: {claude: {command: 'claude --yes'}}}), ['agents.claude.command must be a non-empty list of strings, got "claude --yes"']);
});

test('preset env must map names to strings', t => {
	t.deepEqual(messages({agents: {claude: {env: {DEBUG: 1}}}}), ['agents.claude.env must be a map of strings, got {"DEBUG":1}']);
	t.deepEqual(messages({agents: {claude: {env: ['A=b']}}}), ['agents.claude.env must be a map of strings, got ["A=b"]']);
});

test('a section given as a scalar must be a map', t => {
	t.deepEqual(messages({worktree: 'somewhere'}), ['worktree must be a map, got "somewhere"']);
	t.deepEqual(messages({agents: ['claude']}), ['agents must be a map, got ["claude"]']);
});

test('window_size takes WIDTHxHEIGHT with 1 to 4 digits and no leading zero', t => {
	for (const good of ['200x50', '1x1', '9999x9999']) t.deepEqual(messages({tmux: {window_size: good}}), [], good);
	for (const bad of ['200', '200X50', '200x', 'x50', '0x50', '200x050', '10000x50', ' 200x50', '200x50\n', '200*50']) {
		t.deepEqual(messages({tmux: {window_size: bad}}), [`tmux.window_size must be a size like "200x50", got ${JSON.stringify(bad)}`], bad);
	}

	t.deepEqual(messages({tmux: {window_size: 200}}), ['tmux.window_size must be a size like "200x50", got 200']);
});

test('an unknown top-level key close to a known one suggests it', t => {
	t.deepEqual(validateConfigValue({agnet: {default: 'x'}}), [{path: ['agnet'], unknownKey: true, message: 'unknown key "agnet" (did you mean "agent"?)'}]);
});

test('an unknown nested key gives its dotted path and a suggestion', t => {
	t.deepEqual(messages({supervisor: {tick_m: 100}}), ['unknown key "supervisor.tick_m" (did you mean "tick_ms"?)']);
	t.deepEqual(messages({attach: {popup_sise: '80%'}}), ['unknown key "attach.popup_sise" (did you mean "popup_size"?)']);
});

test('an unknown key far from every known one lists the known keys', t => {
	t.deepEqual(messages({logs: {rotate: true}}), ['unknown key "logs.rotate" (known keys: max_bytes)']);
	t.deepEqual(messages({colours: 'on'}), ['unknown key "colours" (known keys: agent, agents, worktree, attach, logs, supervisor, concurrency, limits, detect, notify, dashboard, guard, prices, budget, watchdog, status, tmux, hosts, review)']);
});

test('the suggestion for an unknown key is the nearest known key, not the first one within two edits', t => {
	t.deepEqual(messages({agets: {}}), ['unknown key "agets" (did you mean "agents"?)']);
});

test('an unknown key inside a preset is reported with the preset name in its path', t => {
	t.deepEqual(messages({agents: {claude: {cmd: ['x']}}}), ['unknown key "agents.claude.cmd" (known keys: kind, command, resume, env, detect, modes, usage, pause_keys)']);
	t.deepEqual(messages({agents: {claude: {comand: ['x']}}}), ['unknown key "agents.claude.comand" (did you mean "command"?)']);
});

test('agent names (record keys) must be lowercase names, and the key itself is the problem', t => {
	t.deepEqual(validateConfigValue({agents: {Claude: {command: ['x']}}}), [
		{path: ['agents', 'Claude'], unknownKey: true, message: 'agents key "Claude" must be a lowercase name (letters, digits, - and _)'},
	]);
	for (const bad of ['my agent', '1st', '-x', '__proto__', 'a'.repeat(33), 'a.b']) {
		t.is(messages({agents: {[bad]: {command: ['x']}}}).length, 1, bad);
	}

	for (const good of ['my-agent', 'a_1', 'x', 'a'.repeat(32)]) t.deepEqual(messages({agents: {[good]: {command: ['x']}}}), [], good);
});

test('every problem in a file is returned, each with its own path', t => {
	const problems = validateConfigValue({supervisor: {tick_ms: 'five'}, attach: {popup: 1}, bogus: 1});
	t.deepEqual(problems.map(problem => problem.path.join('.')), ['supervisor.tick_ms', 'attach.popup', 'bogus']);
});

test('a whole file that is not a map is refused', t => {
	t.is(validateConfigValue(['agent']).length, 1);
	t.is(validateConfigValue('agent: x').length, 1);
});

test('mergeConfig merges maps key by key', t => {
	t.deepEqual(mergeConfig({agent: {default: 'claude'}, agents: {claude: {command: ['claude'], env: {A: '1'}}}}, {agents: {claude: {env: {B: '2'}}, mine: {command: ['mine']}}}), {
		agent: {default: 'claude'},
		agents: {claude: {command: ['claude'], env: {A: '1', B: '2'}}, mine: {command: ['mine']}},
	});
});

test('mergeConfig replaces lists and scalars instead of merging them', t => {
	t.deepEqual(mergeConfig({worktree: {copy: ['.env', '.npmrc'], setup: 'npm ci'}, supervisor: {tick_ms: 1000}}, {worktree: {copy: ['.envrc']}, supervisor: {tick_ms: 200}}), {
		worktree: {copy: ['.envrc'], setup: 'npm ci'},
		supervisor: {tick_ms: 200},
	});
	t.deepEqual(mergeConfig({agents: {claude: {command: ['claude', '--a', '{task}']}}}, {agents: {claude: {command: ['claude']}}}), {agents: {claude: {command: ['claude']}}});
});

test('mergeConfig lets a scalar replace a map and a map replace a scalar', t => {
	t.deepEqual(mergeConfig({a: {b: 1}}, {a: 'x'}), {a: 'x'});
	t.deepEqual(mergeConfig({a: 'x'}, {a: {b: 1}}), {a: {b: 1}});
});

test('mergeConfig keeps the base where the override is undefined and does not change its inputs', t => {
	const base = {a: {b: 1, c: [1, 2]}};
	const override = {a: {b: 2}};
	t.deepEqual(mergeConfig(base, undefined), base);
	t.deepEqual(mergeConfig(base, override), {a: {b: 2, c: [1, 2]}});
	t.deepEqual(base, {a: {b: 1, c: [1, 2]}});
	t.deepEqual(override, {a: {b: 2}});
});

test('validateMerged accepts a config whose default agent is a preset with a command', t => {
	t.deepEqual(validateMerged(baseConfig()), []);
});

test('validateMerged names a default agent that is not a preset and lists the known ones', t => {
	const config = baseConfig();
	config.agent.default = 'cluade';
	config.agents.codex = {command: ['codex'], env: {}};
	t.deepEqual(validateMerged(config), [{path: ['agent', 'default'], message: 'agent.default is "cluade", which is not a preset; known: claude, codex'}]);
});

test('validateMerged requires a command for every preset', t => {
	const config = baseConfig();
	config.agents.mine = {env: {A: 'b'}} as unknown as Config['agents'][string];
	t.deepEqual(validateMerged(config), [{path: ['agents', 'mine'], message: 'agents.mine.command is required (the argv that starts the agent)'}]);
});

test('validateMerged refuses agent.default naming an Object prototype member such as "toString"', t => {
	const config = baseConfig();
	config.agent.default = 'toString';
	t.is(validateMerged(config).length, 1);
});

test('isProgramKey is true exactly for the keys that run programs', t => {
	t.true(isProgramKey(['worktree', 'setup']));
	t.true(isProgramKey(['review', 'pre_merge']));
	t.true(isProgramKey(['review', 'pr_command']));
	t.false(isProgramKey(['review', 'pr_poll_s']));
	t.true(isProgramKey(['agents', 'claude', 'command']));
	t.true(isProgramKey(['agents', 'my-agent', 'resume']));
	t.false(isProgramKey(['agents', 'claude', 'env']));
	t.false(isProgramKey(['agents', 'claude']));
	t.false(isProgramKey(['agents']));
	t.false(isProgramKey(['worktree', 'root']));
	t.false(isProgramKey(['worktree', 'setup', 'x']));
	t.false(isProgramKey(['agent', 'default']));
	t.false(isProgramKey(['agents', 'a.b', 'command', 'x']));
	t.false(isProgramKey([]));
});
