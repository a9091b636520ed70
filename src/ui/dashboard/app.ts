import fs from 'node:fs/promises';
import blessed from 'blessed';
import type {Config} from '../../core/config/config-schema.js';
import {attachable, bringBack, dismissBlock, reply} from '../../core/jobs/actions.js';
import {findTarget, setPinned, stop} from '../../core/jobs/control.js';
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
import {askToResolve, deleteJob, mergeSelected, openPrSelected, showDiff, type KeyContext} from './key-actions.js';
import {buildRows, collapsibleGroups, detailFacts, headerText, listLines, moveSelection, tokenColumnWidth, type Row} from './view-model.js';

/** What the dashboard's new-task form calls the options it asks for. */
const fieldNames: Record<string, string> = {name: 'name', agent: 'agent', commit: 'the word commit at the merge question'};

export interface DashboardOptions {
	paths: StatePaths;
	tmux: Tmux;
	config: Config;
	cwd: string;
	/** Only jobs dispatched under this directory. */
	scope?: string;
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
	private pendingDelete: string | undefined;
	private readonly screens = new Map<string, string>();
	private readonly diffs = new Map<string, {at: number; text: string}>();
	private peekToken = 0;
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

	/** Side by side on wide terminals; the peek goes below the list on narrow ones. */
	private layout(): void {
		const width = Number(this.screen.width);
		const height = Number(this.screen.height);
		const top = this.headerLines;
		this.header.height = top;
		const body = Math.max(3, height - 2 - top);
		if (width >= 100) {
			const listWidth = Math.max(40, Math.floor(width * 0.45));
			Object.assign(this.list, {top, left: 0, width: listWidth, height: body});
			Object.assign(this.detail, {top, left: listWidth, width: width - listWidth, height: body});
		} else {
			const listHeight = Math.max(3, Math.floor(body / 2));
			Object.assign(this.list, {top, left: 0, width, height: listHeight});
			Object.assign(this.detail, {top: top + listHeight, left: 0, width, height: body - listHeight});
		}

		this.message.top = height - 2;
		this.footer.top = height - 1;
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

	private selectedJob(): JobView | undefined {
		return this.jobs.find(job => job.id === this.selected);
	}

	/** Reads the jobs (one list-panes for all), then the selected agent's screen. Never two at once. */
	async refresh(): Promise<void> {
		if (this.refreshing) return;
		this.refreshing = true;
		try {
			const listing = await listJobs(this.options.paths, this.options.tmux, {all: true, cwd: this.options.scope, nonBlocking: true});
			this.jobs = listing.jobs;
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
		}
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
		const screen = job.windowId && this.serverUp && isLive(job.state) || job.state === 'stopped'
			? await this.options.tmux.capture(job.windowId!, {ansi: this.color}).catch(() => undefined)
			: undefined;
		const cachedDiff = this.diffs.get(job.id);
		if (job.repo && !job.landed && (!cachedDiff || Date.now() - cachedDiff.at > 5000)) {
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
		// The usage line appears once there is usage to show; the layout makes room for it.
		const lines = usage ? 2 : 1;
		if (lines !== this.headerLines) {
			this.headerLines = lines;
			this.layout();
		}

		this.header.setContent(headerText(this.jobs, {serverUp: this.serverUp, filter: this.filter, usage}));
	}

	private renderList(): void {
		const width = Math.max(10, Number(this.list.width) - 3);
		const height = Math.max(1, Number(this.list.height) - 2);
		const now = Date.now();
		const nameWidth = Math.min(24, Math.floor(width * 0.4), Math.max(8, ...this.jobs.map(job => displayWidth(job.name))));
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
		const diff = job.repo && !job.landed ? this.diffs.get(job.id)?.text ?? ' …' : '';
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
				void Promise.resolve(handler()).catch(error => {
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
		on(['r'], () => this.reply());
		on(['n'], () => this.newTask());
		on(['p'], () => this.togglePin());
		on(['s'], () => this.stopSelected());
		on(['S-r'], () => this.respawnSelected());
		on(['d'], () => this.deleteSelected());
		on(['l'], () => this.showLog());
		on(['/'], () => this.askFilter());
		on(['g'], () => this.toggleFold());
		on(['?'], () => this.showHelp());
		on(['S-s'], () => this.startServer());
		on(['x'], () => this.dismissSelected());
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
		const [program, ...args] = tmux.attachArgv(target.pane.windowId);
		const env = {...process.env};
		delete env.TMUX;
		await new Promise<void>(resolve => {
			this.screen.exec(program!, args, {env} as never, () => resolve());
		});
		this.screen.alloc();
		await this.afterAction(`back from ${job.name}`);
	}

	private review(): KeyContext {
		return {
			...this.options, ask: async label => this.ask(label), done: async text => this.afterAction(text),
			note: text => void [this.setMessage(text), this.render()],
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

	private async reply(): Promise<void> {
		const job = this.requireJob();
		const text = await this.ask(`reply to ${job.name} (Enter sends, Esc cancels)`);
		if (text === undefined) return;
		const {paths, tmux, config} = this.options;
		const result = await reply(paths, tmux, config, await findTarget(paths, tmux, job.id), text);
		await this.afterAction(`sent to ${job.name}${result.unblocked ? ' (guard block lifted)' : result.unpaused ? ' (pause ended)' : ''}`);
	}

	/** x: the guard's block has been seen; the job shows what its agent did since. */
	private async dismissSelected(): Promise<void> {
		const job = this.requireJob();
		const {job: after} = await dismissBlock(this.options.paths, await findTarget(this.options.paths, this.options.tmux, job.id));
		await this.afterAction(`dismissed the guard's block on ${job.name}: ${after.state}`);
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

	private async togglePin(): Promise<void> {
		const job = this.requireJob();
		await setPinned(this.options.paths, job, !job.pinned);
		await this.afterAction(`${job.pinned ? 'unpinned' : 'pinned'} ${job.name}`);
	}

	private async stopSelected(): Promise<void> {
		const job = this.requireJob();
		this.setMessage(`stopping ${job.name}…`);
		this.render();
		await stop(this.options.paths, this.options.tmux, await findTarget(this.options.paths, this.options.tmux, job.id));
		await this.afterAction(`stopped ${job.name}; its window and worktree stay (R respawns it)`);
	}

	private async respawnSelected(): Promise<void> {
		const job = this.requireJob();
		const {paths, tmux, config} = this.options;
		const target = await findTarget(paths, tmux, job.id);
		const {how, job: after} = await bringBack(paths, tmux, config, target);
		const said = {unpaused: `resumed ${job.name} (paused: ${target.job.paused?.why ?? ''})`, resumed: `resumed ${job.name}`, respawned: `respawned ${job.name}`, queued: `queued ${job.name}: ${after.reason}`};
		await this.afterAction(said[how]);
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
