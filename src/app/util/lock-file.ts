/**
 * Lock files that several processes race for: the app data folder's owner lock, the privacy
 * records' locks and the watcher journal's repair lock.
 *
 * Two races make a plain "create with O_EXCL, delete when stale" lock let two processes in:
 * - A lock file created with O_EXCL is empty until its holder writes the record: a process reading
 *   it in between sees no holder, deems it stale and deletes a live lock. So a lock file is written
 *   in full under a private name first and then linked to its real name, which fails if it exists:
 *   a lock file is never seen half-written.
 * - Several processes that find the same stale lock all delete "it": the second deletes the lock
 *   the first has just created. So a stale lock is removed only under a second lock file,
 *   `<lock>.takeover`, held for the re-check and the removal alone; whoever does not get it waits
 *   and retries from the start.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

/** A takeover lock is held for a read and an unlink; one this old was left by a process that crashed meanwhile. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Creates `file` holding `content` if no such file exists; returns false when it does. The
 * content is written under a private name and hard-linked into place, so no process ever reads
 * the lock file empty.
 */
export function tryCreateLockFile(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { flag: 'wx', mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links (FAT, some network shares): an exclusive create instead,
    // which leaves the short window in which the file is empty (readers treat that as busy).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') {
      try {
        fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
    }
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The lock file's text, or undefined when it does not exist. */
export function readLockFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Removes `file` if `isStale(text, mtimeMs)` holds for it, checked and removed under the
 * takeover lock so that no other process removes a lock created meanwhile. Returns true when
 * `file` is gone (removed, or already missing): the caller may try to create it again. Returns
 * false when it is live, or when another process is taking it over right now: wait and retry.
 */
export function removeStaleLockFile(file: string, isStale: (text: string, mtimeMs: number) => boolean): boolean {
  // A first look without the takeover lock: a live lock (the common case for a waiter) costs no more.
  const first = staleness(file, isStale);
  if (first !== 'stale') return first === 'gone';
  const guard = `${file}.takeover`;
  const record = JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() });
  if (!tryCreateLockFile(guard, record)) {
    // Left by a process that crashed between taking and releasing it. Two processes removing the
    // same abandoned takeover lock at once can still race; that needs a crash in that instant first.
    if (takeoverAbandoned(guard)) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    // Again under the takeover lock: the lock may have been removed and created anew since the
    // first look, and only a takeover-lock holder removes a lock that is not its own.
    const now = staleness(file, isStale);
    if (now === 'stale') fs.rmSync(file, { force: true });
    return now !== 'live';
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function staleness(file: string, isStale: (text: string, mtimeMs: number) => boolean): 'gone' | 'stale' | 'live' {
  // The time and the text from one open file, so that both describe the same lock.
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const { mtimeMs } = fs.fstatSync(fd);
    return isStale(fs.readFileSync(fd, 'utf8'), mtimeMs) ? 'stale' : 'live';
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes `file` only if it still holds `content`: a lock taken over from this process is not removed. */
export function removeOwnLockFile(file: string, content: string): void {
  if (readLockFile(file) === content) fs.rmSync(file, { force: true });
}

/** A takeover lock whose process is gone (same host) or that is older than a takeover can take. */
function takeoverAbandoned(guard: string): boolean {
  try {
    const stat = fs.statSync(guard);
    const holder = JSON.parse(fs.readFileSync(guard, 'utf8')) as { pid?: unknown; host?: unknown };
    if (holder.host === os.hostname() && typeof holder.pid === 'number' && !processAlive(holder.pid)) return true;
    return Date.now() - stat.mtimeMs > TAKEOVER_STALE_MS;
  } catch {
    return false; // gone (released) or unreadable just now: retry
  }
}

/** Whether a process of this host is running (EPERM: it is, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Blocks the thread for `ms` (the lock waits are in synchronous code paths). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface LockFileOptions {
  /** How long to wait for another holder before giving up with `busy()`. */
  waitMs: number;
  /** A lock this old is stale even if its process cannot be checked (another host's). */
  staleMs: number;
  /** The error thrown when the lock stays held past `waitMs`. */
  busy: () => Error;
}

/**
 * Runs `fn` while holding the lock file `file` (pid, host, time), for locks held for moments: a
 * waiter polls. A lock whose process is gone (same host), or older than `staleMs`, is taken over.
 */
export function withLockFile<T>(file: string, options: LockFileOptions, fn: () => T): T {
  const deadline = Date.now() + options.waitMs;
  const body = JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() });
  const isStale = (text: string, mtimeMs: number): boolean => {
    try {
      const holder = JSON.parse(text) as { pid?: unknown; host?: unknown };
      if (holder.host === os.hostname() && typeof holder.pid === 'number' && !processAlive(holder.pid)) return true;
    } catch {
      // written by a file system without hard links and not filled in yet: judged by age below
    }
    return Date.now() - mtimeMs > options.staleMs;
  };
  for (let attempt = 0; !tryCreateLockFile(file, body); attempt++) {
    if (removeStaleLockFile(file, isStale)) continue;
    if (Date.now() > deadline) throw options.busy();
    sleepSync(Math.min(50, 2 + attempt * 2));
  }
  try {
    return fn();
  } finally {
    // Only our own lock: one held past `staleMs` may have been taken over, and is no longer ours.
    removeOwnLockFile(file, body);
  }
}
