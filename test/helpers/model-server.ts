import {spawn} from 'node:child_process';
import {createInterface} from 'node:readline';
import fs from 'node:fs/promises';
import path from 'node:path';
import {root} from './ao.js';

export type ModelApi = 'anthropic' | 'openai' | 'gemini';

export interface ModelRequest {
	at: string;
	method: string;
	url: string;
	headers: Record<string, string>;
	body: unknown;
}

export interface ModelServer {
	url: string;
	port: number;
	/** Every request the server got so far, in order. */
	requests(): Promise<ModelRequest[]>;
	stop(): Promise<void>;
}

const serveScript = path.join(root, 'test', 'fixtures', 'model-servers', 'serve.mjs');

/** Starts test/fixtures/model-servers/serve.mjs for `api` on 127.0.0.1; stopped when the test ends. */
export async function startModelServer(t: {teardown: (fn: () => Promise<void>) => void}, api: ModelApi, dir: string): Promise<ModelServer> {
	const logFile = path.join(dir, `${api}-requests.jsonl`);
	await fs.writeFile(logFile, '');
	const child = spawn(process.execPath, [serveScript, api, logFile], {stdio: ['ignore', 'pipe', 'inherit']});
	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		await exited;
	};

	t.teardown(stop);
	const port = await new Promise<number>((resolve, reject) => {
		const lines = createInterface({input: child.stdout!});
		lines.once('line', line => {
			const match = /^listening (\d+)$/.exec(line);
			if (match) resolve(Number(match[1]));
			else reject(new Error(`model server said: ${line}`));
		});
		child.once('exit', code => reject(new Error(`model server exited (${code})`)));
	});
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		async requests() {
			const text = await fs.readFile(logFile, 'utf8');
			return text.split('\n').filter(Boolean).map(line => JSON.parse(line) as ModelRequest);
		},
		stop,
	};
}
