import path from 'node:path';
import type {Preset} from '../core/config/config-schema.js';
import {aider} from './aider.js';
import {claude} from './claude.js';
import {codex} from './codex.js';
import {demo} from './demo.js';
import {gemini} from './gemini.js';
import {shell} from './shell.js';
import type {AgentStrategy} from './types.js';

export const strategies: Record<string, AgentStrategy> = {claude, codex, gemini, aider, shell, demo};
export const strategyNames = Object.keys(strategies);

/**
 * The strategy of a preset: its `kind`, else the preset's own name, else its program's name (a preset "opus" that
 * runs `claude --model opus` is Claude Code), else `shell`, which knows nothing of the program.
 */
export function strategyFor(name: string, preset: Pick<Preset, 'kind' | 'command'> | undefined): AgentStrategy {
	if (preset?.kind) return strategies[preset.kind] ?? shell;
	if (Object.hasOwn(strategies, name)) return strategies[name]!;
	const program = preset?.command[0] ? path.basename(preset.command[0]) : '';
	return Object.hasOwn(strategies, program) ? strategies[program]! : shell;
}

/** The strategy a job runs: the kind recorded at dispatch (a record of ao 0.1 has none: then by its preset's name). */
export function strategyOf(job: {kind?: string; agent: string}): AgentStrategy {
	return job.kind && Object.hasOwn(strategies, job.kind) ? strategies[job.kind]! : strategyFor(job.agent, undefined);
}
