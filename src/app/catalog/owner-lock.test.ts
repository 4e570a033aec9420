/**
 * One process owns an app data folder: a second Catalog.open is refused while the first is open,
 * allowed after close, and a lock left by an ended process is taken over.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import { OWNER_LOCK_FILE } from './owner-lock.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-owner-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('app data folder ownership', () => {
  it('refuses a second owner while the first is open, and allows one after close', () => {
    const dir = tempDir();
    const first = Catalog.open(dir);
    expect(() => Catalog.open(dir)).toThrow(/Cairn is already running with the app data folder/);
    first.close();
    expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(false);
    Catalog.open(dir).close();
  });

  it('takes over a lock left by a process that has ended', () => {
    const dir = tempDir();
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(ended.stdout);
    fs.writeFileSync(
      path.join(dir, OWNER_LOCK_FILE),
      JSON.stringify({ pid: deadPid, hostname: os.hostname(), since: '2026-01-01T00:00:00.000Z' }),
    );
    const catalog = Catalog.open(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, OWNER_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    catalog.close();
  });
});
