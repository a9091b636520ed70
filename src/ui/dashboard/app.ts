import fs from 'node:fs/promises';
import blessed from 'blessed';
import type {Config} from '../../core/config/config-schema.js';
import {attachable} from '../../core/jobs/actions.js';
import {findTarget} from '../../core/jobs/control.js';
import {dispatch} from '../../core/jobs/dispatch.js';
import {errorMessage, OptionError} from '../../core/errors.js';
import {diffStat} from '../../core/git/git.js';
import {listJobs, type JobView, type Listing} from '../../core/jobs/list.js';
import {usageLine} from '../../core/supervisor/status-line.js';
import {displayWidth} from '../format.js';
import {logTail} from '../../core/jobs/output-log.js';
import {StatePaths} from '../../core/paths.js';
import {ensureServer} from '../../core/supervisor/server.js';
import {isLive, type Group} from '../../core/jobs/states.js';
import type {Tmux} from '../../core/tmux/tmux.js';
import {askLine, showScrollable, showUntilKey} from './dialogs.js';
import {helpText, keysLine} from './keys.js';
import {paneLayout} from './layout.js';
import {isRemote, remoteKey, remoteKeys, remotePeek, remoteRows, type RemoteRow} from './remote-keys.js';
import {hostProblemText} from '../../core/hosts/words.js';
import {askToResolve, bringBackJob, deleteJob, dismissJob, mergeSelected, openPrSelected, replyTo, showDiff, stopJob, togglePin, type KeyContext} from './key-actions.js';
import {buildRows, collapsibleGroups, detailFacts, headerText, listLines, moveSelection, rowName, tokenColumnWidth, type Row} from './view-model.js';

/** What the dashboard's new-task form calls the options it asks for. */
const fieldNames: Record<string, string> = {name: 'name', agent: 'agent', commit: 'the word commit at the merge question'};

export interface DashboardOptions {
	paths: StatePaths;
	tmux: Tmux;
	config: Config;
	cwd: string;
	/** Only jobs dispatched under this directory. */
	scope?: string;
	/** Only this machine's jobs (--host local), not the configured hosts'. */
	localOnly?: boolean;
	env: NodeJS.ProcessEnv;
}

/** The blessed dashboard. Every read of tmux or files is async; a key press moves the selection before any I/O returns. */
export class Dashboard {
	private readonly screen: blessed.Widgets.Screen;
	private readonly header: blessed.Widgets.BoxElement;
	private readonly list: blessed.Widgets.BoxElement;
	private readonly detail: blessed.Widgets.BoxElement;
	private readonly message: blessed.Widgets.BoxElement;
	private readonly footer: blessed.Widgets.BoxElement;
	private jobs: JobView[] = [];
	private rows: Row[] = [];
	private selected: string | undefined;
	private filter = '';
	private readonly collapsed = new Set<Group>();
	private serverUp = true;
	private usage: Listing['usage'];
	private headerLines = 1;
	private modal = false;
	private refreshing = false;
	private refreshAgain = false;
	private pendingDelete: string | undefined;
	private readonly screens = new Map<string, string>();
	private readonly diffs = new Map<string, {at: number; text: string}>();
	private peekToken = 0;
	private remote: RemoteRow[] = [];
	private hostProblems: string[] = [];
	private lastHostLook = 0;
	private timer: NodeJS.Timeout | undefined;
	private readonly color = !process.env.NO_COLOR;
	private readonly benchLog = process.env.AO_BENCH;

	constructor(private readonly options: DashboardOptions) {
		// Box lines drawn as Unicode, not through the terminal's alternate character set (which some tmux setups mangle).
		process.env.NCURSES_NO_UTF8_ACS ??= '1';
		this.screen = blessed.screen({smartCSR: true, fullUnicode: true, forceUnicode: true, title: 'ao', warnings: false, autoPadding: false} as blessed.Widgets.IScreenOptions);
		this.header = blessed.box({parent: this.screen, top: 0, left: 0, width: '100%', height: 1, tags: false, style: this.color ? {bold: true, fg: 'white', bg: 'blue'} : {bold: true}});
		this.list = blessed.box({parent: this.screen, top: 1, left: 0, tags: true, wrap: false, border: {type: 'line'}, label: ' agents ', style: {border: this.color ? {fg: 'cyan'} : {}}});
		this.detail = blessed.box({parent: this.screen, tags: false, wrap: false, border: {type: 'line'}, label: ' peek ', style: {border: this.color ? {fg: 'cyan'} : {}}});
		this.message = blessed.box({parent: this.screen, left: 0, width: '100%', height: 1, tags: false, style: this.color ? {fg: 'yellow'} : {}});
		this.footer = blessed.box({parent: this.screen, left: 0, width: '100%', height: 1, tags: false, content: keysLine, style: this.color ? {fg: 'black', bg: 'white'} : {inverse: true}});
		this.layout();
		this.screen.on('resize', () => {
			this.layout();
			this.render();
		});
		this.bindKeys();
	}

	private layout(): void {
		const placed = paneLayout(Number(this.screen.width), Number(this.screen.height), this.headerLines);
		this.header.height = this.headerLines;
		Object.assign(this.list, placed.list);
		Object.assign(this.detail, placed.detail);
		this.message.top = placed.message;
		this.footer.top = placed.footer;
	}

	async start(): Promise<void> {
		this.setMessage('loading…');
		this.render();
		await this.refresh();
		this.timer = setInterval(() => void this.refresh(), this.options.config.dashboard.refresh_ms);
	}

	private quit(): void {
		if (this.timer) clearInterval(this.timer);
		this.screen.destroy();
		process.exit(0);
	}

	private setMessage(text: string): void {
		this.message.setContent(text);
	}

	/** A message shown at once, before whatever comes next. */
	private say(text: string): void {
		this.setMessage(text);
		this.render();
	}

	private selectedJob(): JobView | undefined {
		return this.jobs.find(job => job.id === this.selected);
	}

	/** Reads the jobs (one list-panes for all), then the selected agent's screen. Never two at once. */
	async refresh(): Promise<void> {
		// One read at a time; one asked for meanwhile (after an action) runs when it ends, so it sees the action.
		if (this.refreshing) {
			this.refreshAgain = true;
			return;
		}

		this.refreshing = true;
		try {
			const listing = await listJobs(this.options.paths, this.options.tmux, {all: true, cwd: this.options.scope, nonBlocking: true});
			this.jobs = [...listing.jobs, ...this.remote];
			void this.lookAtHosts();
			this.serverUp = listing.serverUp;
			this.usage = listing.usage;
			this.rebuild();
			if (this.message.getContent() === 'loading…') this.setMessage('');
			this.render();
			await this.loadPeek();
		} catch (error) {
			this.setMessage(`refresh failed: ${errorMessage(error)}`);
			this.render();
		} finally {
			this.refreshing = false;
			if (this.refreshAgain) {
				this.refreshAgain = false;
				void this.refresh();
			}
		}
	}

	/** Every few seconds, the other hosts' jobs, in the background: a host that hangs never holds the dashboard. */
	private async lookAtHosts(): Promise<void> {
		const {paths, config, scope, localOnly} = this.options;
		if (scope || localOnly || Object.keys(config.hosts).length === 0 || Date.now() - this.lastHostLook < 3000) return;
		this.lastHostLook = Date.now();
		const {rows, listings} = await remoteRows(paths, config);
		this.remote = rows;
		this.hostProblems = listings.flatMap(listing => hostProblemText(listing) ?? []);
	}

	private rebuild(): void {
		this.rows = buildRows(this.jobs, {filter: this.filter, collapsed: this.collapsed});
		this.selected = moveSelection(this.rows, this.selected, 0);
	}

	/** The selected agent's screen and details, fetched for the selection of the moment; a late answer is dropped. */
	private async loadPeek(): Promise<void> {
		const job = this.selectedJob();
		if (!job) return;
		const token = ++this.peekToken;
		if (isRemote(job)) {
			const text = await remotePeek(this.options.paths, this.options.config, job);
			if (token === this.peekToken) this.screens.set(job.id, text);
			this.renderDetail();
			this.screen.render();
			return;
		}

		const screen = job.windowId && this.serverUp && isLive(job.state) || job.state === 'stopped'
			? await this.options.tmux.capture(job.windowId!, {ansi: this.color}).catch(() => undefined)
			: undefined;
		const cachedDiff = this.diffs.get(job.id);
		if (job.repo && !job.landed && !isRemote(job) && (!cachedDiff || Date.now() - cachedDiff.at > 5000)) {
			const text = await diffStat(job.worktree, job.branch).catch(error => ` ${errorMessage(error)}`);
			this.diffs.set(job.id, {at: Date.now(), text});
		}

		if (token !== this.peekToken) return;
		this.screens.set(job.id, screen ?? await this.logTail(job));
		this.renderDetail();
		this.screen.render();
	}

	private async logTail(job: JobView): Promise<string> {
		return `(no live window: ${job.state}${job.reason ? `, ${job.reason}` : ''}; the end of its log:)\n` + await logTail(this.options.paths.outputLog(job.id), 20, 4000);
	}

	private render(): void {
		const started = this.benchLog ? process.hrtime.bigint() : 0n;
		this.renderHeader();
		this.renderList();
		this.renderDetail();
		this.screen.render();
		if (this.benchLog) void fs.appendFile(this.benchLog, `render ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(2)}\n`);
	}

	private renderHeader(): void {
		const usage = usageLine(this.usage);
		// The usage line appears once there is usage to show (or a host that does not answer); the layout makes room for it.
		const lines = usage || this.hostProblems.length > 0 ? 2 : 1;
		if (lines !== this.headerLines) {
			this.headerLines = lines;
			this.layout();
		}

		this.header.setContent(headerText(this.jobs, {serverUp: this.serverUp, filter: this.filter, usage: [usage, ...this.hostProblems].filter(Boolean).join(' · ')}));
	}

	private renderList(): void {
		const width = Math.max(10, Number(this.list.width) - 3);
		const height = Math.max(1, Number(this.list.height) - 2);
		const now = Date.now();
		const nameWidth = Math.min(24, Math.floor(width * 0.4), Math.max(8, ...this.jobs.map(job => displayWidth(rowName(job)))));
		const agentWidth = Math.min(8, Math.max(4, ...this.jobs.map(job => job.agent.length)));
		const tokenWidth = tokenColumnWidth(this.jobs);
		// CPU and memory once some agent was measured, and only where the row has room for them besides the reason.
		const resources = width >= 70 && this.jobs.some(job => job.resources !== undefined);
		const lines = listLines(this.rows, this.selected, {width, height, now, name: nameWidth, agent: agentWidth, tokens: tokenWidth, resources}, blessed.escape);
		if (this.rows.length === 0) lines.push(this.filter ? `no job matches "${blessed.escape(this.filter)}"` : 'no jobs yet: press n to dispatch one');
		this.list.setContent(lines.join('\n'));
	}

	private renderDetail(): void {
		const job = this.selectedJob();
		if (!job) {
			this.detail.setLabel(' peek ');
			this.detail.setContent('');
			return;
		}

		const height = Math.max(1, Number(this.detail.height) - 2);
		const diff = job.repo && !job.landed && !isRemote(job) ? this.diffs.get(job.id)?.text ?? ' …' : '';
		const facts = detailFacts(job, diff, Number(this.detail.width) - 2);
		const screenLines = (this.screens.get(job.id) ?? '…').replace(/\n+$/, '').split('\n');
		const room = Math.max(0, height - facts.length);
		this.detail.setLabel(` ${job.name} `);
		this.detail.setContent([...facts, ...screenLines.slice(-room)].join('\n'));
	}

	private bindKeys(): void {
		const on = (keys: string[], handler: () => void | Promise<void>) => {
			this.screen.key(keys, () => {
				if (this.modal) return;
				const job = this.selectedJob();
				// Another host's job: the key runs the same command there.
				const run = job && isRemote(job) && remoteKeys.has(keys[0]!) ? () => remoteKey({...this.review(), attach: async argv => this.runHere(argv)}, job, keys[0]!) : handler;
				void Promise.resolve(run()).catch(error => {
					// The dashboard's fields have no flags: "pick another name", not "pick another --name".
					this.setMessage(error instanceof OptionError ? error.worded(fieldNames[error.option] ?? `--${error.option}`) : errorMessage(error));
					this.render();
				});
			});
		};

		on(['q', 'C-c'], () => this.quit());
		on(['down', 'j'], () => this.move(1));
		on(['up', 'k'], () => this.move(-1));
		on(['pagedown'], () => this.move(10));
		on(['pageup'], () => this.move(-10));
		on(['enter', 'right'], () => this.attach());
		on(['r'], async () => replyTo(this.review(), this.requireJob()));
		on(['n'], () => this.newTask());
		on(['p'], async () => togglePin(this.review(), this.requireJob()));
		on(['s'], async () => stopJob(this.review(), this.requireJob()));
		on(['S-r'], async () => bringBackJob(this.review(), this.requireJob()));
		on(['d'], () => this.deleteSelected());
		on(['l'], () => this.showLog());
		on(['/'], () => this.askFilter());
		on(['g'], () => this.toggleFold());
		on(['?'], () => this.showHelp());
		on(['S-s'], () => this.startServer());
		on(['x'], async () => dismissJob(this.review(), this.requireJob()));
		on(['S-d'], async () => showDiff(this.review(), this.requireJob()));
		on(['S-m'], async () => mergeSelected(this.review(), this.requireJob()));
		on(['S-p'], async () => openPrSelected(this.review(), this.requireJob()));
		on(['S-a'], async () => askToResolve(this.review(), this.requireJob()));
	}

	/** Moves the selection and repaints at once, from what is in memory; the new peek follows when tmux answers. */
	private move(delta: number): void {
		const started = this.benchLog ? process.hrtime.bigint() : 0n;
		this.selected = moveSelection(this.rows, this.selected, delta);
		this.pendingDelete = undefined;
		this.setMessage('');
		this.render();
		if (this.benchLog) void fs.appendFile(this.benchLog, `select ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(2)}\n`);
		void this.loadPeek();
	}

	private requireJob(): JobView {
		const job = this.selectedJob();
		if (!job) throw new Error('no job selected');
		return job;
	}

	private async afterAction(text: string): Promise<void> {
		this.setMessage(text);
		this.render();
		await this.refresh();
	}

	/** Runs the agent's window in this terminal (a nested client when inside tmux); Ctrl-q comes back here. */
	private async attach(): Promise<void> {
		const job = this.requireJob();
		const {paths, tmux, config} = this.options;
		const target = await attachable(paths, tmux, config, await findTarget(paths, tmux, job.id));
		await tmux.bindDetachKey(config.attach.detach_key);
		await this.runHere(tmux.attachArgv(target.pane.windowId));
		await this.afterAction(`back from ${job.name}`);
	}

	/** Gives the terminal to `argv` (an attach, here or over ssh -t) and takes it back when it ends. */
	private async runHere([program, ...args]: string[]): Promise<void> {
		const env = {...process.env};
		delete env.TMUX;
		await new Promise<void>(resolve => {
			this.screen.exec(program!, args, {env} as never, () => resolve());
		});
		this.screen.alloc();
	}

	private review(): KeyContext {
		return {
			...this.options, ask: async label => this.ask(label), done: async text => this.afterAction(text),
			note: text => this.say(text),
			show: async (label, text) => {
				this.modal = true;
				await showScrollable(this.screen, label, text, 'top');
				this.modal = false;
				this.render();
			},
		};
	}

	private async ask(label: string, initial = ''): Promise<string | undefined> {
		this.modal = true;
		try {
			return await askLine(this.screen, label, initial, this.color);
		} finally {
			this.modal = false;
			this.render();
		}
	}

	private async newTask(): Promise<void> {
		const task = await this.ask('new task (Enter dispatches, Esc cancels)');
		if (!task) return;
		const agent = await this.ask('agent', this.options.config.agent.default);
		if (agent === undefined) return;
		const name = await this.ask('name (empty: from the task)');
		if (name === undefined) return;
		this.setMessage('dispatching…');
		this.render();
		const {job, queuePosition} = await dispatch({task, agent: agent || undefined, name: name || undefined, cwd: this.options.scope ?? this.options.cwd, env: this.options.env}, this.options.paths);
		this.selected = job.id;
		await this.afterAction(job.state === 'queued' ? `queued ${job.name} (#${queuePosition}): ${job.reason}` : `dispatched ${job.name}`);
	}

	/** d arms, a second d deletes, with ao rm's safety: unsaved work is named and only an explicit "force" archives it. */
	private async deleteSelected(): Promise<void> {
		const job = this.requireJob();
		if (this.pendingDelete !== job.id) {
			this.pendingDelete = job.id;
			this.setMessage(`press d again to delete ${job.name} (its window, worktree and branch)`);
			this.render();
			return;
		}

		this.pendingDelete = undefined;
		await deleteJob(this.review(), job);
	}

	private async showLog(): Promise<void> {
		const job = this.requireJob();
		const text = await logTail(this.options.paths.outputLog(job.id), Number.POSITIVE_INFINITY);
		this.modal = true;
		await showScrollable(this.screen, `log of ${job.name}`, text);
		this.modal = false;
		this.render();
	}

	private async askFilter(): Promise<void> {
		const text = await this.ask('filter (empty clears)', this.filter);
		if (text === undefined) return;
		this.filter = text.trim();
		this.rebuild();
		this.render();
		await this.loadPeek();
	}

	private toggleFold(): void {
		const fold = !collapsibleGroups.every(group => this.collapsed.has(group));
		for (const group of collapsibleGroups) {
			if (fold) this.collapsed.add(group);
			else this.collapsed.delete(group);
		}

		this.rebuild();
		this.render();
	}

	private async showHelp(): Promise<void> {
		this.modal = true;
		await showUntilKey(this.screen, 'help', helpText.replace('{detach}', this.options.config.attach.detach_key));
		this.modal = false;
		this.render();
	}

	private async startServer(): Promise<void> {
		if (this.serverUp) return;
		await ensureServer(this.options.tmux, this.options.paths, this.options.config);
		await this.afterAction('started the ao server');
	}
}
