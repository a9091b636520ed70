import type {JobState} from '../core/jobs/states.js';

/** A screen of the agent that means a state: checked, in order, against the whole visible screen (plain text). */
export interface ScreenRule {
	pattern: RegExp;
	state: Extract<JobState, 'needs-input' | 'ready' | 'working'>;
	/** The reason: fixed, or made from the match (one short sentence; ao cleans and shortens it). */
	reason: string | ((match: RegExpExecArray) => string);
}

/** What one of the agent's hook events (`ao report --hook EVENT --agent NAME`) says. */
export interface HookReading {
	state?: JobState;
	reason: string;
	transcriptPath?: string;
	/** The user typed a prompt into the agent: a pause or a guard block ends. */
	userPrompt?: boolean;
}

/** Placeholders an agent's argv templates may use besides {task}, {sessionId}, {id}, {name}, {worktree}, {ao}. */
export interface StartValues {
	/** The absolute path of this ao's bin/ao, for hooks that call back. */
	ao: string;
}

/** What a strategy may use to prepare a job's start: its environment so far, its places, a file of its own. */
export interface PrepareContext {
	ao: string;
	/** The agent's environment as ao will start it (the dispatching shell's, or the server's PATH only). */
	env: Record<string, string>;
	repo?: string;
	worktree: string;
	/** ao's state dir, for files a strategy keeps (0600). */
	stateDir: string;
}

/**
 * What ao knows of one agent program (src/agents/<name>.ts): how it reports its state, the screens it shows (first
 * run, sign in, trust, permission prompts, its idle prompt), where its usage is and how to pause it. The YAML
 * preset keeps the argv templates and options; a preset picks its strategy with `kind` (default: its name).
 */
export interface AgentStrategy {
	readonly name: string;
	/** Its hooks report every state (working, waiting, asking): once one came in, its screen is not read. */
	readonly reportsAll: boolean;
	/**
	 * Its hooks say when every turn starts and ends, however the turn began (typed into its window too): a busy sign
	 * left on its screen after it said the turn ended is a late frame, and its word holds once the sign is gone.
	 */
	readonly reportsTurns?: boolean;
	/** It draws a full-screen interface: its output log has no last line worth showing (its screen has). */
	readonly fullScreen: boolean;
	/** How long after typed text to press Enter, for an agent that reads a fast burst of keys as a paste. */
	readonly enterAfterMs?: number;
	/** Values of the placeholders its presets use (claude: {claudeHooks}; codex: {codexNotify}). */
	placeholders?(values: StartValues): Record<string, string>;
	/** Writes what the agent needs to report to ao and returns the variables to add to its environment. */
	prepare?(context: PrepareContext): Promise<Record<string, string>>;
	/** What a hook event of this agent says; undefined to ignore it. */
	readHook?(event: string, payload: Record<string, unknown>): HookReading | undefined;
	readonly screens: ScreenRule[];
}
