import {existsSync} from 'node:fs';
import type {Config} from '../config/config-schema.js';
import type {HostUsage} from '../cost/cost.js';
import {errorMessage} from '../errors.js';
import type {StatePaths} from '../paths.js';
import {listHosts} from './listing.js';
import type {HostJob} from './words.js';

/**
 * The supervisor's look at the other hosts: every supervisor.hosts_poll_s, each host's jobs (in the background of the
 * ticks, never waited on), so the status segment counts their agents and their arrivals in needs-input or ready are
 * announced here as this machine's are.
 */
export class HostWatch {
	private jobs: HostJob[] = [];
	/** What each host last said its agents spend; kept while it does not answer (tokens spent stay spent). */
	private readonly usage = new Map<string, HostUsage>();
	private readonly seen = new Map<string, string>();
	private last = 0;
	private running: Promise<void> | undefined;

	constructor(private readonly paths: StatePaths, private readonly announce: (job: HostJob) => Promise<void>, private readonly log: (line: string) => Promise<void>) {}

	/** The jobs of the hosts that answered at the last look (a host that did not is left out of the counts). */
	remoteJobs(): HostJob[] {
		return this.jobs;
	}

	/**
	 * What the hosts on this machine's subscription (hosts.<name>.account = budget.account) last said they spend, for
	 * one quota window shared with them. A host that stopped answering counts with what it said last.
	 */
	sharedUsage(config: Config): HostUsage[] {
		const account = config.budget.account;
		if (!account) return [];
		return Object.entries(config.hosts).flatMap(([name, host]) => (host.account === account && this.usage.has(name) ? [this.usage.get(name)!] : []));
	}

	tick(config: Config, nowMs: number): void {
		const hosts = Object.keys(config.hosts);
		if (hosts.length === 0 || config.supervisor.hosts_poll_s === 0) {
			this.jobs = [];
			return;
		}

		if (this.running || nowMs - this.last < config.supervisor.hosts_poll_s * 1000) return;
		this.last = nowMs;
		this.running = this.look(config).catch(async (error: unknown) => this.log(`hosts: ${errorMessage(error)}`)).finally(() => {
			this.running = undefined;
		});
	}

	async settle(): Promise<void> {
		await this.running;
	}

	private async look(config: Config): Promise<void> {
		// The supervisor has the tmux server's environment: ssh gets the newest login's agent through ao's link.
		const env = existsSync(this.paths.sshAgentLink) ? {...process.env, SSH_AUTH_SOCK: this.paths.sshAgentLink} : process.env;
		const listings = await listHosts(this.paths, config, env);
		this.jobs = listings.filter(listing => listing.status === 'up').flatMap(listing => listing.jobs);
		for (const listing of listings) if (listing.usage) this.usage.set(listing.host, {host: listing.host, ...listing.usage});
		for (const job of this.jobs) {
			const key = `${job.host}\0${job.id}`;
			const before = this.seen.get(key);
			this.seen.set(key, job.state);
			if (before !== undefined && before !== job.state && (job.state === 'needs-input' || job.state === 'ready')) await this.announce(job);
		}
	}
}
