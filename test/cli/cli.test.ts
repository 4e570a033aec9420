/**
 * The `cairn` command line end to end: spawns `node bin/cairn.mjs` against temp repositories and
 * checks exit codes, JSON output, restored bytes, key management, locking, interruption and damage
 * detection. The tests of the first describe run in order and share one repository.
 *
 * The CLI is compiled once in beforeAll with the project's own build config (tsconfig.build.json)
 * and bundled as `npm run build` does (scripts/bundle-cli.mjs), into a private folder beside a
 * copy of bin/cairn.mjs and package.json (node_modules linked):
 * `npm run build` deletes and rewrites the shared dist/, so using it here would break, and be
 * broken by, any build or CLI run happening at the same time.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let buildDir: string;
let BIN: string;
const PW = 'cli password one';
const PW2 = 'cli password two';
const PW3 = 'cli password three';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: only the passwords given, never inherited CAIRN_* variables. */
function cairn(args: string[], env: { password?: string; newPassword?: string } = {}): Run {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) base[k] = v;
  base.CAIRN_DATA_DIR = path.join(buildDir, 'app-data'); // audit entries and other privacy records
  if (env.password !== undefined) base.CAIRN_PASSWORD = env.password;
  if (env.newPassword !== undefined) base.CAIRN_NEW_PASSWORD = env.newPassword;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: base, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T = Record<string, unknown>>(r: Run): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.status}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** Starts the CLI and calls `onLine` for each stderr line; resolves with the exit code and output. */
function cairnAsync(
  args: string[],
  password: string,
  onLine: (line: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) env[k] = v;
  env.CAIRN_PASSWORD = password;
  env.CAIRN_DATA_DIR = path.join(buildDir, 'app-data');
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    pending += d;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      onLine(pending.slice(0, nl), child);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
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
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(buildDir, 'dist')],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`building the CLI failed:\n${build.stdout}\n${build.stderr}`);
  await fs.mkdir(path.join(buildDir, 'bin'));
  await fs.copyFile(path.join(ROOT, 'bin', 'cairn.mjs'), path.join(buildDir, 'bin', 'cairn.mjs'));
  await fs.copyFile(path.join(ROOT, 'package.json'), path.join(buildDir, 'package.json'));
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(buildDir, 'node_modules'));
  // Bundled as `npm run build` does (the packages resolve through the link above), so these tests
  // run what ships.
  const bundle = spawnSync(process.execPath, ['scripts/bundle-cli.mjs', path.join(buildDir, 'dist')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (bundle.status !== 0) throw new Error(`bundling the CLI failed:\n${bundle.stdout}\n${bundle.stderr}`);
  BIN = path.join(buildDir, 'bin', 'cairn.mjs');
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
    for (const line of expectJsonLines(r.stderr)) expect(line.type).toBe('progress');
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

  it('a wrong (here: the old) password exits 1 with the exact message and no stack trace', () => {
    const r = cairn(['snapshots', '--repo', repoDir], { password: PW });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('cairn snapshots: wrong password (no key slot matches)\n');
    expectNoStack(r);

    const j = cairn(['snapshots', '--repo', repoDir, '--json'], { password: 'nope' });
    expect(j.status).toBe(1);
    expect(expectJsonLines(j.stderr)).toEqual([
      { type: 'error', message: 'wrong password (no key slot matches)', exitCode: 1 },
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

  it('SIGINT during a backup exits 1 with "interrupted", saves no recovery point, and the next backup reuses the data', async () => {
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
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const errors = expectJsonLines(run.stderr).filter((l) => l.type === 'error');
    expect(errors).toEqual([
      {
        type: 'error',
        message: 'interrupted; the data stored so far is kept and the next backup reuses it',
        exitCode: 1,
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
