/**
 * Test helpers for the browser tests: a real `cairn serve` child on a free port (its first stdout
 * line carries the URL and token) and a real repository made with `cairn init`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', 'src/cli/index.ts'];
const READY = /^Cairn is running at (http:\/\/\S+)$/;

export interface RunningServer {
  /** The full URL with `#token=…`, as printed. */
  url: string;
  /** The same URL without the token. */
  origin: string;
  stop(): Promise<void>;
}

/** Fails with what to do when the pieces the tests need are missing. */
export function assertPrerequisites(): void {
  if (!existsSync(resolve(ROOT, 'src/cli/commands/serve.ts'))) {
    throw new Error('`cairn serve` does not exist yet (src/cli/commands/serve.ts): nothing to test against.');
  }
  if (!existsSync(resolve(ROOT, 'out/renderer/index.html'))) {
    throw new Error('The renderer is not built: run `npx vite build --config vite.renderer.config.ts` first.');
  }
}

/**
 * Creates an encrypted repository at `location` with `cairn init`; the CLI's privacy records go to
 * a `cli-data` folder beside it, never to the user's own app-data folder.
 */
export function initRepository(location: string, password: string): void {
  const run = spawnSync(process.execPath, [...CLI, 'init', '--repo', location], {
    cwd: ROOT,
    env: { ...process.env, CAIRN_PASSWORD: password, CAIRN_DATA_DIR: resolve(location, '..', 'cli-data') },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`cairn init failed (${run.status}): ${run.stderr || run.stdout}`);
}

/** Makes a recovery point of `paths` in the repository at `location` with `cairn backup`. */
export function backupWithCli(location: string, password: string, paths: string[]): void {
  const run = spawnSync(process.execPath, [...CLI, 'backup', '--repo', location, '--quiet', ...paths], {
    cwd: ROOT,
    env: { ...process.env, CAIRN_PASSWORD: password },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`cairn backup failed (${run.status}): ${run.stderr || run.stdout}`);
}

/** Calls a contract method over HTTP with the server's token, as the renderer does; throws on failure. */
export async function callApi<T = unknown>(server: RunningServer, method: string, params: unknown): Promise<T> {
  const token = server.url.replace(/^.*#token=/, '');
  const response = await fetch(`${server.origin}api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(`${method} failed (${response.status}): ${body.error?.message ?? ''}`);
  return body;
}

/** Starts `cairn serve --port 0` and resolves once it printed its address. */
export function startServe(dataDir: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  return new Promise((resolveServer, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const match = READY.exec(line.trim());
      if (!match?.[1]) {
        void stop();
        reject(new Error(`cairn serve printed an unexpected first line: ${JSON.stringify(line)}\n${stderr}`));
        return;
      }
      const url = match[1];
      resolveServer({ url, origin: url.replace(/#.*$/, ''), stop });
    });
    child.once('exit', (code) => reject(new Error(`cairn serve exited (${code}) before it was ready:\n${stderr}`)));
    child.once('error', reject);
  });
}
