// The suite runs two test files at a time. The files that take longest (real agents, the fault suite, real sshd)
// start first, so none of them starts late and runs alone at the end while the other core idles.
const longestFirst = [
	'faults/kill', 'agent-gemini', 'faults/hostile-input', 'agent-claude', 'agent-codex', 'hosts', 'supervisor',
	'jobs', 'dispatch', 'review', 'dashboard', 'faults/races', 'attach', 'environment', 'guard', 'faults/moved',
	'faults/disk-full', 'cost', 'upgrade', 'ssh', 'safety',
];

const rank = file => {
	const index = longestFirst.findIndex(name => file.endsWith(`/dist/test/${name}.test.js`));
	return index === -1 ? longestFirst.length : index;
};

export default {
	files: ['dist/test/**/*.test.js'],
	workerThreads: false,
	timeout: '2m',
	concurrency: 2,
	sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
};
