/**
 * What a restore is asked (RestoreOptions), tells while it runs (RestoreProgress) and answers
 * (RestoreResult, with each planned item for a preview): the types restorer.ts works with, apart
 * so that callers and the restorer read them in one short file; and the restorer's own records
 * of a batch of planned files, a file being restored and the names of a hard-link group.
 */
import type { TreeNode } from '../format/tree.js';
import type { LocalPath } from './restore-io.js';
import type { PackWrite } from './restore-pool.js';

export type OverwritePolicy = 'never' | 'always' | 'if-newer';

export interface RestoreOptions {
  target: string;
  /** Paths inside the recovery point to restore (with everything below them); default: all. */
  include?: string[];
  overwrite?: OverwritePolicy;
  /** On a conflict that is not overwritten, restore the file beside the existing one under a new name. */
  keepBoth?: boolean;
  /** Plan only: report what would be written, skipped or kept both, and write nothing. */
  dryRun?: boolean;
  /**
   * Give entries their recorded owner and group (format version 3). Default: when running as
   * root, who alone may; otherwise entries belong to the restoring user.
   */
  owners?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: RestoreProgress) => void;
  /**
   * Told the decision for every file and symlink (created, overwritten, skipped or kept both) and
   * where it goes, as it is planned; with `dryRun` this is a preview that writes nothing.
   */
  onPlanned?: (item: PlannedItem) => void;
}

export interface PlannedItem extends RestoreItem {
  /** The local path the entry would be written to (the new name when kept both). */
  destination: string;
  size: number;
}

export interface RestoreProgress {
  filesDone: number;
  bytesDone: number;
  bytesTotal: number;
  currentPath?: string;
}

export type PlannedAction = 'create' | 'overwrite' | 'skip' | 'keep-both';

export interface RestoreItem {
  /** Path inside the recovery point. */
  path: string;
  action: PlannedAction;
  reason?: string;
}

export interface RestoreResult {
  snapshotId: string;
  target: string;
  filesRestored: number;
  dirsRestored: number;
  symlinksRestored: number;
  bytesRestored: number;
  /** Conflicts and their outcome (every skip, overwrite and keep-both). */
  conflicts: RestoreItem[];
  /** Entries refused for safety (unsafe names, symlinked folders in the target). */
  refused: { path: string; reason: string }[];
  /** Entries that failed (damaged data, I/O errors). */
  errors: { path: string; message: string }[];
  dryRun: boolean;
}

/** Planned writes of a batch, by pack, and the files they fill. */
export interface Batch {
  plan: Map<string, { writes: PackWrite[]; tasks: FileTask[]; bytes: number }>;
  tasks: FileTask[];
}

/** A file being restored: written under `tmp`, renamed to `dest` when complete. */
export interface FileTask {
  repoPath: string;
  node: TreeNode;
  tmp: string;
  dest: LocalPath;
  /** Bytes planned so far (the offset of the next blob). */
  size: number;
  failure?: string;
  /** All its data lies in one pack: the worker writing it also gives it its mode, mtime and name. */
  finishedByWorker?: boolean;
  /** The first restored name of a hard-link group: the other names are linked to it once it is in place. */
  linkHead?: LinkHead;
}

/** The first name of a hard-link group restored by this run. */
export interface LinkHead {
  dest: LocalPath;
  repoPath: string;
  /** Set once the file is complete under `dest`. */
  done?: boolean;
}

/** Another name of a hard-link group, linked to its head at the end of the restore. */
export interface PendingLink {
  head: LinkHead;
  node: TreeNode;
  repoPath: string;
  dest: LocalPath;
}
