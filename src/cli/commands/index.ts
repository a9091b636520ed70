import type {CommandSpec} from '../command.js';

type Loader = () => Promise<{default: CommandSpec}>;

/**
 * Every command, in the order `ao --help` lists them, with the words that run it (its name and aliases, as its spec
 * declares them). main.ts loads only the module of the command being run.
 */
export const commandIndex: Array<{words: string[]; load: Loader}> = [
	{words: ['dispatch'], load: async () => import('./dispatch.js')},
	{words: ['list', 'ls'], load: async () => import('./list.js')},
	{words: ['peek'], load: async () => import('./peek.js')},
	{words: ['send'], load: async () => import('./send.js')},
	{words: ['dismiss'], load: async () => import('./dismiss.js')},
	{words: ['attach'], load: async () => import('./attach.js')},
	{words: ['logs'], load: async () => import('./logs.js')},
	{words: ['stop'], load: async () => import('./stop.js')},
	{words: ['rm'], load: async () => import('./rm.js')},
	{words: ['diff'], load: async () => import('./diff.js')},
	{words: ['merge'], load: async () => import('./merge.js')},
	{words: ['pr'], load: async () => import('./pr.js')},
	{words: ['pin'], load: async () => import('./pin.js')},
	{words: ['unpin'], load: async () => import('./unpin.js')},
	{words: ['rename'], load: async () => import('./rename.js')},
	{words: ['config'], load: async () => import('./config.js')},
	{words: ['trust'], load: async () => import('./trust.js')},
	{words: ['doctor'], load: async () => import('./doctor.js')},
	{words: ['demo'], load: async () => import('./demo.js')},
	{words: ['dashboard', 'agents', 'view'], load: async () => import('./dashboard.js')},
	{words: ['cost'], load: async () => import('./cost.js')},
	{words: ['status'], load: async () => import('./status.js')},
	{words: ['respawn'], load: async () => import('./respawn.js')},
	{words: ['resume'], load: async () => import('./resume.js')},
	{words: ['server'], load: async () => import('./server.js')},
	{words: ['report'], load: async () => import('./report.js')},
	{words: ['tmux'], load: async () => import('./tmux.js')},
	{words: ['host'], load: async () => import('./host.js')},
	{words: ['guard'], load: async () => import('./guard.js')},
	{words: ['supervise'], load: async () => import('./supervise.js')},
	{words: ['demo-agent'], load: async () => import('./demo-agent.js')},
];
