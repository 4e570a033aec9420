/**
 * Decides whether a backup may trust the watcher journal instead of rescanning, and records what
 * the backup saw so the next one can decide in turn.
 *
 * A backup of folder A uses the journal only when all of these hold:
 * - the parent recovery point is the one the last backup of A made (with the same excludes);
 * - a watcher session covering A is running now (live heartbeat, process alive), has not lost
 *   events, and has covered A continuously since that last backup started: either it was already
 *   ready then, or when it started it journaled every entry changed since then (by ctime/mtime);
 * - a full rescan of A happened within the last week (the safety net);
 * - the watcher confirmed that every change made before the backup started is journaled (the
 *   backup asks with `prepare()` and waits up to 2 s for the answer);
 * - `--rescan` was not asked for.
 * Otherwise it rescans, comparing each file's size/mtime/ctime/inode with the parent.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../../engine/errors.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import { isWithin } from '../../engine/util/paths.js';
import { ChangeSet } from './change-set.js';
import type { JournalStore, WatchSession } from './journal-store.js';

export const FULL_RESCAN_EVERY_MS = 7 * 24 * 3600 * 1000;
/** A session whose heartbeat is older than this is not running (the watcher beats every 10 s). */
export const HEARTBEAT_STALE_MS = 45_000;

export interface JournalBackupOptions {
  /** Ignore the journal and rescan (the result is still recorded for the next backup). */
  rescan?: boolean;
  excludes?: string[];
  now?: () => number;
  /** Whether a process is alive (tests replace it). */
  isAlive?: (pid: number) => boolean;
}

export class JournalBackup {
  private readonly paths: string[];
  private readonly optionsKey: string;
  private readonly now: () => number;
  private startedAt = 0;
  private seqAtStart = 0;
  private readonly sessionAtStart = new Map<string, string | null>();
  private used = false;
  /** The plan could not read the journal. */
  private unreadable = false;
  /** When `prepare` asked the watchers to confirm their journal (undefined: not asked). */
  private flushRequestedAt?: number;
  /** Why the last plan rescanned (or that it used the journal). */
  reason = 'not planned yet';

  constructor(
    private readonly store: JournalStore,
    paths: string[],
    private readonly options: JournalBackupOptions = {},
  ) {
    this.paths = [...new Set(paths.map((p) => path.resolve(p)))];
    this.optionsKey = backupOptionsKey(options.excludes ?? []);
    this.now = options.now ?? Date.now;
  }

  get usedJournal(): boolean {
    return this.used;
  }

  /** The plan could not read the journal (damaged): `reason` says so. */
  get journalUnreadable(): boolean {
    return this.unreadable;
  }

  /**
   * Asks the running watchers of these folders to confirm that every change made until now is in
   * the journal, and waits for the answer (at most `timeoutMs`; without it the backup rescans).
   * Call it before the backup, as early as possible: a watcher answers within a fraction of a
   * second, which the backup spends opening the repository anyway.
   */
  async prepare(timeoutMs = 2000): Promise<void> {
    if (this.options.rescan) return;
    const requestedAt = this.now();
    this.flushRequestedAt = requestedAt;
    const sessions = this.paths.map((p) => this.liveSession(p)).filter((s) => s !== undefined);
    if (sessions.length < this.paths.length) return; // the plan will rescan anyway
    this.store.requestFlush([...new Set(sessions.map((s) => s.root))], requestedAt);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answered = this.paths.every((p) => (this.liveSession(p)?.flushedAt ?? 0) >= requestedAt);
      if (answered || Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Called with the parent recovery point; returns the change set, or undefined to rescan. */
  plan(parent: SnapshotRecord | undefined): ChangeSet | undefined {
    this.startedAt = this.now();
    this.used = false;
    try {
      this.seqAtStart = this.store.lastSeq();
      for (const p of this.paths) this.sessionAtStart.set(p, this.liveSession(p)?.sessionId ?? null);
      const refusal = this.refusal(parent);
      if (refusal) {
        this.reason = refusal;
        return undefined;
      }
      const changes = this.paths.flatMap((p) =>
        this.store.changesUnder(p, this.store.backupMark(p)?.seqAtStart ?? Number.MAX_SAFE_INTEGER),
      );
      this.reason = `the watcher journal lists ${changes.length} change(s)`;
      this.used = true;
      return new ChangeSet(changes);
    } catch (err) {
      // The journal is a cache: one that cannot be read (damaged pages) means a rescan, never a
      // failed backup. Nothing is recorded afterwards either (see commit).
      this.unreadable = true;
      this.reason = `the watcher journal cannot be read (${describeError(err)}); delete ${this.store.file} to start a new one`;
      return undefined;
    }
  }

  private refusal(parent: SnapshotRecord | undefined): string | undefined {
    if (this.options.rescan) return 'a rescan was asked for';
    if (!parent) return 'there is no earlier recovery point of these folders';
    for (const p of this.paths) {
      const mark = this.store.backupMark(p);
      if (!mark || mark.snapshotId !== parent.id) return `the last backup of ${p} on this computer is not the parent`;
      if (mark.optionsKey !== this.optionsKey) return `the exclude rules of ${p} changed`;
      if (mark.fullScanAt === null || this.startedAt - mark.fullScanAt >= FULL_RESCAN_EVERY_MS)
        return `${p} was not fully rescanned in the last 7 days`;
      const session = this.liveSession(p);
      if (!session) return `no watcher is running for ${p}`;
      const continuous =
        mark.sessionId === session.sessionId ||
        (session.caughtUpFrom !== null && session.caughtUpFrom <= mark.startedAt);
      if (!continuous) return `the watcher of ${p} did not cover the time since the last backup`;
      if (this.flushRequestedAt !== undefined && (session.flushedAt ?? 0) < this.flushRequestedAt)
        return `the watcher of ${p} did not confirm in time that it had journaled the latest changes`;
    }
    return undefined;
  }

  /** The ready, complete, running watcher session covering `p`, if any. */
  private liveSession(p: string): WatchSession | undefined {
    const now = this.now();
    const alive = this.options.isAlive ?? processAlive;
    for (const session of this.store.sessions()) {
      if (!isWithin(session.root, p)) continue;
      if (session.readyAt === null || session.lostAt !== null || session.endedAt !== null) continue;
      if (now - session.heartbeatAt > HEARTBEAT_STALE_MS) continue;
      if (session.hostname === os.hostname() && !alive(session.pid)) continue;
      return session;
    }
    return undefined;
  }

  /**
   * Records the recovery point the backup made; drops journal entries no backup needs any more.
   * A partial recovery point (some entries could not be read) makes the next backup rescan, so
   * the skipped entries are tried again.
   */
  commit(snapshot: { id: string; partial: boolean }): void {
    // What the plan saw is unknown when the journal could not be read: without a mark, the next
    // backup of these folders rescans.
    if (this.unreadable) return;
    const snapshotId = snapshot.id;
    for (const p of this.paths) {
      const previous = this.store.backupMark(p);
      this.store.setBackupMark({
        path: p,
        snapshotId,
        sessionId: this.sessionAtStart.get(p) ?? null,
        seqAtStart: this.seqAtStart,
        startedAt: this.startedAt,
        fullScanAt: snapshot.partial ? null : this.used ? (previous?.fullScanAt ?? null) : this.startedAt,
        optionsKey: this.optionsKey,
      });
    }
    const oldest = this.store.oldestNeededSeq(this.now() - FULL_RESCAN_EVERY_MS);
    if (oldest !== undefined) this.store.dropChangesThrough(oldest);
  }
}

function backupOptionsKey(excludes: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([...excludes].sort()))
    .digest('hex')
    .slice(0, 16);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
