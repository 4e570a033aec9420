/**
 * Repository locks (`locks/<random id>`, sealed document, purpose "lock").
 *
 * Protocol (docs/repository-format.md, "Locks"): an operation writes its lock, then lists the
 * other locks; if any conflicts (an exclusive one, or any lock when ours is exclusive) and is not
 * stale, it removes its own lock and fails. Backups, restores and checks take shared locks;
 * prune, erasure and key removal take exclusive ones. Holders refresh their lock every
 * 5 minutes; a lock not refreshed for 30 minutes, or one from this host whose process is gone,
 * is stale and ignored (and removed by the next exclusive operation).
 */
import os from 'node:os';
import { isNotFound } from '../backend/types.js';
import { randomId } from '../crypto/ids.js';
import { CairnError, IntegrityError } from '../errors.js';
import { decodeDocument, encodeDocument } from '../format/sealed-json.js';
import type { Repository } from './repository.js';

export interface LockInfo {
  time: string;
  refreshed: string;
  hostname: string;
  pid: number;
  exclusive: boolean;
  operation: string;
}

export const LOCK_REFRESH_MS = 5 * 60 * 1000;
export const LOCK_STALE_MS = 30 * 60 * 1000;

export class RepositoryLock {
  private timer?: NodeJS.Timeout;
  private released = false;

  private constructor(
    private readonly repo: Repository,
    private id: string,
    private info: LockInfo,
  ) {}

  static async acquire(repo: Repository, operation: string, exclusive: boolean): Promise<RepositoryLock> {
    const now = new Date().toISOString();
    const info: LockInfo = {
      time: now,
      refreshed: now,
      hostname: os.hostname(),
      pid: process.pid,
      exclusive,
      operation,
    };
    const id = randomId();
    await repo.backend.save({ kind: 'locks', id }, encodeDocument(repo.keys.dataKey, info, 'lock'));
    const lock = new RepositoryLock(repo, id, info);
    try {
      const others = await listLocks(repo);
      for (const other of others) {
        if (other.id === id) continue;
        if (isStale(other.info)) {
          if (exclusive) await repo.backend.remove({ kind: 'locks', id: other.id });
          continue;
        }
        if (exclusive || other.info.exclusive) {
          throw new CairnError(
            'locked',
            `the repository is in use: ${other.info.operation} by process ${other.info.pid} on ${other.info.hostname} since ${other.info.time} holds ${other.info.exclusive ? 'an exclusive' : 'a'} lock`,
          );
        }
      }
    } catch (err) {
      await lock.release();
      throw err;
    }
    lock.timer = setInterval(() => void lock.refresh().catch(() => undefined), LOCK_REFRESH_MS);
    lock.timer.unref();
    return lock;
  }

  async refresh(): Promise<void> {
    if (this.released) return;
    const info = { ...this.info, refreshed: new Date().toISOString() };
    const id = randomId();
    await this.repo.backend.save({ kind: 'locks', id }, encodeDocument(this.repo.keys.dataKey, info, 'lock'));
    const old = this.id;
    this.id = id;
    this.info = info;
    await this.repo.backend.remove({ kind: 'locks', id: old });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    await this.repo.backend.remove({ kind: 'locks', id: this.id });
  }
}

export async function listLocks(repo: Repository): Promise<{ id: string; info: LockInfo }[]> {
  const out: { id: string; info: LockInfo }[] = [];
  for (const id of await repo.listIds('locks')) {
    try {
      const stored = await repo.backend.load({ kind: 'locks', id });
      out.push({ id, info: decodeDocument<LockInfo>(repo.keys.dataKey, stored, 'lock', `lock ${id.slice(0, 8)}`) });
    } catch (err) {
      if (isNotFound(err)) continue; // removed while we listed: not a conflict
      if (!(err instanceof IntegrityError)) throw err;
      // A lock that cannot be read holds nobody: treat it as stale, so it never blocks the
      // repository (an exclusive operation removes it).
      out.push({
        id,
        info: {
          time: '',
          refreshed: new Date(0).toISOString(),
          hostname: '',
          pid: 0,
          exclusive: false,
          operation: 'damaged lock',
        },
      });
    }
  }
  return out;
}

export function isStale(info: LockInfo, now = Date.now()): boolean {
  if (now - Date.parse(info.refreshed) > LOCK_STALE_MS) return true;
  if (info.hostname === os.hostname() && info.pid !== process.pid) {
    try {
      process.kill(info.pid, 0);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return false;
}

/** Runs `fn` under a lock, releasing it however `fn` ends. */
export async function withLock<T>(
  repo: Repository,
  operation: string,
  exclusive: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await RepositoryLock.acquire(repo, operation, exclusive);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
