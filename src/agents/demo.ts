import type {AgentStrategy} from './types.js';

/** ao's own scripted demo agent (demo-agent.ts): it says every state itself with `ao report`. */
export const demo: AgentStrategy = {
	name: 'demo',
	reportsAll: true,
	fullScreen: false,
	screens: [],
};
