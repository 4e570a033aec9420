/**
 * Snapshots — the recovery points (`snapshots/<sha256>`, sealed document, purpose "snapshot").
 * A snapshot is written last, after every pack and index it needs, so it never points at data
 * that is not stored. Its id is the SHA-256 of the stored bytes.
 */

export interface SnapshotSummary {
  filesNew: number;
  filesChanged: number;
  filesUnchanged: number;
  dirs: number;
  /** Bytes of files in each class (plaintext sizes). */
  bytesNew: number;
  bytesChanged: number;
  bytesUnchanged: number;
  /** Plaintext bytes of blobs this backup added to the repository, and what they took stored. */
  dataAdded: number;
  dataAddedStored: number;
  /** Total files and bytes the recovery point holds. */
  totalFiles: number;
  totalBytes: number;
  /** Wall-clock duration, milliseconds. */
  durationMs: number;
}

/** One erasure request that rewrote a recovery point (docs/repository-format.md §11). */
export interface SnapshotErasure {
  /** The erasure request's id (also the name of its receipt). */
  request: string;
  /** Id of the snapshot this one replaced. */
  original: string;
  /** When the rewritten snapshot was written. */
  time: string;
}

/** Where a recovery point written by `repair snapshots` came from (docs/repository-format.md §11). */
export interface SnapshotRepair {
  /** Id of the snapshot this one is a repaired copy of (kept until the user forgets it). */
  original: string;
  /** When the repaired copy was written. */
  time: string;
  /** Files left out because some of their data is missing from the repository. */
  removedFiles: number;
  /** Folders whose listing is missing: they are empty in the copy. */
  emptiedFolders: number;
}

/**
 * The head of an installation's audit trail when the snapshot was written (§11, `audit`): the
 * trail's id and `mac`, both keyed with the repository's audit anchor key (§3.5), and its entry count.
 */
export interface SnapshotAuditAnchor {
  trail: string;
  count: number;
  mac: string;
}

export interface Snapshot {
  version: 1;
  time: string;
  hostname: string;
  username: string;
  /** Absolute paths that were backed up (POSIX form). */
  paths: string[];
  tags: string[];
  tree: string;
  parent?: string;
  summary: SnapshotSummary;
  /** True when some files could not be read; `warnings` says which. */
  partial: boolean;
  warnings: string[];
  program: string;
  /**
   * Optional: present only on a snapshot rewritten by erasure, one entry per erasure request,
   * oldest first. `time`, `paths`, `tags` and the rest are those of the original backup.
   */
  erasures?: SnapshotErasure[];
  /**
   * Optional: present only on a copy written by `repair snapshots`; `time`, `paths`, `tags` (plus
   * `repaired`) and the rest are those of the original backup.
   */
  repaired?: SnapshotRepair;
  /** Optional: the audit-trail head of the installation that wrote the backup. */
  audit?: SnapshotAuditAnchor;
}

/** A snapshot with the id it is stored under. */
export interface SnapshotRecord extends Snapshot {
  id: string;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
