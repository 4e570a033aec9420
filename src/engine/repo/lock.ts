/**
 * Repository locks (`locks/<random id>`, sealed document, purpose "lock").
 *
 * Protocol (docs/repository-format.md, "Locks"): an operation writes its lock, then lists the
 * other locks; if any conflicts (an exclusive one, or any lock when ours is exclusive) and is not
 * stale, it removes its own lock and fails. Backups, restores and checks take shared locks;
 * prune, erasure and key changes take exclusive ones. Holders refresh their lock every
 * 5 minutes; a lock not refreshed for 30 minutes, or one from this host whose process is gone,
 * is stale and ignored (and removed by the next exclusive operation).
 *
 * A lock can be lost without its holder noticing: the computer slept past the stale limit, the
 * storage did not answer the refreshes, or another process removed it as stale. Then another
 * process may already have pruned what this operation relies on. So a held lock is *valid* only
 * while its last successful refresh is recent (`LOCK_VALID_MS`, well inside the stale limit) and
 * its file was still there at that refresh; the repository asks every lock it holds before it
 * commits anything (index files, snapshots, removals, key slots) and the operation stops with
 * the reason when one is no longer valid.
 */
import os from 'node:os';
import { BackendError, isNotFound } from '../backend/types.js';
import { randomId } from '../crypto/ids.js';
import { CairnError, IntegrityError } from '../errors.js';
import { type LockInfo, parseLockInfo } from '../format/lock-info.js';
import { decodeDocument, encodeDocument } from '../format/sealed-json.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Repository } from './repository.js';

export type { LockInfo } from '../format/lock-info.js';

export const LOCK_REFRESH_MS = 5 * 60 * 1000;
export const LOCK_STALE_MS = 30 * 60 * 1000;
/**
 * How long after its last successful refresh a held lock still counts as ours: two missed
 * refreshes, leaving ten minutes before others may call it stale (for clocks that disagree).
 */
export const LOCK_VALID_MS = LOCK_STALE_MS - 4 * LOCK_REFRESH_MS;
/** After a failed refresh, the next attempt comes this soon instead of a full interval later. */
const RETRY_MS = 30 * 1000;
/** Listing retries when a lock vanishes while it is read (a refresh replacing it). */
const LIST_ATTEMPTS = 5;
/** A lock whose removal failed is tried again this often, this many times, in the background. */
const REMOVE_RETRY_MS = 10 * 1000;
const REMOVE_RETRIES = 6;

/**
 * The ids of the locks this process holds now, over every open repository. A lock file with this
 * process's pid whose id is not here was left behind (its save was reported failed although it
 * was stored, or its removal failed): it holds nobody and must not block this process.
 */
const heldByThisProcess = new Set<string>();

export interface LockOptions {
  /** The clock the lock reads (default: the system's); other processes compare our times with theirs. */
  clock?: Clock;
}

export class RepositoryLock {
  private timer?: NodeJS.Timeout;
  private released = false;
  private lostReason?: string;
  private lastRefreshed: number;
  private refreshing?: Promise<void>;

  private constructor(
    private readonly repo: Repository,
    private id: string,
    private info: LockInfo,
    private readonly clock: Clock,
  ) {
    this.lastRefreshed = Date.parse(info.refreshed);
  }

  static async acquire(
    repo: Repository,
    operation: string,
    exclusive: boolean,
    options: LockOptions = {},
  ): Promise<RepositoryLock> {
    const clock = options.clock ?? systemClock;
    const now = new Date(clock()).toISOString();
    const info: LockInfo = {
      time: now,
      refreshed: now,
      hostname: os.hostname(),
      pid: process.pid,
      exclusive,
      operation,
    };
    const id = randomId();
    try {
      await repo.backend.save({ kind: 'locks', id }, encodeDocument(repo.keys.dataKey, info, 'lock'));
    } catch (err) {
      // The save may have been stored although it was reported failed: leave no lock behind.
      await repo.backend.remove({ kind: 'locks', id }).catch(() => undefined);
      throw err;
    }
    heldByThisProcess.add(id);
    const lock = new RepositoryLock(repo, id, info, clock);
    try {
      const others = await listLocks(repo);
      for (const other of others) {
        if (other.id === id) continue;
        if (isStale(other.info, clock(), other.id)) {
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
    lock.schedule(LOCK_REFRESH_MS);
    repo.holdLock(lock);
    return lock;
  }

  get operation(): string {
    return this.info.operation;
  }

  /**
   * Throws when this lock can no longer be relied on (see the module comment); the operation
   * must then stop before it writes or removes anything more.
   */
  assertValid(): void {
    if (this.released) {
      throw new CairnError('locked', `the ${this.info.operation} lock was already released`);
    }
    const age = this.clock() - this.lastRefreshed;
    if (!this.lostReason && age > LOCK_VALID_MS) {
      this.lostReason = `its lock on the repository was last renewed ${Math.round(age / 60000)} minutes ago (the computer slept or the storage did not answer), so another process may have taken it over`;
    }
    if (this.lostReason) {
      throw new CairnError('locked', `${this.info.operation} stopped before saving anything more: ${this.lostReason}`);
    }
  }

  /** Writes a fresh copy of the lock, then removes the previous one. */
  async refresh(): Promise<void> {
    if (this.released || this.lostReason) return;
    // One refresh at a time: the timer and a caller may both ask.
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    try {
      this.assertValid();
    } catch {
      return; // too late: stays lost
    }
    // Our lock file must still be there: an exclusive operation that took it for stale has
    // removed it and may since have removed data this operation relies on.
    try {
      await this.repo.backend.stat({ kind: 'locks', id: this.id });
    } catch (err) {
      if (isNotFound(err)) {
        this.lostReason = 'another process removed its lock on the repository as abandoned';
        return;
      }
      throw err;
    }
    const now = this.clock();
    const info = { ...this.info, refreshed: new Date(now).toISOString() };
    const id = randomId();
    heldByThisProcess.add(id);
    try {
      await this.repo.backend.save({ kind: 'locks', id }, encodeDocument(this.repo.keys.dataKey, info, 'lock'));
    } catch (err) {
      heldByThisProcess.delete(id);
      await this.repo.backend.remove({ kind: 'locks', id }).catch(() => undefined);
      throw err;
    }
    const old = this.id;
    this.id = id;
    this.info = info;
    this.lastRefreshed = now;
    heldByThisProcess.delete(old);
    await removeLockFile(this.repo, old);
  }

  private schedule(delay: number): void {
    if (this.released) return;
    this.timer = setTimeout(() => {
      this.refresh().then(
        () => this.schedule(LOCK_REFRESH_MS),
        () => this.schedule(RETRY_MS),
      );
    }, delay);
    this.timer.unref();
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    this.repo.dropLock(this);
    await this.refreshing?.catch(() => undefined);
    heldByThisProcess.delete(this.id);
    await removeLockFile(this.repo, this.id);
  }
}

/**
 * Removes a lock file of ours; when that fails (the storage did not answer), tries again in the
 * background a few times, so that other processes are not kept out until it goes stale.
 */
async function removeLockFile(repo: Repository, id: string): Promise<void> {
  const remove = () => repo.backend.remove({ kind: 'locks', id });
  try {
    // Once more at once: most failures of a remote storage are one request that did not answer.
    await remove().catch(remove);
  } catch (err) {
    let left = REMOVE_RETRIES;
    const retry = () => {
      const timer = setTimeout(() => {
        remove().catch(() => {
          if (--left > 0) retry();
        });
      }, REMOVE_RETRY_MS);
      timer.unref();
    };
    retry();
    throw err;
  }
}

/**
 * Every lock in the repository. A lock removed between listing and reading is usually a
 * refresh replacing it under a new name, so the listing is taken again: a reader never sees
 * "no lock" while its holder refreshes.
 */
export async function listLocks(repo: Repository): Promise<{ id: string; info: LockInfo }[]> {
  for (let attempt = 1; ; attempt++) {
    const out: { id: string; info: LockInfo }[] = [];
    let vanished = false;
    for (const id of await repo.listIds('locks')) {
      try {
        const stored = await repo.backend.load({ kind: 'locks', id });
        const what = `lock ${id.slice(0, 8)}`;
        out.push({ id, info: parseLockInfo(decodeDocument<unknown>(repo.keys.dataKey, stored, 'lock', what), what) });
      } catch (err) {
        if (isNotFound(err)) {
          vanished = true;
          continue;
        }
        // Not a regular file (a FIFO, a symlink…), or too large: no lock either.
        const odd = err instanceof BackendError && err.code === 'invalid-object';
        if (!(err instanceof IntegrityError) && !odd) throw err;
        // A lock that cannot be read holds nobody: treat it as stale, so it never blocks the
        // repository (an exclusive operation removes it). A transient I/O error is different:
        // it must not let an exclusive operation ignore a live lock.
        out.push({ id, info: damagedLockInfo() });
      }
    }
    if (!vanished || attempt >= LIST_ATTEMPTS) return out;
  }
}

function damagedLockInfo(): LockInfo {
  return {
    time: '',
    refreshed: new Date(0).toISOString(),
    hostname: '',
    pid: 0,
    exclusive: false,
    operation: 'damaged lock',
  };
}

/**
 * Whether a lock holds nobody: not renewed for longer than the stale limit, or written on this
 * host by a process that is gone, or by this very process but not held by it now (left behind;
 * pass the lock's `id` for that test).
 */
export function isStale(info: LockInfo, now = systemClock(), id?: string): boolean {
  const refreshed = Date.parse(info.refreshed);
  if (!Number.isFinite(refreshed) || now - refreshed > LOCK_STALE_MS) return true;
  if (info.hostname !== os.hostname()) return false;
  if (info.pid === process.pid) return id !== undefined && !heldByThisProcess.has(id);
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return false;
}

/**
 * Runs `fn` under a lock, releasing it however `fn` ends. After taking the lock the repository
 * brings its view up to date (index files, config, the key slot in use): what another process
 * changed before now is seen, and nothing can change under a valid lock afterwards except by
 * other shared holders adding data.
 */
export async function withLock<T>(
  repo: Repository,
  operation: string,
  exclusive: boolean,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lock = await RepositoryLock.acquire(repo, operation, exclusive, options);
  try {
    await repo.refresh();
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}
