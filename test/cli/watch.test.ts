/**
 * `cairn watch` and journal backups from the command line: the watcher prints `watching N paths`
 * when ready, `cairn backup` then reads only what changed (and says so), the result restores
 * byte-identical, `--rescan` forces a full rescan, and without a running watcher it rescans.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/app/journal/journal-store.js';
import { expectSameTree, makeTempDir, PASSWORD, removeDir, restoredPath } from '../engine/helpers.js';
import { type CliEnv, cliEnvironment, ROOT, type Run, cairn as runCairn } from '../support/cli.js';

let dir: string;
let repoDir: string;
let dataDir: string;
let src: string;

function cliEnv(): CliEnv {
  return { password: PASSWORD, dataDir, repository: repoDir };
}

function cairn(args: string[]): Run {
  return runCairn(args, cliEnv());
}

function backupJson(...extra: string[]) {
  const r = cairn(['backup', '--json', ...extra, src]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as {
    id: string;
    summary: { totalFiles: number; filesChanged: number; filesNew: number };
    journal: { used: boolean; reason: string; reusedFolders: number };
  };
}

/** Starts `cairn watch` and resolves with its first stdout line once it is ready. */
function startWatch(): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'watch', src], {
    cwd: ROOT,
    env: cliEnvironment(cliEnv()),
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => resolve({ child, line }));
    child.once('exit', (code) => reject(new Error(`cairn watch exited (${code}): ${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  return exited;
}

/** Waits until the watcher has journaled at least `n` paths under src. */
async function journaled(n: number): Promise<void> {
  const store = JournalStore.open(dataDir);
  try {
    for (let i = 0; i < 300; i++) {
      if (store.changesUnder(src, 0).length >= n) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the watcher journaled fewer than ${n} paths`);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = await makeTempDir('cli-watch');
  repoDir = path.join(dir, 'repo');
  dataDir = path.join(dir, 'data');
  src = path.join(dir, 'src');
  for (let d = 0; d < 20; d++) {
    fs.mkdirSync(path.join(src, `dir${d}`, 'sub'), { recursive: true });
    for (let f = 0; f < 10; f++) fs.writeFileSync(path.join(src, `dir${d}`, 'sub', `f${f}.txt`), `file ${d}/${f}\n`);
  }
  // A watcher started later journals every entry changed since 2 s before the last backup began
  // (coarse file-system clocks): let the tree be older than that, so only the test's changes count.
  await new Promise((r) => setTimeout(r, 2500));
  const init = cairn(['init']);
  expect(init.status, init.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await removeDir(dir);
});

describe('cairn watch', () => {
  it('lets the next backup read only what changed, and the result restores byte-identical', async () => {
    const first = backupJson();
    expect(first.journal.used).toBe(false);
    const { child, line } = await startWatch();
    try {
      expect(line).toMatch(/^watching \d+ paths$/);
      expect(Number(line.split(' ')[1])).toBeGreaterThanOrEqual(200 + 40);
      fs.writeFileSync(path.join(src, 'dir3', 'sub', 'f1.txt'), 'changed content\n');
      fs.writeFileSync(path.join(src, 'dir7', 'new.txt'), 'a new file\n');
      fs.rmSync(path.join(src, 'dir9', 'sub', 'f0.txt'));
      await journaled(3);
      const second = backupJson();
      expect(second.journal.used, second.journal.reason).toBe(true);
      expect(second.journal.reusedFolders).toBeGreaterThan(10);
      expect(second.summary.totalFiles).toBe(200);
      expect(second.summary.filesChanged + second.summary.filesNew).toBe(2);

      const target = path.join(dir, 'restored');
      const restore = cairn(['restore', second.id, '--target', target]);
      expect(restore.status, restore.stderr).toBe(0);
      await expectSameTree(restoredPath(target, src), src);

      const forced = backupJson('--rescan');
      expect(forced.journal.used).toBe(false);
      expect(forced.journal.reason).toMatch(/rescan was asked/);
    } finally {
      expect(await stop(child)).toBe(0);
    }
    const after = backupJson();
    expect(after.journal.used).toBe(false);
    expect(after.journal.reason).toMatch(/no watcher is running/);
  }, 180_000);

  it('refuses to watch what is not a folder', () => {
    const r = cairn(['watch', path.join(dir, 'missing')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot watch .*missing/);
  });
});
