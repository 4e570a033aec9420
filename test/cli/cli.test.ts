/**
 * The `cairn` command line end to end: spawns `node bin/cairn.mjs` against temp repositories and
 * checks exit codes, JSON output, restored bytes, key management, locking, interruption and damage
 * detection. The tests of the first describe run in order and share one repository.
 *
 * The CLI is built once in beforeAll as `npm run build` does, into a private folder
 * (test/support/cli.ts privateBuild): `npm run build` deletes and rewrites the shared dist/, so
 * using it here would break, and be broken by, any build or CLI run happening at the same time.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { RepositoryLock } from '../../src/engine/repo/lock.js';
import { Repository } from '../../src/engine/repo/repository.js';
import {
  compressibleText,
  expectSameTree,
  flipByte,
  largestFile,
  MiB,
  makeTempDir,
  removeDir,
  restoredPath,
  restoreLeftovers,
  seededBytes,
} from '../engine/helpers.js';
import { json, privateBuild, type Run, cairn as run, cairnAsync as runAsync } from '../support/cli.js';

let buildDir: string;
let BIN: string;
const PW = 'cli password one';
const PW2 = 'cli password two';
const PW3 = 'cli password three';

/** The private build, with only the passwords given; audit entries go to the build's data folder. */
function cairn(args: string[], env: { password?: string; newPassword?: string } = {}): Run {
  return run(args, { ...env, dataDir: path.join(buildDir, 'app-data') }, { bin: BIN });
}

/** Starts the private build and calls `onLine` for each stderr line; resolves with the outcome. */
function cairnAsync(
  args: string[],
  password: string,
  onLine: (line: string, child: ChildProcess) => void,
): Promise<Run> {
  return runAsync(args, { password, dataDir: path.join(buildDir, 'app-data') }, { bin: BIN, onLine }).done;
}

/** Every non-empty stderr line parses as a JSON object with a type. */
function expectJsonLines(stderr: string): Record<string, unknown>[] {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return lines.map((line) => {
    const value = JSON.parse(line) as Record<string, unknown>;
    expect(typeof value.type).toBe('string');
    return value;
  });
}

function expectNoStack(r: Run): void {
  expect(r.stderr).not.toContain('    at ');
  expect(r.stdout).not.toContain('    at ');
}

beforeAll(async () => {
  buildDir = await makeTempDir('cli-build');
  BIN = await privateBuild(buildDir);
}, 120_000);

afterAll(async () => {
  await removeDir(buildDir);
});

describe('cairn CLI on one repository', () => {
  let dir: string;
  let src: string;
  let repoDir: string;
  let firstId: string;
  let secondId: string;

  beforeAll(async () => {
    dir = await makeTempDir('cli');
    src = path.join(dir, 'src');
    repoDir = path.join(dir, 'repo');
    await fs.mkdir(path.join(src, 'docs/deep'), { recursive: true });
    await fs.writeFile(path.join(src, 'big.bin'), seededBytes('cli big', 30 * MiB));
    await fs.writeFile(path.join(src, 'docs/notes.txt'), compressibleText(100 * 1024));
    await fs.writeFile(path.join(src, 'docs/deep/empty'), '');
    await fs.writeFile(path.join(src, 'docs/change-me.txt'), 'version 1\n');
    await fs.symlink('notes.txt', path.join(src, 'docs/link'));
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('init creates a repository (exit 0, JSON with the id)', () => {
    const r = cairn(['init', '--repo', repoDir, '--json'], { password: PW });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = json(r);
    expect(out.id).toMatch(/^[0-9a-f]{64}$/);
    expect(out.location).toBe(repoDir);
  });

  it('init refuses a location that already holds a repository (exit 1)', () => {
    const r = cairn(['init', '--repo', repoDir], { password: PW });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already exists');
    expectNoStack(r);
  });

  it('backup --json prints the recovery point with its summary; progress lines on stderr are JSON', () => {
    const r = cairn(['backup', '--repo', repoDir, '--json', src], { password: PW });
    expect(r.status, r.stderr).toBe(0);
    const out = json<{ id: string; partial: boolean; paths: string[]; summary: Record<string, number> }>(r);
    expect(out.id).toMatch(/^[0-9a-f]{64}$/);
    expect(out.partial).toBe(false);
    expect(out.paths).toEqual([src]);
    expect(out.summary.filesNew).toBe(4);
    expect(out.summary.totalBytes).toBe(30 * MiB + 100 * 1024 + 'version 1\n'.length);
    const progress = expectJsonLines(r.stderr);
    for (const line of progress) expect(line.type).toBe('progress');
    // A first backup: its source was counted, and the progress carries the totals.
    expect(progress).toContainEqual(
      expect.objectContaining({ filesTotal: 4, totalBytes: out.summary.totalBytes, counting: null }),
    );
    firstId = out.id;
  });

  it('snapshots --json is an array of recovery points with id, time and paths', () => {
    const r = cairn(['snapshots', '--repo', repoDir, '--json'], { password: PW });
    expect(r.status).toBe(0);
    const list = json<{ id: string; time: string; paths: string[] }[]>(r);
    expect(Array.isArray(list)).toBe(true);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: firstId, paths: [src] });
    expect(Number.isNaN(Date.parse(list[0]?.time ?? ''))).toBe(false);
  });

  it('ls latest --json lists every entry with its type', () => {
    const r = cairn(['ls', 'latest', '--repo', repoDir, '--json'], { password: PW });
    expect(r.status).toBe(0);
    const out = json<{ snapshot: string; entries: { path: string; type: string; size?: number; target?: string }[] }>(
      r,
    );
    expect(out.snapshot).toBe(firstId);
    const byPath = new Map(out.entries.map((e) => [e.path, e]));
    expect(byPath.get(path.join(src, 'big.bin'))).toMatchObject({ type: 'file', size: 30 * MiB });
    expect(byPath.get(path.join(src, 'docs/deep'))).toMatchObject({ type: 'dir' });
    expect(byPath.get(path.join(src, 'docs/link'))).toMatchObject({ type: 'symlink', target: 'notes.txt' });
    expect(byPath.get(path.join(src, 'docs/deep/empty'))).toMatchObject({ type: 'file', size: 0 });
  });

  it('restore --target gives byte-identical files', async () => {
    const target = path.join(dir, 'restore-1');
    const r = cairn(['restore', firstId.slice(0, 10), '--repo', repoDir, '--target', target, '--json'], {
      password: PW,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = json<{ filesRestored: number; errors: unknown[] }>(r);
    expect(out.filesRestored).toBe(4);
    expect(out.errors).toEqual([]);
    await expectSameTree(src, restoredPath(target, src));
  });

  it('check --read-data exits 0 on an intact repository', () => {
    const r = cairn(['check', '--repo', repoDir, '--read-data', '--json'], { password: PW });
    expect(r.status, r.stderr).toBe(0);
    const out = json<{ ok: boolean; errors: unknown[]; packsRead: number }>(r);
    expect(out.ok).toBe(true);
    expect(out.errors).toEqual([]);
    expect(out.packsRead).toBeGreaterThan(0);
  });

  it('a second backup after a change names its parent; diff lists the changed file', async () => {
    await fs.writeFile(path.join(src, 'docs/change-me.txt'), 'version 2, longer\n');
    const b = cairn(['backup', '--repo', repoDir, '--json', src], { password: PW });
    expect(b.status, b.stderr).toBe(0);
    const out = json<{ id: string; parent: string; summary: Record<string, number> }>(b);
    expect(out.parent).toBe(firstId);
    expect(out.summary.filesChanged).toBe(1);
    expect(out.summary.filesUnchanged).toBe(3);
    secondId = out.id;

    const d = cairn(['diff', firstId, secondId, '--repo', repoDir, '--json'], { password: PW });
    expect(d.status, d.stderr).toBe(0);
    const diff = json<{ changes: { path: string; change: string }[]; summary: Record<string, number> }>(d);
    expect(diff.changes).toEqual([
      expect.objectContaining({ path: path.join(src, 'docs/change-me.txt'), change: 'modified' }),
    ]);
    expect(diff.summary).toEqual({ added: 0, removed: 0, modified: 1, metadata: 0 });

    const human = cairn(['diff', firstId.slice(0, 8), 'latest', '--repo', repoDir], { password: PW });
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toContain(`M  ${path.join(src, 'docs/change-me.txt')}`);
  });

  it('stats --json counts the recovery points', () => {
    const r = cairn(['stats', '--repo', repoDir, '--json'], { password: PW });
    expect(r.status, r.stderr).toBe(0);
    const s = json<{ snapshots: number; packs: number; deduplicationRatio: number }>(r);
    expect(s.snapshots).toBe(2);
    expect(s.packs).toBeGreaterThan(0);
    expect(s.deduplicationRatio).toBeGreaterThan(1.9);
  });

  it('key list / key add / key passwd manage the passwords', () => {
    const list1 = cairn(['key', 'list', '--repo', repoDir, '--json'], { password: PW });
    expect(list1.status, list1.stderr).toBe(0);
    const slots1 = json<{ id: string; current: boolean; label: string }[]>(list1);
    expect(slots1).toHaveLength(1);
    expect(slots1[0]?.current).toBe(true);

    const add = cairn(['key', 'add', '--label', 'second', '--repo', repoDir, '--json'], {
      password: PW,
      newPassword: PW2,
    });
    expect(add.status, add.stderr).toBe(0);
    const addedId = json<{ id: string }>(add).id;

    const list2 = cairn(['key', 'list', '--repo', repoDir, '--json'], { password: PW2 });
    expect(list2.status, list2.stderr).toBe(0);
    const slots2 = json<{ id: string; current: boolean; label: string }[]>(list2);
    expect(slots2).toHaveLength(2);
    expect(slots2.find((s) => s.current)).toMatchObject({ id: addedId, label: 'second' });

    const passwd = cairn(['key', 'passwd', '--repo', repoDir, '--json'], { password: PW, newPassword: PW3 });
    expect(passwd.status, passwd.stderr).toBe(0);

    const withNew = cairn(['snapshots', '--repo', repoDir, '--json'], { password: PW3 });
    expect(withNew.status, withNew.stderr).toBe(0);
    expect(json<unknown[]>(withNew)).toHaveLength(2);
  });

  it('a wrong (here: the old) password exits 12 (as restic) with the exact message and no stack trace', () => {
    const r = cairn(['snapshots', '--repo', repoDir], { password: PW });
    expect(r.status).toBe(12);
    expect(r.stderr).toBe('cairn snapshots: wrong password (no key slot matches)\n');
    expectNoStack(r);

    const j = cairn(['snapshots', '--repo', repoDir, '--json'], { password: 'nope' });
    expect(j.status).toBe(12);
    expect(expectJsonLines(j.stderr)).toEqual([
      { type: 'error', message: 'wrong password (no key slot matches)', exitCode: 12 },
    ]);
  });

  it('no password at all (no variable, no terminal) exits 1 with a clear message', () => {
    const r = cairn(['snapshots', '--repo', repoDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no password given');
    expectNoStack(r);
  });

  it('a backup of /proc/self/mem (unreadable: EIO) is saved as partial and exits 3', () => {
    const r = cairn(['backup', '--repo', repoDir, '--json', '/proc/self/mem'], { password: PW3 });
    expect(r.status, r.stderr).toBe(3);
    const out = json<{ partial: boolean; warnings: string[] }>(r);
    expect(out.partial).toBe(true);
    expect(out.warnings).toEqual(['/proc/self/mem: input/output error while reading']);
    const lines = expectJsonLines(r.stderr);
    expect(lines.filter((l) => l.type === 'warning').map((l) => l.message)).toEqual(out.warnings);
  });

  it('a backup of a path that does not exist exits 1 with "cannot back up"', () => {
    const missing = path.join(dir, 'missing');
    const r = cairn(['backup', '--repo', repoDir, missing], { password: PW3 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot back up ${missing}`);
    expectNoStack(r);
  });

  it('a repository locked exclusively by another process makes backup exit 11', async () => {
    const repo = await Repository.open(new LocalBackend(repoDir), PW3);
    const lock = await RepositoryLock.acquire(repo, 'prune', true);
    try {
      const r = cairn(['backup', '--repo', repoDir, src], { password: PW3 });
      expect(r.status).toBe(11);
      expect(r.stderr).toContain('the repository is in use: prune');
      expectNoStack(r);
    } finally {
      await lock.release();
      await repo.close();
    }
  });

  it('restore --target pointing at a file exits 1 with a clear message, not a raw EEXIST', async () => {
    const file = path.join(dir, 'a-file');
    await fs.writeFile(file, 'x');
    const r = cairn(['restore', 'latest', '--repo', repoDir, '--target', file], { password: PW3 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`cairn restore: the restore target ${file} is not a folder\n`);
  });

  it('a flipped byte in the largest pack: check --read-data exits 1, restore exits 1 and leaves no partial file', async () => {
    const { file } = await largestFile(path.join(repoDir, 'data'));
    await flipByte(file, Math.floor((await fs.stat(file)).size / 3));
    const c = cairn(['check', '--repo', repoDir, '--read-data'], { password: PW3 });
    expect(c.status, c.stderr).toBe(1);
    expect(c.stdout, c.stderr).toContain(`error: pack ${path.basename(file).slice(0, 12)}`);
    expect(c.stdout).toContain('the repository is damaged');

    const target = path.join(dir, 'restore-damaged');
    const r = cairn(['restore', secondId, '--repo', repoDir, '--target', target], { password: PW3 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`failed ${path.join(src, 'big.bin')}`);
    expectNoStack(r);
    await expect(fs.access(path.join(restoredPath(target, src), 'big.bin'))).rejects.toThrow();
    expect(await restoreLeftovers(target)).toEqual([]);
    expect(await fs.readFile(path.join(restoredPath(target, src), 'docs/change-me.txt'), 'utf8')).toBe(
      'version 2, longer\n',
    );
  });
});

describe('cairn CLI: an interrupted backup', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('cli-interrupt');
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('SIGINT during a backup exits 130 with "interrupted", saves no recovery point, and the next backup reuses the data', async () => {
    const repoDir = path.join(dir, 'repo');
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    // Large enough that the backup is still running when the signal arrives after the first progress line.
    for (let i = 0; i < 4; i++)
      await fs.writeFile(path.join(src, `part-${i}.bin`), seededBytes(`cli interrupt ${i}`, 64 * MiB));
    expect(cairn(['init', '--repo', repoDir], { password: PW }).status).toBe(0);

    let signalled = false;
    const run = await cairnAsync(['backup', '--repo', repoDir, '--json', src], PW, (line, child) => {
      if (!signalled && line.includes('"type":"progress"')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(signalled).toBe(true);
    expect(run.status).toBe(130);
    expect(run.stdout).toBe('');
    const errors = expectJsonLines(run.stderr).filter((l) => l.type === 'error');
    expect(errors).toEqual([
      {
        type: 'error',
        message: 'interrupted; the data stored so far is kept and the next backup reuses it',
        exitCode: 130,
      },
    ]);

    const c = cairn(['check', '--repo', repoDir, '--json'], { password: PW });
    expect(c.status, c.stdout + c.stderr).toBe(0);
    const list = cairn(['snapshots', '--repo', repoDir, '--json'], { password: PW });
    expect(json<unknown[]>(list)).toEqual([]);

    const again = cairn(['backup', '--repo', repoDir, '--json', src], { password: PW });
    expect(again.status, again.stderr).toBe(0);
    const summary = json<{ summary: { dataAdded: number; totalBytes: number } }>(again).summary;
    expect(summary.totalBytes).toBe(256 * MiB);
    expect(summary.dataAdded).toBeLessThan(summary.totalBytes);
  }, 180_000); // two backups of 256 MiB and a check, beside the other suites on a 2-core machine
});

describe('cairn CLI usage and missing repositories', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('cli-usage');
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('--repo on an empty folder exits 10 with a clear message', async () => {
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);
    const r = cairn(['snapshots', '--repo', empty], { password: PW });
    expect(r.status).toBe(10);
    expect(r.stderr).toContain(`there is no Cairn repository at ${empty}`);
    expectNoStack(r);
  });

  it('--repo on a folder that does not exist exits 10 and creates nothing', async () => {
    const missing = path.join(dir, 'does', 'not', 'exist');
    const r = cairn(['backup', '--repo', missing, dir], { password: PW });
    expect(r.status).toBe(10);
    expect(r.stderr).toContain(`there is no Cairn repository at ${missing}`);
    await expect(fs.access(path.join(dir, 'does'))).rejects.toThrow();
  });

  it('an unknown command exits 2', () => {
    const r = cairn(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('an unknown option and a missing --target are usage errors (exit 2)', () => {
    const opt = cairn(['snapshots', '--no-such-option', '--repo', dir]);
    expect(opt.status).toBe(2);
    expect(opt.stderr).toContain('usage: cairn snapshots');
    const target = cairn(['restore', 'latest', '--repo', dir]);
    expect(target.status).toBe(2);
    expect(target.stderr).toContain('--target DIR is required');
  });

  it('help exits 0 and names every command', () => {
    const r = cairn(['help']);
    expect(r.status).toBe(0);
    for (const name of ['init', 'backup', 'snapshots', 'ls', 'restore', 'diff', 'check', 'stats', 'key']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });
});
