import {stripVTControlCharacters} from 'node:util';

/** A reason is one short sentence: what ao shows in list, dashboard and notifications after the state. */
export const reasonMaxLength = 100;

/** Box drawing, block elements and braille (spinners): frame and animation, never words. */
const drawing = /[\u2500-\u259F\u2800-\u28FF]/g;
/**
 * What is left of an escape sequence whose ESC was cut off by a screen read or a redraw: "$p" (a DECRQM reply),
 * "4;0m5u" (SGR and kitty keyboard fragments), "[?2004h".
 */
const residue = /(?:\$p|\[\?\d+[hl]|(?<![\w.])\d+(?:;\d+)+[a-zA-Z]\d*[a-zA-Z]?|(?<![\w.])\d+;\d*[mu](?!\w))/g;
/** A key hint: "Enter to confirm", "Esc to cancel", "? for shortcuts", "← for agents", "ctrl+t to show todos". */
const keyHint = /^(?:enter|esc|escape|tab|space|shift\+?\w*|ctrl\+?\w*|alt\+?\w*|\?|←|→|↑|↓)\s*(?:\/\s*\S+\s*)?(?:to|for)\s/i;

/**
 * One short sentence a person can act on, from text an agent or its screen gave: no colour codes, no escape
 * residue, no box drawing or spinner frames, no key-hint segments ("· Esc to cancel"), one line, at most
 * `reasonMaxLength` characters. Undefined when nothing readable is left. Pure.
 */
export function cleanReason(text: string, max = reasonMaxLength): string | undefined {
	let plain = stripVTControlCharacters(text).replaceAll(drawing, ' ');
	// Fragments stand glued together ("4;0m5u$p4;0m5u"): each one removed lays the next one bare.
	for (let before = ''; before !== plain;) [before, plain] = [plain, plain.replaceAll(residue, ' ')];
	const segments = plain.split(/\s+[·•|]\s+|\s{3,}/).map(segment => segment.replaceAll(/\s+/g, ' ').trim())
		.filter(segment => segment !== '' && !keyHint.test(segment) && /[\p{L}\p{N}]/u.test(segment));
	const sentence = segments.join(' · ').replace(/^[\s>›❯*•·:-]+/, '').trim();
	if (!sentence) return undefined;
	return sentence.length > max ? `${sentence.slice(0, max - 1).trimEnd()}…` : sentence;
}
