/**
 * Opening a SQLite database that several Cairn processes may open at the same moment: the watcher
 * journal, which every `cairn backup`, `cairn watch` and the app open. The catalog, owned by one
 * process per app data folder (owner-lock.ts) and opened beside it by `cairn pause` as a guest, is
 * opened the same way.
 *
 * - The busy timeout is set by the constructor, so it already covers the first statements: the
 *   switch to WAL and the schema migration each need a lock another opener may hold just then.
 * - WAL is asked for only when the file is not in WAL mode yet: the switch needs an exclusive
 *   lock, which every later opener would otherwise contend for on every start.
 * - `inSchemaTransaction` runs a migration under `BEGIN IMMEDIATE` (the write lock, taken before
 *   anything is read) and hands it `user_version` as read inside that transaction, so of several
 *   processes opening a new file only the first creates the tables and the others see them made.
 * - `retryWhileBusy` repeats a whole open when SQLite answers SQLITE_BUSY without waiting: a
 *   connection's first use of a WAL database can fail at once, busy timeout or not, while another
 *   process is still setting the database up (its WAL and shared-memory index). Measured here: 1
 *   of 1,200 processes opening new journals eight at a time failed so, in its switch to WAL,
 *   within 2 ms; with the retry, none of 1,200.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { sleepSync } from './lock-file.js';

/**
 * How long a statement waits for another process's lock before failing with SQLITE_BUSY. Cairn's
 * write transactions last milliseconds; this only has to outlast a burst of processes starting
 * together on a slow disk.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Opens (creating, owner-only) `file` in WAL mode with the busy timeout. */
export function openSharedDatabase(file: string): Database.Database {
  // Created owner-only before SQLite sees it: SQLite gives the -wal and -shm files the permissions
  // of the database file, and these databases hold the paths of the user's files. Without O_EXCL,
  // so concurrent openers all succeed; an empty file is a valid empty database to SQLite.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    // Reading the mode also reads the file's header: a file that is not a database (or is
    // truncated) fails here, at open, rather than at the first query.
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The schema version (`PRAGMA user_version`). */
export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs `fn` in a `BEGIN IMMEDIATE` transaction, passing it the schema version read inside it: no
 * other connection can change the schema between that read and `fn`'s changes, so `fn` never
 * repeats a step another process has just made ("table … already exists").
 */
export function inSchemaTransaction<T>(db: Database.Database, fn: (version: number) => T): T {
  return db.transaction(() => fn(userVersion(db))).immediate();
}

/** Whether `err` says the file is not a SQLite database or is damaged (as opposed to busy or unreadable). */
export function isDamagedDatabaseError(err: unknown): boolean {
  if (!(err instanceof Database.SqliteError)) return false;
  return err.code === 'SQLITE_NOTADB' || err.code.startsWith('SQLITE_CORRUPT');
}

/** Whether `err` is SQLITE_BUSY (or one of its extended codes): another connection holds a lock. */
export function isBusyDatabaseError(err: unknown): boolean {
  return err instanceof Database.SqliteError && (err.code === 'SQLITE_BUSY' || err.code.startsWith('SQLITE_BUSY_'));
}

/**
 * Runs `open` (which must close what it opened when it fails) again while it fails with
 * SQLITE_BUSY, for up to the busy timeout; any other error, or SQLITE_BUSY after that, is thrown.
 */
export function retryWhileBusy<T>(open: () => T): T {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return open();
    } catch (err) {
      if (!isBusyDatabaseError(err) || Date.now() > deadline) throw err;
      sleepSync(Math.min(50, 1 + attempt * 5));
    }
  }
}
