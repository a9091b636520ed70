import {spawn} from 'node:child_process';
import test from 'ava';
import {decodeWaitStatus, isZombie, zombieExitStatus} from '../src/core/processes/processes.js';

test('a wait status decodes to an exit code or a signal', t => {
	t.deepEqual(decodeWaitStatus(7 << 8), {exitCode: 7});
	t.deepEqual(decodeWaitStatus(0), {exitCode: 0});
	t.deepEqual(decodeWaitStatus(9), {signal: 9});
});

test('the exit status of an unreaped child is read from the kernel', async t => {
	if (process.platform !== 'linux') {
		t.pass('Linux only');
		return;
	}

	// A shell that starts a child exiting 7 and then becomes `sleep`, which never reaps it: the child stays a zombie
	// while we look. (It exits only after the exec: a shell reaps children that end before it execs.)
	const parent = spawn('sh', ['-c', 'sh -c "sleep 0.5; exit 7" & echo $!; exec sleep 30'], {stdio: ['ignore', 'pipe', 'ignore']});
	t.teardown(() => parent.kill('SIGKILL'));
	const childPid = await new Promise<number>(resolve => parent.stdout.once('data', chunk => resolve(Number(String(chunk).trim()))));
	let status;
	// Under load the child may take a while to run and exit.
	for (let i = 0; i < 400 && !status; i++) {
		status = zombieExitStatus(childPid);
		await new Promise(resolve => setTimeout(resolve, 50));
	}

	t.deepEqual(status, {exitCode: 7});
	t.true(isZombie(childPid));
	t.is(zombieExitStatus(process.pid), undefined);
	t.false(isZombie(process.pid));
});
