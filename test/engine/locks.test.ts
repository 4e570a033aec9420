/**
 * Repository locks on a real folder: exclusive locks exclude everything, shared locks coexist,
 * stale locks (old refresh time, or a dead process on this host) are ignored, and releasing
 * removes the lock file. A lock that is lost (not renewed within its validity, or removed by
 * another process) stops its operation before it commits anything, and a reader never sees "no
 * lock" while a holder refreshes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import { randomId } from '../../src/engine/crypto/ids.js';
import { CairnError } from '../../src/engine/errors.js';
import { encodeDocument } from '../../src/engine/format/sealed-json.js';
import { prune } from '../../src/engine/prune/prune.js';
import {
  isStale,
  LOCK_STALE_MS,
  LOCK_VALID_MS,
  type LockInfo,
  listLocks,
  RepositoryLock,
  withLock,
} from '../../src/engine/repo/lock.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { craftedSnapshot, initLocalRepo, makeTempDir, PASSWORD, removeDir, seededBytes } from './helpers.js';

describe('repository locks', () => {
  let dir: string;
  let repo: Repository;
  let other: Repository;

  beforeEach(async () => {
    dir = await makeTempDir('locks');
    const made = await initLocalRepo(dir);
    repo = made.repo;
    // A second session on the same repository, as another operation would open it.
    other = await Repository.open(new LocalBackend(made.repoDir), PASSWORD);
  });

  afterEach(async () => {
    await repo?.close();
    await other?.close();
    await removeDir(dir);
  });

  async function plantLock(info: Partial<LockInfo>): Promise<string> {
    const now = new Date().toISOString();
    const full: LockInfo = {
      time: now,
      refreshed: now,
      hostname: 'elsewhere',
      pid: 4242,
      exclusive: true,
      operation: 'prune',
      ...info,
    };
    const id = randomId();
    await repo.backend.save({ kind: 'locks', id }, encodeDocument(repo.keys.dataKey, full, 'lock'));
    return id;
  }

  it('an exclusive lock blocks a second exclusive and a shared lock with code "locked"', async () => {
    const held = await RepositoryLock.acquire(repo, 'prune', true);
    try {
      const exclusive = RepositoryLock.acquire(other, 'key remove', true);
      await expect(exclusive).rejects.toBeInstanceOf(CairnError);
      await expect(exclusive).rejects.toMatchObject({ code: 'locked' });
      await expect(exclusive).rejects.toThrow(
        /the repository is in use: prune by process \d+ on .* holds an exclusive lock/,
      );
      await expect(RepositoryLock.acquire(other, 'backup', false)).rejects.toMatchObject({ code: 'locked' });
      // The failed attempts removed their own lock files.
      expect(await other.listIds('locks')).toHaveLength(1);
    } finally {
      await held.release();
    }
  });

  it('a shared lock blocks an exclusive one, and shared locks coexist', async () => {
    const a = await RepositoryLock.acquire(repo, 'backup', false);
    const b = await RepositoryLock.acquire(other, 'restore', false);
    try {
      await expect(RepositoryLock.acquire(other, 'prune', true)).rejects.toMatchObject({ code: 'locked' });
      expect(await repo.listIds('locks')).toHaveLength(2);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('releasing removes the lock file, and withLock releases when its function throws', async () => {
    const lock = await RepositoryLock.acquire(repo, 'backup', true);
    expect(await repo.listIds('locks')).toHaveLength(1);
    await lock.release();
    expect(await repo.listIds('locks')).toEqual([]);
    await lock.release(); // idempotent

    await expect(
      withLock(repo, 'check', false, async () => {
        expect(await repo.listIds('locks')).toHaveLength(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await repo.listIds('locks')).toEqual([]);
  });

  it('a lock not refreshed for longer than the stale time is ignored, and removed by an exclusive acquire', async () => {
    const old = new Date(Date.now() - LOCK_STALE_MS - 60_000).toISOString();
    const stale = await plantLock({ time: old, refreshed: old });
    const shared = await RepositoryLock.acquire(other, 'backup', false);
    await shared.release();
    expect(await repo.listIds('locks')).toEqual([stale]); // a shared acquire leaves it

    const exclusive = await RepositoryLock.acquire(other, 'prune', true);
    try {
      expect(await repo.listIds('locks')).not.toContain(stale);
    } finally {
      await exclusive.release();
    }
    expect(await repo.listIds('locks')).toEqual([]);
  });

  it('a fresh lock from another host is respected', async () => {
    await plantLock({ hostname: 'another-host', exclusive: false, operation: 'backup' });
    await expect(RepositoryLock.acquire(repo, 'prune', true)).rejects.toMatchObject({ code: 'locked' });
    const shared = await RepositoryLock.acquire(repo, 'restore', false);
    await shared.release();
  });

  it('a lock of a process of this host that is gone is stale', async () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(child.stdout);
    expect(deadPid).toBeGreaterThan(0);
    await plantLock({ hostname: os.hostname(), pid: deadPid });
    const [planted] = await listLocks(repo);
    expect(planted && isStale(planted.info)).toBe(true);
    const lock = await RepositoryLock.acquire(repo, 'prune', true);
    await lock.release();
    expect(await repo.listIds('locks')).toEqual([]);
  });

  it('a lock of this very process (another session) is not stale', async () => {
    const held = await RepositoryLock.acquire(other, 'prune', true);
    try {
      const [info] = await listLocks(repo);
      expect(info && isStale(info.info)).toBe(false);
      await expect(RepositoryLock.acquire(repo, 'backup', false)).rejects.toMatchObject({ code: 'locked' });
    } finally {
      await held.release();
    }
  });

  it('a lock file of this process that it does not hold (left behind) is stale', async () => {
    const left = await plantLock({ hostname: os.hostname(), pid: process.pid, operation: 'forget' });
    const [planted] = await listLocks(repo);
    expect(planted && isStale(planted.info, Date.now(), left)).toBe(true);
    // It does not block this process: an exclusive acquire passes and removes it.
    const lock = await RepositoryLock.acquire(repo, 'prune', true);
    expect(await repo.listIds('locks')).not.toContain(left);
    await lock.release();
  });

  it('refresh replaces the lock file and keeps the lock valid', async () => {
    const lock = await RepositoryLock.acquire(repo, 'backup', true);
    const before = await repo.listIds('locks');
    await lock.refresh();
    const after = await repo.listIds('locks');
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    await expect(RepositoryLock.acquire(other, 'backup', false)).rejects.toMatchObject({ code: 'locked' });
    await lock.release();
    expect(await repo.listIds('locks')).toEqual([]);
  });

  it('a reader listing while the holder refreshes still sees the lock (it lists again)', async () => {
    const held = await RepositoryLock.acquire(repo, 'backup', true);
    try {
      const load = other.backend.load.bind(other.backend);
      let raced = false;
      other.backend.load = async (ref, range) => {
        if (ref.kind === 'locks' && !raced) {
          raced = true;
          await held.refresh(); // the listed file is replaced under a new name before we read it
        }
        return load(ref, range);
      };
      const locks = await listLocks(other);
      expect(raced).toBe(true);
      expect(locks).toHaveLength(1);
      expect(locks[0]?.info.operation).toBe('backup');
    } finally {
      await held.release();
    }
  });
});

describe('a lost lock stops its operation before it commits anything', () => {
  let dir: string;
  let repo: Repository;
  let repoDir: string;
  let now: number;
  const clock = () => now;

  beforeEach(async () => {
    dir = await makeTempDir('lost-locks');
    const made = await initLocalRepo(dir);
    repo = made.repo;
    repoDir = made.repoDir;
    now = Date.now();
  });

  afterEach(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  async function sourceTree(): Promise<string> {
    const src = path.join(dir, 'src');
    await fs.mkdir(src, { recursive: true });
    for (let i = 0; i < 3; i++) await fs.writeFile(path.join(src, `f${i}.bin`), seededBytes(`lost ${i}`, 200 * 1024));
    return src;
  }

  it("after the computer slept past the lock's validity: no index, snapshot, removal or key slot is written", async () => {
    const lock = await RepositoryLock.acquire(repo, 'backup', false, { clock });
    now += LOCK_VALID_MS + 60_000; // the laptop slept
    const lost =
      /backup stopped before saving anything more: its lock on the repository was last renewed \d+ minutes ago/;
    await expect(repo.saveSnapshot(craftedSnapshot('00'.repeat(32)))).rejects.toThrow(lost);
    await expect(repo.saveIndexFile({ version: 1, supersedes: [], packs: [] })).rejects.toThrow(lost);
    await expect(repo.removeSnapshot('00'.repeat(32))).rejects.toThrow(lost);
    await expect(repo.addKeySlot('another', 'second')).rejects.toThrow(lost);
    // A refresh after waking does not bring it back: another process may have acted meanwhile.
    await lock.refresh();
    expect(() => lock.assertValid()).toThrow(lost);
    expect(await repo.listIds('snapshots')).toEqual([]);
    expect(await repo.listIds('index')).toEqual([]);
    await lock.release();
    // Released, the session writes again under a new lock.
    await withLock(repo, 'backup', false, () => repo.saveIndexFile({ version: 1, supersedes: [], packs: [] }));
  });

  it('a lock another process removed as abandoned is lost at its next refresh', async () => {
    const lock = await RepositoryLock.acquire(repo, 'prune', true, { clock });
    for (const id of await repo.listIds('locks')) await fs.rm(path.join(repoDir, 'locks', id));
    await lock.refresh();
    expect(() => lock.assertValid()).toThrow(/another process removed its lock on the repository as abandoned/);
    await lock.release();
  });

  it('a backup whose lock is lost part-way fails without a recovery point; the repository checks clean', async () => {
    const src = await sourceTree();
    let jumped = false;
    const run = withLock(
      repo,
      'backup',
      false,
      () =>
        backup(repo, {
          paths: [src],
          onProgress: () => {
            if (!jumped) now += LOCK_VALID_MS + 60_000;
            jumped = true;
          },
        }),
      { clock },
    );
    await expect(run).rejects.toMatchObject({ code: 'locked' });
    expect(jumped).toBe(true);
    expect(await repo.listIds('snapshots')).toEqual([]);
    const fresh = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    try {
      const r = await withLock(fresh, 'check', false, () => check(fresh, { readData: { kind: 'all' } }));
      expect(r.errors).toEqual([]);
      const again = await withLock(fresh, 'backup', false, () => backup(fresh, { paths: [src] }));
      expect(again.snapshot.summary.totalFiles).toBe(3);
    } finally {
      await fresh.close();
    }
  });

  it('a prune whose lock is lost after its new index deletes nothing; the repository checks clean', async () => {
    const src = await sourceTree();
    const first = await withLock(repo, 'backup', false, () => backup(repo, { paths: [src] }));
    await fs.writeFile(path.join(src, 'f0.bin'), seededBytes('changed', 200 * 1024));
    await withLock(repo, 'backup', false, () => backup(repo, { paths: [src] }));
    await withLock(repo, 'forget', true, () => repo.removeSnapshot(first.snapshot.id));
    const packsBefore = await repo.listIds('data');
    const run = withLock(
      repo,
      'prune',
      true,
      () =>
        prune(repo, undefined, {
          repackThreshold: 1,
          onProgress: (p) => {
            if (p.phase === 'index' && p.done === 1) now += LOCK_VALID_MS + 60_000;
          },
        }),
      { clock },
    );
    await expect(run).rejects.toMatchObject({ code: 'locked' });
    expect((await repo.listIds('data')).filter((id) => packsBefore.includes(id)).sort()).toEqual(packsBefore.sort());
    const r = await withLock(repo, 'check', false, () => check(repo, { readData: { kind: 'all' } }));
    expect(r.errors).toEqual([]);
  });
});
