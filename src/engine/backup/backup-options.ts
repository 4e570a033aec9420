/**
 * What a backup is asked to do and what it reports: the options of `backup` (archiver.ts), its
 * progress and result, and the two things the app layer may lend it (a change plan from the
 * watcher journal, a cache of per-tree counts).
 */
import type { SnapshotAuditAnchor, SnapshotRecord } from '../format/snapshot.js';
import type { Clock } from '../util/clock.js';

/**
 * What may have changed since the parent recovery point, as a watcher saw it (the app's journal
 * answers this): a folder it can vouch for is taken over whole from the parent.
 */
export interface ChangePlan {
  /** True when nothing below `localPath` changed since the parent was taken. */
  canReuse(localPath: string): boolean;
}

/** Counts of what a tree holds, kept per tree id so reused subtrees need not be read to count them. */
export interface TreeStats {
  files: number;
  bytes: number;
  dirs: number;
}

export interface TreeStatsCache {
  treeStats(treeId: string): TreeStats | undefined;
  putTreeStats(entries: Iterable<[string, TreeStats]>): void;
}

export interface BackupOptions {
  /** Local paths to back up (files or directories). */
  paths: string[];
  excludes?: string[];
  /**
   * Stay on the file system of each named path: an entry below it on another file system (a
   * mount point) is neither read nor stored, and is named in a warning (the recovery point stays whole).
   */
  oneFileSystem?: boolean;
  tags?: string[];
  hostname?: string;
  /** Parent recovery point id; default: the latest one of this host with the same paths. */
  parent?: string;
  /** Read every file even when its metadata is unchanged. */
  force?: boolean;
  /** The recovery point's time; default: the clock's time when the backup starts. */
  time?: Date;
  /** Dates the recovery point and measures its duration (default: the system clock). */
  clock?: Clock;
  /**
   * Called once the parent recovery point is known: returns what may have changed since it (a
   * journal backup), or undefined for a full rescan.
   */
  planChanges?: (parent: SnapshotRecord | undefined) => ChangePlan | undefined;
  /** A cache of file/byte/folder counts per tree, so reused subtrees need not be read to count them. */
  treeStats?: TreeStatsCache;
  /** The audit-trail head to anchor in the recovery point (§11 `audit`), asked just before it is written. */
  auditAnchor?: () => SnapshotAuditAnchor | undefined;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  onWarning?: (message: string) => void;
}

export interface BackupProgress {
  filesDone: number;
  bytesDone: number;
  /**
   * What the backup will hold: the parent recovery point's totals, or, without a parent of the
   * same paths, those of the quick count of the source once it completed.
   */
  filesTotal?: number;
  bytesTotal?: number;
  /** While the quick count runs (there are no totals yet): what it has counted so far. */
  counting?: { files: number; bytes: number };
  currentPath?: string;
}

export interface BackupResult {
  snapshot: SnapshotRecord;
  warnings: string[];
  /** Whether the journal let the backup skip unchanged folders; false for a full rescan. */
  usedJournal: boolean;
  /** Folders taken over whole from the parent recovery point without listing them. */
  reusedFolders: number;
}
