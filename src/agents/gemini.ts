import type {AgentStrategy} from './types.js';

/** Gemini CLI (verified with @google/gemini-cli 0.61.0 against a scripted Gemini API). */
export const gemini: AgentStrategy = {
	name: 'gemini',
	reportsAll: false,
	screens: [
		{pattern: /Do you trust the files in this folder\?/, state: 'needs-input', reason: 'Gemini asks to trust this folder'},
	],
};
