import {readFileSync} from 'node:fs';
import path from 'node:path';
import {aoBin, packageRoot} from '../paths.js';

/** Which ao this process runs: the version, and the build (a hash of the compiled code, written by `make build`). */
export interface BuildInfo {
	version: string;
	build: string;
	/** The bin/ao that runs it, so a `make install` of another checkout counts as another build too. */
	bin: string;
}

export const buildIdFile = path.join(packageRoot, 'dist', 'build-id');

let loaded: BuildInfo | undefined;

/** This process's build, read once: a long-running process (the supervisor) keeps the build it started with. */
export function thisBuild(): BuildInfo {
	loaded ??= buildOnDisk();
	return loaded;
}

/** The build that a new ao process would run now. */
export function buildOnDisk(): BuildInfo {
	const {version} = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {version: string};
	let build = 'unknown';
	try {
		build = readFileSync(buildIdFile, 'utf8').trim() || build;
	} catch {}

	return {version, build, bin: aoBin};
}

export function sameBuild(a: BuildInfo, b: BuildInfo): boolean {
	return a.version === b.version && a.build === b.build && a.bin === b.bin;
}

export function describeBuild(info: BuildInfo): string {
	return `${info.version} (build ${info.build})`;
}
