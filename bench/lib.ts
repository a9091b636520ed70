/** What every benchmark section shares: timing, statistics, the figures table, process sizes, machine facts. */
import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import {setTimeout as sleep} from 'node:timers/promises';
import {processTable} from '../src/core/processes/processes.js';

export interface Figure {
	/** The bench section that measured it (cli, dispatch, ...). */
	key: string;
	section: string;
	name: string;
	unit: string;
	samples: number[];
	median: number;
	min: number;
	max: number;
	/** The DESIGN.md budget it answers to, as text ("< 150 ms"), if any. */
	budget?: string;
	/** For a comparison: this figure divided by the one it is compared with. */
	ratio?: number;
	note?: string;
}

export const figures: Figure[] = [];
let currentKey = '';

/** The section whose figures are recorded from now on. */
export function setSection(key: string): void {
	currentKey = key;
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function timed(run: () => Promise<unknown>): Promise<number> {
	const start = process.hrtime.bigint();
	await run();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function samplesOf(times: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
	const values = [];
	for (let index = 0; index < times; index++) values.push(await timed(() => run(index)));
	return values;
}

/** Two ways of doing the same job, run alternately (a, b, a, b...) so that both see the same machine. */
export async function alternate(times: number, a: (index: number) => Promise<unknown>, b: (index: number) => Promise<unknown>): Promise<[number[], number[]]> {
	const first: number[] = [];
	const second: number[] = [];
	for (let index = 0; index < times; index++) {
		first.push(await timed(() => a(index)));
		second.push(await timed(() => b(index)));
	}

	return [first, second];
}

const digits = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));

function line(figure: Figure): string {
	const range = figure.samples.length > 1 ? `${digits(figure.min)} .. ${digits(figure.max)}` : '';
	const extra = [figure.ratio === undefined ? '' : `ratio ${figure.ratio.toFixed(2)}x`, figure.budget ? `budget ${figure.budget}` : '', figure.note ?? ''].filter(Boolean).join(' · ');
	return `  ${figure.name.padEnd(62)} ${`${digits(figure.median)} ${figure.unit}`.padStart(12)} ${range.padStart(16)}  ${extra}`;
}

let lastSection = '';

/** Records a figure (median, min and max of its samples) and prints it as a row of the table. */
export function record(section: string, name: string, unit: string, samples: number[], extra: Partial<Pick<Figure, 'budget' | 'ratio' | 'note'>> = {}): Figure {
	const figure: Figure = {key: currentKey, section, name, unit, samples, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), ...extra};
	figures.push(figure);
	if (section !== lastSection) {
		process.stdout.write(`\n${section}\n`);
		lastSection = section;
	}

	process.stdout.write(line(figure) + '\n');
	return figure;
}

/** Records two alternated ways of doing one job: the first with its ratio to the second. */
export function recordPair(section: string, names: [string, string], unit: string, [a, b]: [number[], number[]], budget?: string): void {
	record(section, names[0], unit, a, {ratio: median(a) / median(b), ...(budget ? {budget} : {})});
	record(section, names[1], unit, b);
}

/** Resident memory of a process, in MB (0 when it is gone). */
export function rssMb(pid: number): number {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return Number(match?.[1] ?? 0) / 1024;
	} catch {
		return 0;
	}
}

/** Proportional memory (shared pages split between their users), in MB: fairer than RSS for many copies of one binary. */
export function pssMb(pid: number): number {
	try {
		const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
		return Number(match?.[1] ?? 0) / 1024;
	} catch {
		return 0;
	}
}

/** CPU time a process has used, in clock ticks (1/100 s on Linux). */
export function cpuTicks(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

/** Percent of one core a process used over `seconds`. */
export async function cpuPercent(pid: number, seconds: number): Promise<number> {
	const before = cpuTicks(pid);
	await sleep(seconds * 1000);
	return ((cpuTicks(pid) - before) / 100 / seconds) * 100;
}

export function childrenOf(pid: number): number[] {
	return [...processTable().values()].filter(info => info.ppid === pid).map(info => info.pid);
}

/** The processes whose environment holds `KEY=value` (how the benchmark finds exactly the processes it started). */
export function processesWithEnv(entry: string): number[] {
	const found: number[] = [];
	for (const pid of readdirSync('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		try {
			if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) found.push(Number(pid));
		} catch {
			// Gone, or not ours to read.
		}
	}

	return found;
}

function version(command: string, args: string[]): string {
	try {
		return execFileSync(command, args, {encoding: 'utf8'}).trim().split('\n')[0]!;
	} catch {
		return 'not found';
	}
}

export function machine(): Record<string, string | number> {
	return {
		cores: os.cpus().length,
		cpu: os.cpus()[0]?.model ?? 'unknown',
		memoryGb: Math.round(os.totalmem() / 1024 ** 3),
		os: `${os.type()} ${os.release()}`,
		node: process.version,
		tmux: version('tmux', ['-V']),
		git: version('git', ['--version']),
		load: os.loadavg().map(value => value.toFixed(2)).join(' '),
	};
}
