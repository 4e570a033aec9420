/**
 * `cairn serve` as a real process: the first stdout line is the address with its token, the API
 * answers 401 without the token and 200 with it, the catalog lands in --data-dir, and SIGTERM
 * stops the server cleanly (exit code 0).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { platformDataDir, resolveDataDir } from '../../src/app/host/data-dir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    lines.once('line', (line) => resolve(line));
    child.once('exit', (code) =>
      reject(new Error(`cairn serve exited (${code}) before printing its address: ${stderr}`)),
    );
  });
}

describe('cairn serve', () => {
  let dir: string | undefined;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('prints its address first, requires the token, and stops cleanly on SIGTERM', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-serve-'));
    const dataDir = path.join(dir, 'data');
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--data-dir', dataDir],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CAIRN_DATA_DIR: '' },
      },
    );
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    const line = await firstLine(child);
    const match = /^Cairn is running at (http:\/\/127\.0\.0\.1:(\d+)\/)#token=([A-Za-z0-9_-]{43})$/.exec(line);
    expect(match, line).not.toBeNull();
    const [, base, port, token] = match as RegExpExecArray;
    expect(Number(port)).toBeGreaterThan(0);

    const anonymous = await fetch(`${base}api/app.status`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    const authorized = await fetch(`${base}api/app.status`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(authorized.status).toBe(200);
    expect(await authorized.json()).toMatchObject({ dataDir: dataDir, repositories: [], runningTasks: 0 });
    await expect(fs.stat(path.join(dataDir, 'catalog.sqlite'))).resolves.toBeTruthy();

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a port that is not a number', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-serve-'));
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', 'eighty', '--data-dir', dir],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child?.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/"eighty" is not a port number/);
  });
});

describe('app data folder', () => {
  it('follows --data-dir, then CAIRN_DATA_DIR, then the platform folder', () => {
    expect(resolveDataDir('/x/y', { CAIRN_DATA_DIR: '/env' })).toBe(path.resolve('/x/y'));
    expect(resolveDataDir(undefined, { CAIRN_DATA_DIR: '/env' })).toBe(path.resolve('/env'));
    expect(platformDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/u')).toBe('/xdg/Cairn');
    expect(platformDataDir('linux', {}, '/home/u')).toBe('/home/u/.config/Cairn');
    expect(platformDataDir('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/Cairn');
    expect(platformDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Cairn',
    );
  });
});
