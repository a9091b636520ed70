import {runDemoAgent} from '../../agents/demo-agent.js';
import {defineCommand} from '../command.js';

export default defineCommand<[string[]], {resumed?: boolean}>({
	name: 'demo-agent',
	hidden: true,
	description: 'the scripted demo agent',
	args: [['[task...]']],
	options: [{flags: '--resumed', hidden: true}],
	async run(io, [task], options) {
		io.exitCode = await runDemoAgent(task.join(' '), Boolean(options.resumed));
	},
});
