/** Where the list and the peek go: side by side on wide terminals, the peek below the list on narrow ones. Pure. */
export function paneLayout(width: number, height: number, headerLines: number): {list: Box; detail: Box; message: number; footer: number} {
	const top = headerLines;
	const body = Math.max(3, height - 2 - top);
	if (width >= 100) {
		const listWidth = Math.max(40, Math.floor(width * 0.45));
		return {list: {top, left: 0, width: listWidth, height: body}, detail: {top, left: listWidth, width: width - listWidth, height: body}, message: height - 2, footer: height - 1};
	}

	const listHeight = Math.max(3, Math.floor(body / 2));
	return {list: {top, left: 0, width, height: listHeight}, detail: {top: top + listHeight, left: 0, width, height: body - listHeight}, message: height - 2, footer: height - 1};
}

export interface Box {
	top: number;
	left: number;
	width: number;
	height: number;
}
