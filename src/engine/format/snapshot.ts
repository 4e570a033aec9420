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
}

/** A snapshot with the id it is stored under. */
export interface SnapshotRecord extends Snapshot {
  id: string;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
