import {statSync} from 'node:fs';
import {buildOnDisk, sameBuild, thisBuild} from './build.js';
import {claimantAlive, ownClaim, parseClaim, takeClaim} from '../processes/claim.js';
import type {StatePaths} from '../paths.js';
import {endProcess, readSupervisorInfo} from './server.js';

/**
 * Takes the supervisor pid file; returns the pid of the live supervisor that holds it instead, if any. A holder of
 * another build is replaced when this process runs the build on disk (ao was upgraded): it is asked to finish its
 * tick and go (SIGTERM), and killed after 10 s.
 */
export async function claimPidFile(paths: StatePaths): Promise<number | undefined> {
	const mine = ownClaim();
	for (;;) {
		const claim = await takeClaim(paths.supervisorPid, mine, text => {
			const holder = parseClaim(text);
			return holder !== undefined && holder.pid !== process.pid && claimantAlive(holder);
		});
		if (claim.taken) return undefined;
		const holder = parseClaim(claim.holder)!.pid;
		const info = readSupervisorInfo(paths);
		// A holder without info of its own is ao 0.1, unless it took the file a moment ago and is writing it now.
		const young = Date.now() - (statSync(paths.supervisorPid, {throwIfNoEntry: false})?.mtimeMs ?? 0) < 10_000;
		const another = info?.pid === holder ? !sameBuild(info, thisBuild()) : !young;
		if (!another || !sameBuild(thisBuild(), buildOnDisk())) return holder;
		await endProcess(holder, 10_000);
	}
}
