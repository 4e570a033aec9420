/**
 * The folder watcher: chokidar watches each root folder and every change is coalesced (flushed
 * every `flushMs`) into the journal. Each start is a new session; while chokidar's initial scan
 * runs, every entry changed (by ctime/mtime) since the last backup of the folder began is
 * journaled too, so the session covers the time before it was ready. Errors and a gap in the
 * heartbeat (the computer slept, the process was stopped) end the session as lost and start a
 * new one with the same catch-up, so nothing that may have been missed is trusted.
 *
 * chokidar watches folders only (files are "ignored", so it keeps no watcher per file — a tenth of
 * the memory): a folder's watcher reports every change to the entries in it, and those raw events
 * are what is journaled: a changed entry re-lists its folder; a folder that appeared, vanished or
 * changed as an entry is rescanned whole. The catch-up is a walk of the tree once chokidar is
 * ready, which also counts the paths under watch.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { describeError } from '../../engine/errors.js';
import { isWithin } from '../../engine/util/paths.js';
import type { ChangeKind, JournalStore } from './journal-store.js';

/** Timestamps of some file systems are coarse (FAT: 2 s); catch-up looks back this much further. */
const CLOCK_SLACK_MS = 2_000;
/** How long the kernel may take to deliver an event: a flush confirms changes older than this. */
const DELIVERY_MARGIN_MS = 50;

export interface FolderWatcherOptions {
  flushMs?: number;
  heartbeatMs?: number;
  /** A heartbeat gap longer than this means the computer slept or the process was paused. */
  sleepGapMs?: number;
  onError?: (message: string) => void;
  /** Called after each flush with the number of paths journaled. */
  onFlush?: (count: number) => void;
}

interface RootWatch {
  root: string;
  sessionId: string;
  watcher: FSWatcher;
  /** Entries seen by the initial scan. */
  entries: number;
  ready: boolean;
}

export class FolderWatcher {
  private readonly roots = new Map<string, RootWatch>();
  private readonly pending = new Map<string, Map<string, ChangeKind>>();
  private flushTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private lastBeat = Date.now();
  private closed = false;
  private readonly flushMs: number;
  private readonly heartbeatMs: number;
  private readonly sleepGapMs: number;

  private constructor(
    private readonly store: JournalStore,
    private readonly options: FolderWatcherOptions,
  ) {
    this.flushMs = options.flushMs ?? 200;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.sleepGapMs = options.sleepGapMs ?? 60_000;
  }

  /** Watches `roots` (absolute folders); resolves once every root's initial scan is done. */
  static async start(store: JournalStore, roots: string[], options: FolderWatcherOptions = {}): Promise<FolderWatcher> {
    const w = new FolderWatcher(store, options);
    try {
      await Promise.all([...new Set(roots.map((r) => path.resolve(r)))].map((r) => w.watchRoot(r)));
    } catch (err) {
      await w.close();
      throw err;
    }
    w.flushTimer = setInterval(() => w.flush(), w.flushMs);
    w.heartbeatTimer = setInterval(() => w.beat(), w.heartbeatMs);
    w.flushTimer.unref();
    w.heartbeatTimer.unref();
    return w;
  }

  /** Files and folders under watch (as found by the initial scans). */
  get watchedCount(): number {
    let n = 0;
    for (const r of this.roots.values()) n += r.entries;
    return n;
  }

  get rootPaths(): string[] {
    return [...this.roots.keys()];
  }

  private async watchRoot(root: string): Promise<void> {
    let stats: Stats;
    try {
      stats = lstatSync(root);
    } catch (err) {
      throw new Error(`cannot watch ${root}: ${describeError(err)}`);
    }
    if (!stats.isDirectory()) throw new Error(`cannot watch ${root}: it is not a folder`);
    const sessionId = this.store.startSession(root, process.pid, os.hostname());
    const since = this.store.earliestBackupStartUnder(root);
    const catchUpFrom = since === undefined ? undefined : since - CLOCK_SLACK_MS;
    const watcher = watch(root, {
      persistent: true,
      ignoreInitial: true,
      followSymlinks: false,
      atomic: false,
      ignorePermissionErrors: true,
      // Folders only: their watchers report the changes of the files in them.
      ignored: (_p: string, stats?: Stats) => stats !== undefined && !stats.isDirectory(),
    });
    const entry: RootWatch = { root, sessionId, watcher, entries: 0, ready: false };
    this.roots.set(root, entry);
    watcher.on('addDir', (p) => this.note(root, p, 'tree'));
    watcher.on('unlinkDir', (p) => this.note(root, p, 'tree'));
    watcher.on('raw', (_event, evPath, details) => this.noteRaw(root, evPath, details));
    watcher.on('error', (err) => this.lose(root, describeWatchError(err)));
    await new Promise<void>((resolve, reject) => {
      watcher.once('ready', () => resolve());
      watcher.once('error', (err) => reject(new Error(`cannot watch ${root}: ${describeWatchError(err)}`)));
    });
    // Everything changed since the last backup began (by ctime/mtime) is journaled; from now on
    // the watchers report changes, so the walk leaves no gap.
    entry.entries = this.walk(root, (p, s) => {
      if (catchUpFrom !== undefined && Math.max(s.ctimeMs, s.mtimeMs) >= catchUpFrom)
        this.note(root, p, s.isDirectory() ? 'tree' : 'entry');
    });
    this.flushRoot(root);
    entry.ready = true;
    this.store.markReady(sessionId, catchUpFrom ?? null);
  }

  /** Visits every entry below `root` (lstat, no symlinks followed); returns how many there are. */
  private walk(root: string, visit: (p: string, s: Stats) => void): number {
    let count = 0;
    const pending = [root];
    while (pending.length > 0) {
      const dir = pending.pop() as string;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // unreadable: the backup reports it
      }
      for (const name of names) {
        const p = path.join(dir, name);
        const s = lstatOrUndefined(p);
        if (!s) continue;
        count++;
        visit(p, s);
        if (s.isDirectory()) pending.push(p);
      }
    }
    return count;
  }

  private noteRaw(root: string, evPath: string | null | undefined, details: unknown): void {
    const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (!watched) return;
    // The watched path itself only needs listing again; a named child is classified at flush.
    this.note(root, watched, 'entry');
    if (evPath) this.note(root, path.resolve(watched, evPath), 'entry', true);
  }

  private readonly unclassified = new Set<string>();

  private note(root: string, p: string, kind: ChangeKind, classify = false): void {
    if (this.closed) return;
    let changes = this.pending.get(root);
    if (!changes) {
      changes = new Map();
      this.pending.set(root, changes);
    }
    if (changes.get(p) !== 'tree') changes.set(p, kind);
    if (classify) this.unclassified.add(p);
  }

  /**
   * Writes the coalesced changes to the journal, then answers the backups waiting for it: every
   * change made before (now − delivery margin) has been delivered and is now journaled.
   */
  flush(): void {
    const now = Date.now();
    for (const root of [...this.pending.keys()]) this.flushRoot(root);
    for (const r of this.roots.values()) {
      if (!r.ready) continue;
      try {
        const requested = this.store.pendingFlushRequest(r.sessionId);
        if (requested !== undefined && now - DELIVERY_MARGIN_MS >= requested)
          this.store.markFlushed(r.sessionId, now - DELIVERY_MARGIN_MS);
      } catch (err) {
        this.options.onError?.(`cannot update the journal: ${describeError(err)}`);
      }
    }
  }

  private flushRoot(root: string): void {
    const changes = this.pending.get(root);
    if (!changes || changes.size === 0) return;
    this.pending.delete(root);
    const out: Array<{ path: string; kind: ChangeKind }> = [];
    for (const [p, kind] of changes) {
      let k = kind;
      if (this.unclassified.delete(p) && k === 'entry') {
        // A raw event named this entry: a folder that appeared or changed as an entry is rescanned whole;
        // a name that is not a folder (or is gone) only re-lists its parent. A file watcher reports its
        // own name as a child of itself: such a path is the file itself.
        const s = lstatOrUndefined(p);
        if (s?.isDirectory()) k = 'tree';
        else if (!s && lstatOrUndefined(path.dirname(p))?.isFile()) continue;
      }
      if (!isWithin(root, p)) continue;
      out.push({ path: p, kind: k });
    }
    try {
      this.store.recordChanges(root, out);
      this.options.onFlush?.(out.length);
    } catch (err) {
      this.lose(root, `cannot write the journal: ${describeError(err)}`);
    }
  }

  private beat(): void {
    const now = Date.now();
    const gap = now - this.lastBeat;
    this.lastBeat = now;
    if (gap > this.sleepGapMs) {
      for (const root of this.roots.keys())
        this.lose(root, `no heartbeat for ${Math.round(gap / 1000)} s (the computer slept or Cairn was paused)`);
      return;
    }
    for (const r of this.roots.values()) {
      try {
        this.store.heartbeat(r.sessionId, now);
      } catch (err) {
        this.options.onError?.(`cannot update the journal: ${describeError(err)}`);
      }
    }
  }

  /** Ends the root's session as lost and starts a fresh one that catches up by ctime/mtime. */
  private lose(root: string, reason: string): void {
    const r = this.roots.get(root);
    if (!r || this.closed) return;
    this.options.onError?.(`watching ${root}: ${reason}; the next backup rescans what may have been missed`);
    try {
      this.store.markLost(r.sessionId, reason);
    } catch {
      // the next backup rescans anyway when the journal cannot be read
    }
    this.roots.delete(root);
    this.pending.delete(root);
    void r.watcher.close().then(() => {
      if (this.closed) return;
      setTimeout(() => {
        if (this.closed) return;
        this.watchRoot(root).catch((err) => this.options.onError?.(describeError(err)));
      }, 1000).unref();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    const roots = [...this.roots.values()];
    this.roots.clear();
    await Promise.allSettled(roots.map((r) => r.watcher.close()));
    for (const r of roots) {
      try {
        this.store.endSession(r.sessionId);
      } catch {
        // an unreadable journal only makes the next backup rescan
      }
    }
  }
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

function describeWatchError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return 'the system limit of watched files is reached (raise fs.inotify.max_user_watches)';
  if (code === 'EMFILE') return 'too many open files for the watcher';
  return describeError(err);
}
