/**
 * The watcher journal: a small better-sqlite3 database (`journal.sqlite`, WAL) in the app data
 * folder, shared by the processes that watch folders (`cairn watch`, the app) and the ones that
 * back them up (`cairn backup`, the app). It is part of the catalog's cache: deleting it only
 * makes the next backup of each folder a full rescan.
 *
 * It holds, per watched root folder, the current watcher session (who watches it, since when it
 * is ready, its last heartbeat, and whether it lost events); the journal of paths that changed;
 * what the last backup of each folder saw (its recovery point and the journal position when it
 * started); and the file/byte/folder counts of stored trees, so that a backup that reuses a whole
 * subtree of its parent can still report exact totals.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { TreeStats } from '../../engine/backup/archiver.js';
import { CairnError, describeError } from '../../engine/errors.js';
import { withLockFile } from '../util/lock-file.js';
import {
  inSchemaTransaction,
  isDamagedDatabaseError,
  openSharedDatabase,
  retryWhileBusy,
  userVersion,
} from '../util/sqlite.js';

export const JOURNAL_FILE = 'journal.sqlite';
const SCHEMA_VERSION = 2;

/** How a journaled path changed: `entry` (a file, link or the folder's own listing) or `tree` (everything below it). */
export type ChangeKind = 'entry' | 'tree';

export interface JournalChange {
  seq: number;
  root: string;
  path: string;
  kind: ChangeKind;
  at: number;
}

export interface WatchSession {
  root: string;
  sessionId: string;
  pid: number;
  hostname: string;
  startedAt: number;
  /** When the initial scan finished; events before it may be missing. */
  readyAt: number | null;
  heartbeatAt: number;
  /** Set when the watcher lost events (error, overflow, sleep): the session's journal is incomplete. */
  lostAt: number | null;
  lostReason: string | null;
  endedAt: number | null;
  /**
   * When the session started, it marked every entry changed (by ctime/mtime) since this time;
   * so its journal also covers changes made before it was ready, back to this time.
   */
  caughtUpFrom: number | null;
  /** Every change that happened before this time is in the journal (answer to a flush request). */
  flushedAt: number | null;
}

export interface BackupMark {
  path: string;
  snapshotId: string;
  /** The watcher session that was ready (and complete) when that backup started, if any. */
  sessionId: string | null;
  /** Journal position when that backup started: later changes are not in its recovery point for sure. */
  seqAtStart: number;
  startedAt: number;
  /** When a full rescan of this path last completed (the start time of that backup). */
  fullScanAt: number | null;
  /** The backup options that decide what is stored (excludes); a journal backup needs the same. */
  optionsKey: string;
}

/** The counts the journal keeps per tree id for backups (the engine's type). */
export type { TreeStats };

export interface JournalOpenOptions {
  /** Told when a damaged journal was set aside and a new one started (the next backups rescan). */
  onWarning?: (message: string) => void;
}

/** How long an opener waits for another process that is setting a damaged journal aside. */
const REPAIR_WAIT_MS = 10_000;

export class JournalStore {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /**
   * Opens (creating) the journal of `dataDir`. Safe when several processes open it at once (see
   * src/app/util/sqlite.ts). A file that is not a SQLite database or is truncated is set aside
   * as `journal.sqlite.damaged` and a new journal started: it is a cache, and an empty journal
   * only makes the next backup of each folder a full rescan.
   */
  static open(dataDir: string, options: JournalOpenOptions = {}): JournalStore {
    const file = path.join(dataDir, JOURNAL_FILE);
    try {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw openError(file, err);
    }
    try {
      return JournalStore.openFile(file);
    } catch (err) {
      if (!isDamagedDatabaseError(err)) throw openError(file, err);
    }
    try {
      const setAside = withRepairLock(file, () => {
        // Again under the repair lock: another process may have set the file aside meanwhile.
        try {
          return { store: JournalStore.openFile(file), damage: undefined };
        } catch (err) {
          if (!isDamagedDatabaseError(err)) throw err;
          moveAside(file);
          return { store: JournalStore.openFile(file), damage: err };
        }
      });
      if (setAside.damage !== undefined) {
        options.onWarning?.(
          `the watcher journal ${file} was damaged (${describeError(setAside.damage)}); it was moved to ${file}${DAMAGED_SUFFIX} and a new journal started, so each folder's next backup is a full rescan`,
        );
      }
      return setAside.store;
    } catch (err) {
      throw openError(file, err);
    }
  }

  private static openFile(file: string): JournalStore {
    return retryWhileBusy(() => {
      const db = openSharedDatabase(file);
      try {
        db.pragma('synchronous = NORMAL');
        const store = new JournalStore(db, file);
        store.migrate();
        return store;
      } catch (err) {
        db.close();
        throw err;
      }
    });
  }

  private migrate(): void {
    // Without the write lock first: a journal at the current version (every open but the first)
    // needs nothing, and other processes are not held up.
    if (userVersion(this.db) === SCHEMA_VERSION) return;
    inSchemaTransaction(this.db, (version) => {
      if (version > SCHEMA_VERSION) {
        throw new CairnError(
          'unsupported-format',
          `the watcher journal ${this.file} was written by a newer Cairn (version ${version}); update Cairn or delete the file (the next backups rescan)`,
        );
      }
      if (version === SCHEMA_VERSION) return; // another process migrated it since the first look
      if (version === 1) {
        this.db.exec(`
          ALTER TABLE sessions ADD COLUMN flush_requested_at INTEGER;
          ALTER TABLE sessions ADD COLUMN flushed_at INTEGER;
        `);
      } else {
        this.db.exec(`
          CREATE TABLE sessions (
            root TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            pid INTEGER NOT NULL,
            hostname TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            ready_at INTEGER,
            heartbeat_at INTEGER NOT NULL,
            lost_at INTEGER,
            lost_reason TEXT,
            ended_at INTEGER,
            caught_up_from INTEGER,
            flush_requested_at INTEGER,
            flushed_at INTEGER
          );
          CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            root TEXT NOT NULL,
            path TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('entry', 'tree')),
            at INTEGER NOT NULL
          );
          CREATE INDEX changes_path ON changes (path);
          CREATE TABLE backups (
            path TEXT PRIMARY KEY,
            snapshot_id TEXT NOT NULL,
            session_id TEXT,
            seq_at_start INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            full_scan_at INTEGER,
            options_key TEXT NOT NULL
          );
          CREATE TABLE tree_stats (
            tree_id TEXT PRIMARY KEY,
            files INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            dirs INTEGER NOT NULL
          );
        `);
      }
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ------------------------------------------------------------------------------------------
  // Watcher sessions

  /** Starts a new session for `root` (replacing any earlier one); returns its id. */
  startSession(root: string, pid: number, hostname: string, now = Date.now()): string {
    const sessionId = randomUUID();
    this.db
      .prepare(
        `INSERT INTO sessions (root, session_id, pid, hostname, started_at, ready_at, heartbeat_at, lost_at, lost_reason, ended_at)
         VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, NULL, NULL)
         ON CONFLICT (root) DO UPDATE SET session_id = excluded.session_id, pid = excluded.pid,
           hostname = excluded.hostname, started_at = excluded.started_at, ready_at = NULL,
           heartbeat_at = excluded.heartbeat_at, lost_at = NULL, lost_reason = NULL, ended_at = NULL`,
      )
      .run(root, sessionId, pid, hostname, now, now);
    return sessionId;
  }

  /** The initial scan is done; `caughtUpFrom` is the time back to which it journaled changed entries. */
  markReady(sessionId: string, caughtUpFrom: number | null, now = Date.now()): void {
    this.db
      .prepare('UPDATE sessions SET ready_at = ?, heartbeat_at = ?, caught_up_from = ? WHERE session_id = ?')
      .run(now, now, caughtUpFrom, sessionId);
  }

  heartbeat(sessionId: string, now = Date.now()): void {
    this.db.prepare('UPDATE sessions SET heartbeat_at = ? WHERE session_id = ?').run(now, sessionId);
  }

  /** Records that the session missed events; its journal can no longer replace a rescan. */
  markLost(sessionId: string, reason: string, now = Date.now()): void {
    this.db
      .prepare('UPDATE sessions SET lost_at = ?, lost_reason = ? WHERE session_id = ? AND lost_at IS NULL')
      .run(now, reason, sessionId);
  }

  /** A backup asks the watchers of `roots` to confirm that changes made before `at` are journaled. */
  requestFlush(roots: string[], at: number): void {
    const update = this.db.prepare(
      'UPDATE sessions SET flush_requested_at = MAX(COALESCE(flush_requested_at, 0), ?) WHERE root = ?',
    );
    this.db.transaction(() => {
      for (const root of roots) update.run(at, root);
    })();
  }

  /** The latest flush request for the session, if any is newer than its last answer. */
  pendingFlushRequest(sessionId: string): number | undefined {
    const row = this.db
      .prepare('SELECT flush_requested_at AS r, flushed_at AS f FROM sessions WHERE session_id = ?')
      .get(sessionId) as { r: number | null; f: number | null } | undefined;
    if (!row?.r) return undefined;
    return row.f !== null && row.f >= row.r ? undefined : row.r;
  }

  /** The watcher's answer: every change before `through` is in the journal. */
  markFlushed(sessionId: string, through: number): void {
    this.db.prepare('UPDATE sessions SET flushed_at = ? WHERE session_id = ?').run(through, sessionId);
  }

  endSession(sessionId: string, now = Date.now()): void {
    this.db.prepare('UPDATE sessions SET ended_at = ? WHERE session_id = ?').run(now, sessionId);
  }

  /** The current session watching `root`, if any. */
  session(root: string): WatchSession | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE root = ?').get(root) as SessionRow | undefined;
    return row ? sessionFromRow(row) : undefined;
  }

  /** The earliest start of the last backups of `root` or folders inside it (undefined: none). */
  earliestBackupStartUnder(root: string): number | undefined {
    const row = this.db
      .prepare('SELECT MIN(started_at) AS t FROM backups WHERE path = ? OR substr(path, 1, ?) = ?')
      .get(root, withSep(root).length, withSep(root)) as { t: number | null };
    return row.t ?? undefined;
  }

  sessions(): WatchSession[] {
    return (this.db.prepare('SELECT * FROM sessions ORDER BY root').all() as SessionRow[]).map(sessionFromRow);
  }

  // ------------------------------------------------------------------------------------------
  // Changes

  /** Appends changed paths (one transaction). */
  recordChanges(root: string, changes: Array<{ path: string; kind: ChangeKind }>, now = Date.now()): void {
    if (changes.length === 0) return;
    const insert = this.db.prepare('INSERT INTO changes (root, path, kind, at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const c of changes) insert.run(root, c.path, c.kind, now);
    })();
  }

  /** The newest journal position (0 when empty). */
  lastSeq(): number {
    const row = this.db.prepare('SELECT MAX(seq) AS seq FROM changes').get() as { seq: number | null };
    return row.seq ?? 0;
  }

  /** Changes at or below `dir` recorded after position `afterSeq`. */
  changesUnder(dir: string, afterSeq: number): JournalChange[] {
    const rows = this.db
      .prepare(
        `SELECT seq, root, path, kind, at FROM changes
         WHERE seq > ? AND (path = ? OR substr(path, 1, ?) = ?) ORDER BY seq`,
      )
      .all(afterSeq, dir, withSep(dir).length, withSep(dir)) as JournalChange[];
    return rows;
  }

  /** Forgets changes up to position `upToSeq`, which every backup that could use them has seen. */
  dropChangesThrough(upToSeq: number): void {
    this.db.prepare('DELETE FROM changes WHERE seq <= ?').run(upToSeq);
  }

  /** The oldest journal position a recent backup mark (started after `since`) still needs. */
  oldestNeededSeq(since: number): number | undefined {
    const row = this.db.prepare('SELECT MIN(seq_at_start) AS s FROM backups WHERE started_at > ?').get(since) as {
      s: number | null;
    };
    return row.s ?? undefined;
  }

  /**
   * Forgets `p` (a local path) and everything below it, for an erasure: its journaled changes,
   * and the backup marks and watcher sessions of folders at or below it. Then the file is
   * rebuilt (VACUUM: deleting alone leaves old bytes in free space and in pages a split left
   * behind) and the write-ahead log checkpointed and truncated, so the name survives in no page
   * or log frame. Returns the rows deleted and whether the log could be truncated (another
   * process reading the journal at that moment keeps it until the next truncating checkpoint).
   */
  purgePath(p: string): { rows: number; logTruncated: boolean } {
    const below = withSep(p);
    const match = (column: string) => `(${column} = ? OR substr(${column}, 1, ?) = ?)`;
    const args = [p, below.length, below] as const;
    const rows = this.db.transaction(
      () =>
        this.db.prepare(`DELETE FROM changes WHERE ${match('path')}`).run(...args).changes +
        this.db.prepare(`DELETE FROM backups WHERE ${match('path')}`).run(...args).changes +
        this.db.prepare(`DELETE FROM sessions WHERE ${match('root')}`).run(...args).changes,
    )();
    // Always: rows deleted earlier (old changes dropped after backups) may have left the name too.
    this.db.exec('VACUUM');
    const [checkpoint] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return { rows, logTruncated: checkpoint?.busy === 0 };
  }

  // ------------------------------------------------------------------------------------------
  // Backup marks

  backupMark(p: string): BackupMark | undefined {
    const row = this.db.prepare('SELECT * FROM backups WHERE path = ?').get(p) as BackupRow | undefined;
    return row ? backupFromRow(row) : undefined;
  }

  setBackupMark(mark: BackupMark): void {
    this.db
      .prepare(
        `INSERT INTO backups (path, snapshot_id, session_id, seq_at_start, started_at, full_scan_at, options_key)
         VALUES (@path, @snapshotId, @sessionId, @seqAtStart, @startedAt, @fullScanAt, @optionsKey)
         ON CONFLICT (path) DO UPDATE SET snapshot_id = excluded.snapshot_id, session_id = excluded.session_id,
           seq_at_start = excluded.seq_at_start, started_at = excluded.started_at, full_scan_at = excluded.full_scan_at,
           options_key = excluded.options_key`,
      )
      .run(mark);
  }

  // ------------------------------------------------------------------------------------------
  // Tree stats

  /**
   * The counts of a stored tree, when known. A journal that cannot be read (damaged pages) gives
   * none: the backup then counts the tree by reading it, so a damaged cache never fails a backup.
   */
  treeStats(treeId: string): TreeStats | undefined {
    try {
      return this.db.prepare('SELECT files, bytes, dirs FROM tree_stats WHERE tree_id = ?').get(treeId) as
        | TreeStats
        | undefined;
    } catch {
      return undefined;
    }
  }

  putTreeStats(entries: Iterable<[string, TreeStats]>): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO tree_stats (tree_id, files, bytes, dirs) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const [id, s] of entries) insert.run(id, s.files, s.bytes, s.dirs);
    })();
  }
}

/** Where a damaged journal is moved (with its -wal and -shm files). */
const DAMAGED_SUFFIX = '.damaged';

function openError(file: string, err: unknown): CairnError {
  if (err instanceof CairnError) return err; // its message names the file already
  return new CairnError('io', `cannot open the watcher journal ${file}: ${describeError(err)}`, { cause: err });
}

/** Runs `fn` as the one process setting a damaged journal aside (`journal.sqlite.repair`). */
function withRepairLock<T>(file: string, fn: () => T): T {
  return withLockFile(
    `${file}.repair`,
    {
      waitMs: REPAIR_WAIT_MS,
      staleMs: REPAIR_WAIT_MS,
      busy: () =>
        new CairnError('locked', `another Cairn process is setting the damaged watcher journal ${file} aside`),
    },
    fn,
  );
}

/**
 * Moves the damaged journal and its -wal and -shm files to `journal.sqlite.damaged*` (replacing an
 * earlier damaged copy). The -wal goes first: a new journal must not start next to the damaged
 * one's write-ahead log.
 */
function moveAside(file: string): void {
  for (const suffix of ['-wal', '-shm', '']) {
    try {
      fs.renameSync(file + suffix, `${file}${DAMAGED_SUFFIX}${suffix}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** `dir` with a trailing separator, so `/a/b` does not match `/a/bc`. */
function withSep(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

interface SessionRow {
  root: string;
  session_id: string;
  pid: number;
  hostname: string;
  started_at: number;
  ready_at: number | null;
  heartbeat_at: number;
  lost_at: number | null;
  lost_reason: string | null;
  ended_at: number | null;
  caught_up_from: number | null;
  flushed_at: number | null;
}

function sessionFromRow(r: SessionRow): WatchSession {
  return {
    root: r.root,
    sessionId: r.session_id,
    pid: r.pid,
    hostname: r.hostname,
    startedAt: r.started_at,
    readyAt: r.ready_at,
    heartbeatAt: r.heartbeat_at,
    lostAt: r.lost_at,
    lostReason: r.lost_reason,
    endedAt: r.ended_at,
    caughtUpFrom: r.caught_up_from,
    flushedAt: r.flushed_at,
  };
}

interface BackupRow {
  path: string;
  snapshot_id: string;
  session_id: string | null;
  seq_at_start: number;
  started_at: number;
  full_scan_at: number | null;
  options_key: string;
}

function backupFromRow(r: BackupRow): BackupMark {
  return {
    path: r.path,
    snapshotId: r.snapshot_id,
    sessionId: r.session_id,
    seqAtStart: r.seq_at_start,
    startedAt: r.started_at,
    fullScanAt: r.full_scan_at,
    optionsKey: r.options_key,
  };
}
