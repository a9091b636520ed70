import type {GuardSettings, Verdict} from './judge.js';
import type {RuleInfo} from './rule.js';
import {builtinRules} from './rules.js';
import type {SimpleCommand} from './shell.js';

/** `ao guard --explain` and `ao guard --rules` as text: how a command was taken apart and judged. Pure. */

function describeCommand(command: SimpleCommand): string {
	const words = [command.program || '(a program named at run time)', ...command.args.map(arg => (arg.literal ? arg.text : `${arg.text} (at run time)`))];
	const details = [
		command.via.length > 0 ? `via ${command.via.join(' > ')}` : '',
		command.cwd ? `in ${command.cwd}` : '',
		command.stdin ? ('text' in command.stdin ? `stdin: ${JSON.stringify(command.stdin.text.slice(0, 60))}` : 'file' in command.stdin ? `stdin: ${command.stdin.file}` : `stdin from: ${command.stdin.from}`) : '',
		command.writes.length > 0 ? `writes ${command.writes.join(', ')}` : '',
		command.remote ? 'runs elsewhere (paths are not this machine\'s)' : '',
	].filter(Boolean);
	return `${words.join(' ')}${details.length > 0 ? `\n     ${details.join('; ')}` : ''}`;
}

export function explainText(verdict: Verdict): string[] {
	const lines: string[] = [];
	if (verdict.commands.length === 0 && verdict.sql.length === 0 && verdict.findings.length === 0) {
		lines.push('no rule is about any word of this command: not parsed, allowed');
	}

	if (verdict.commands.length > 0) lines.push(`runs ${verdict.commands.length} command${verdict.commands.length === 1 ? '' : 's'}:`);
	verdict.commands.forEach((command, index) => {
		lines.push(`  ${index + 1}. ${describeCommand(command)}`);
		for (const finding of verdict.findings.filter(each => each.command === command.source)) lines.push(`     ${finding.action}: ${finding.rule} (${finding.what})`);
	});

	for (const error of verdict.parseErrors) lines.push(`parse error: ${error}`);
	for (const report of verdict.sql) {
		const verdictText = report.hit ? `${report.hit.rule} (${report.hit.what})` : 'destroys nothing';
		lines.push(`SQL${report.parsed ? '' : ' (not parsed; judged by its words)'}: ${report.statement.replaceAll(/\s+/g, ' ').slice(0, 80)}: ${verdictText}`);
	}

	for (const finding of verdict.findings.filter(each => !verdict.commands.some(command => command.source === each.command))) {
		lines.push(`${finding.action}: ${finding.rule} (${finding.what})`);
	}

	lines.push(verdict.decisive ? `verdict: ${verdict.action} (${verdict.decisive.rule}: ${verdict.decisive.what})` : 'verdict: allow');
	return lines;
}

/** Every rule with its action after the config: the built-in ones, then the user's own. */
export function rulesText(settings: GuardSettings): string[] {
	const width = Math.max(...builtinRules.map(rule => rule.name.length), ...settings.custom.map(rule => rule.name.length));
	const line = (rule: RuleInfo, action: string): string => `${rule.name.padEnd(width)}  ${action.padEnd(4)}  ${rule.about}`;
	return [
		...builtinRules.map(rule => line(rule, settings.actions[rule.name] ?? rule.action)),
		...settings.custom.map(rule => line({name: rule.name, action: rule.action, about: `yours: ${rule.programs.join(', ')}${rule.args ? ` matching /${rule.args}/` : ''}${rule.why ? `: ${rule.why}` : ''}`}, rule.action)),
		...settings.patterns.map(pattern => `${'guard.deny'.padEnd(width)}  deny  /${pattern}/`),
	];
}
