/**
 * `cairn serve --password-file FILE` and `--password-command CMD` over an existing app data
 * folder: the repositories the password opens are unlocked at start and back up without anyone
 * typing; one it does not open stays locked and is named; a password command that fails stops
 * serve before it starts, with the reason.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnvironment, ROOT } from '../support/cli.js';

const PASSWORD = 'service password 7';

interface Served {
  child: ChildProcess;
  call: <T = unknown>(method: string, params: unknown) => Promise<T>;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

function serve(dataDir: string, extra: string[] = []): Promise<Served> {
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

async function waitForTask(s: Served, id: string): Promise<{ status: string; error?: unknown }> {
  for (;;) {
    const task = await s.call<{ status: string; error?: unknown }>('tasks.get', { id });
    if (!['queued', 'running'].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cairn serve unlocks at start', () => {
  let dir: string;
  let dataDir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-serve-unlock-'));
    dataDir = path.join(dir, 'data');
    await fs.mkdir(path.join(dir, 'src'));
    await fs.writeFile(path.join(dir, 'src', 'notes.txt'), 'kept safe by a service\n');
    // The app data folder as the app leaves it: two repositories, one with another password.
    const first = await serve(dataDir);
    const home = await first.call<{ id: string }>('repo.create', {
      location: path.join(dir, 'repo-home'),
      password: PASSWORD,
      label: 'Home',
      region: 'this-device',
    });
    await first.call('sources.add', { repositoryId: home.id, path: path.join(dir, 'src') });
    await first.call('repo.create', {
      location: path.join(dir, 'repo-other'),
      password: 'another password entirely',
      label: 'Other',
      region: 'this-device',
    });
    expect(await first.stop()).toBe(0);
  }, 120_000);

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('with --password-file: unlocks what the password opens and backs up without anyone typing', async () => {
    const file = path.join(dir, 'password');
    await fs.writeFile(file, `${PASSWORD}\n`, { mode: 0o600 });
    const s = await serve(dataDir, ['--password-file', file]);
    try {
      const repos = await s.call<{ id: string; label: string; unlocked: boolean }[]>('repo.list', {});
      expect(repos.map((r) => [r.label, r.unlocked]).sort()).toEqual([
        ['Home', true],
        ['Other', false],
      ]);
      expect(s.stderr()).toContain('unlocked at start: Home');
      expect(s.stderr()).toMatch(/"Other" stays locked: /);
      expect(s.stderr()).not.toContain(PASSWORD);
      const home = repos.find((r) => r.label === 'Home') as { id: string };
      const { taskId } = await s.call<{ taskId: string }>('backup.start', { repositoryId: home.id });
      expect((await waitForTask(s, taskId)).status).toBe('succeeded');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 120_000);

  it('with --password-command: the first line the command prints', async () => {
    const s = await serve(dataDir, ['--password-command', `printf '%s\\n' '${PASSWORD}'`]);
    try {
      const repos = await s.call<{ label: string; unlocked: boolean }[]>('repo.list', {});
      expect(repos.find((r) => r.label === 'Home')?.unlocked).toBe(true);
    } finally {
      await s.stop();
    }
  }, 120_000);

  it('stops before starting when the password command fails, with its reason', async () => {
    const failed = await serve(dataDir, ['--password-command', 'echo "vault sealed" >&2; exit 3']).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/the password command failed \(exit 3\): vault sealed/);
  }, 60_000);
});
