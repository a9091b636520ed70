import type {AgentStrategy} from './types.js';

/** Any command (`ao dispatch -- npm test`): its process, the general screen patterns (`detect:`) and its silence. */
export const shell: AgentStrategy = {
	name: 'shell',
	reportsAll: false,
	fullScreen: false,
	screens: [],
};
