import {processIO} from './io.js';
import {runAo} from './program.js';

// Only the command that runs is loaded (src/cli/commands/index.ts), so `ao --version` and `ao list` stay fast.
process.exitCode = await runAo(process.argv.slice(2), processIO());
