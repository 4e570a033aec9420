/**
 * `cairn serve` from source in a child process, for the CLI tests that check what it does at
 * start: its printed address is read from the first line, and `call` posts to the contract with
 * the token from that line. `stop` sends SIGTERM and gives the exit code; a serve that exits
 * before printing its address rejects with its exit code and what it wrote to stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cliEnvironment, ROOT } from './cli.js';

export interface ServedCli {
  child: ChildProcess;
  call: <T = unknown>(method: string, params: unknown) => Promise<T>;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

export function serveCli(dataDir: string, extra: string[] = []): Promise<ServedCli> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--data-dir', dataDir, ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: cliEnvironment() },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      const m = /^Cairn is running at (http:\/\/127\.0\.0\.1:\d+\/)#token=(\S+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      const [, base, token] = m as unknown as [string, string, string];
      resolve({
        child,
        stderr: () => stderr,
        call: async <T>(method: string, params: unknown) => {
          const r = await fetch(`${base}api/${method}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify(params),
          });
          const body = await r.json();
          if (!r.ok) throw new Error(`${method}: ${JSON.stringify(body)}`);
          return body as T;
        },
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    child.once('exit', (code) => reject(Object.assign(new Error(`serve exited ${code}: ${stderr}`), { code, stderr })));
  });
}
