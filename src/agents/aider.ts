import type {AgentStrategy} from './types.js';

/**
 * Aider: screen patterns only, from its documentation and its users' screens. Aider cannot be installed here (it
 * needs Python packages from outside the registries this project reaches), so none of this is verified against the
 * program, unlike the claude, codex and gemini strategies.
 */
export const aider: AgentStrategy = {
	name: 'aider',
	reportsAll: false,
	fullScreen: false,
	screens: [
		{pattern: /^(.*\(Y\)es\/\(N\)o.*)$/m, state: 'needs-input', reason: match => `asks: ${match[1]!.trim()}`},
		{pattern: /^(?:\w+ )?> $/m, state: 'ready', reason: 'waiting at its prompt'},
	],
};
