/**
 * Test helpers for the browser tests: a real `cairn serve` child on a free port (its first stdout
 * line carries the URL and token), real repositories and recovery points made with the `cairn`
 * command line, and contract calls over HTTP. Every `cairn` process is started by
 * test/support/cli.ts, with the caller's CAIRN_* settings left out.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { cairnAsync, cairnOk } from '../support/cli.js';

export const ROOT = resolve(import.meta.dirname, '../..');
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
 * The data folder of the `cairn` commands run on the repository at `location`: a `cli-data` folder
 * beside it, so that their privacy records never go to the user's own app-data folder.
 */
export function cliDataDir(location: string): string {
  return resolve(location, '..', 'cli-data');
}

/** Creates an encrypted repository at `location` with `cairn init`. */
export function initRepository(location: string, password: string): void {
  cairnOk(['init', '--repo', location], { password, dataDir: cliDataDir(location) });
}

/** Makes a recovery point of `paths` in the repository at `location` with `cairn backup`. */
export function backupWithCli(location: string, password: string, paths: string[]): void {
  cairnOk(['backup', '--repo', location, '--quiet', ...paths], { password, dataDir: cliDataDir(location) });
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
  const { child, done } = cairnAsync(['serve', '--port', '0', '--data-dir', dataDir]);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await done;
  };

  return new Promise((resolveServer, reject) => {
    let firstLine: string | undefined;
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      firstLine = line;
      const match = READY.exec(line.trim());
      if (!match?.[1]) {
        void stop(); // its end, below, says why
        return;
      }
      const url = match[1];
      resolveServer({ url, origin: url.replace(/#.*$/, ''), stop });
    });
    // After the address was printed this changes nothing: a promise settles once.
    done.then((run) => {
      const why =
        firstLine === undefined
          ? `exited (${run.status}) before it was ready`
          : `printed an unexpected first line: ${JSON.stringify(firstLine)}`;
      reject(new Error(`cairn serve ${why}:\n${run.stderr}`));
    }, reject);
  });
}
