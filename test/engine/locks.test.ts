/**
 * Repository locks on a real folder: exclusive locks exclude everything, shared locks coexist,
 * stale locks (old refresh time, or a dead process on this host) are ignored, and releasing
 * removes the lock file.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { randomId } from '../../src/engine/crypto/ids.js';
import { CairnError } from '../../src/engine/errors.js';
import { encodeDocument } from '../../src/engine/format/sealed-json.js';
import {
  isStale,
  LOCK_STALE_MS,
  type LockInfo,
  listLocks,
  RepositoryLock,
  withLock,
} from '../../src/engine/repo/lock.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, PASSWORD, removeDir } from './helpers.js';

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
});
