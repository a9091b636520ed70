import {parseDuration} from '../config/config-schema.js';

/** 950, 12.3k, 100k, 4.5M: token counts for tables and status lines; "-" when unknown (never a made-up 0). Pure. */
export function formatTokens(value: number | undefined): string {
	if (value === undefined) return '-';
	const short = (scaled: number, unit: string) => `${scaled.toFixed(1).replace(/\.0$/, '')}${unit}`;
	if (value >= 999_950) return short(value / 1e6, 'M');
	if (value >= 999.5) return short(value / 1e3, 'k');
	return String(Math.round(value));
}

/** 12%, 0.5%, 130%: CPU of one core for tables; "-" when not measured. Pure. */
export function formatCpu(percent: number | undefined): string {
	if (percent === undefined) return '-';
	return percent >= 10 || percent === 0 ? `${Math.round(percent)}%` : `${percent.toFixed(1)}%`;
}

/** 880K, 250M, 1.2G: memory for tables; "-" when not measured. Pure. */
export function formatBytes(bytes: number | undefined): string {
	if (bytes === undefined) return '-';
	const units = [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const;
	for (const [unit, size] of units) {
		if (bytes >= size * 0.95) return `${(bytes / size).toFixed(bytes >= size * 9.95 ? 0 : 1).replace(/\.0$/, '')}${unit}`;
	}

	return `${bytes}B`;
}

/** "38 min", "2.1 h", "never at this rate". Pure. */
export function formatMinutes(minutes: number): string {
	if (!Number.isFinite(minutes)) return 'never at this rate';
	return minutes >= 120 ? `${(minutes / 60).toFixed(1).replace(/\.0$/, '')} h` : `${Math.round(minutes)} min`;
}

/** What the quota window's projection says: "spent", "runs out in 38 min", or that it lasts at this rate. Pure. */
export function windowOutlook(minutesLeft: number): string {
	if (minutesLeft === 0) return 'spent';
	return Number.isFinite(minutesLeft) ? `runs out in ${formatMinutes(minutesLeft)}` : 'lasts at this rate';
}

/** `--since`: a duration back from now ("90m", "2h", "1d") or a date ("2026-11-26", "2026-11-26T09:00"). Pure. */
export function parseSince(text: string, now: number): number | undefined {
	const duration = parseDuration(text);
	if (duration !== undefined && duration > 0) return now - duration;
	if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
	const at = Date.parse(text);
	return Number.isFinite(at) && at <= now ? at : undefined;
}

/** "250000", "250k", "1.5M" -> tokens; undefined unless a positive whole number of tokens. Pure. */
export function parseTokens(text: string): number | undefined {
	const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
	if (!match) return undefined;
	const value = Math.round(Number(match[1]) * ({k: 1e3, m: 1e6}[match[2]!.toLowerCase() as 'k' | 'm'] ?? 1));
	return value > 0 ? value : undefined;
}
