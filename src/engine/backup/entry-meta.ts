/**
 * The format-version-3 fields of a node (docs/repository-format.md §10): nanosecond times, owner,
 * hard-link group and extended attributes, read for the entries a backup records anew (new and
 * changed ones: an unchanged file keeps its parent's node and costs nothing here). Node's plain
 * Stats hold times only as float milliseconds, so one more lstat with BigInt times is taken; with
 * one listing of the extended attributes, that is two system calls per recorded entry. In a
 * repository of version 1 or 2 nothing is added, so an older Cairn reads it as before.
 */
import { type BigIntStats, lstatSync, type Stats } from 'node:fs';
import type { TreeNode } from '../format/tree.js';
import { readXattrs } from '../util/xattrs.js';

export class EntryMeta {
  constructor(
    /** Whether the repository's trees carry the version-3 fields. */
    readonly enabled: boolean,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * The entry's times to the nanosecond, for `fill`: taken before a file is read, since reading it
   * may move its access time. Undefined when the repository records none.
   */
  exactStat(localPath: string | Buffer): BigIntStats | undefined {
    return this.enabled ? lstatSync(localPath, { bigint: true, throwIfNoEntry: false }) : undefined;
  }

  /**
   * Adds the version-3 fields of the entry at `localPath` (lstat `stat`) to `node`; `exact` is its
   * `exactStat` when taken earlier.
   */
  fill(node: TreeNode, localPath: string | Buffer, stat: Stats, exact = this.exactStat(localPath)): TreeNode {
    if (!this.enabled) return node;
    if (stat.isDirectory()) node.ctime = stat.ctimeMs;
    if (exact) {
      node.mtimeNs = String(exact.mtimeNs);
      // Files only: listing a folder or reading a link moves its access time, so theirs would
      // change with every backup that looks at them (Cairn's own included).
      if (stat.isFile()) node.atimeNs = String(exact.atimeNs);
    }
    node.uid = stat.uid;
    node.gid = stat.gid;
    if (stat.isFile() && stat.nlink > 1) node.hardlink = hardlinkKey(stat);
    // Linux keeps no user.* attributes on symlinks, and the others are the system's own. The
    // binding takes string paths only: a name that is not UTF-8 keeps none (util/xattrs.ts).
    if (!stat.isSymbolicLink() && typeof localPath === 'string') {
      const xattrs = readXattrs(localPath, this.warn);
      if (xattrs) node.xattrs = xattrs;
    }
    return node;
  }

  /**
   * Whether a parent's node still describes this entry in what only version 3 records: its
   * hard-link group (a device number can change across a restart) and, for a folder, its ctime
   * (which moves with its owner, mode and extended attributes).
   */
  sameAsParent(prev: TreeNode, stat: Stats): boolean {
    if (!this.enabled) return true;
    if (stat.isDirectory()) return prev.ctime === stat.ctimeMs;
    return prev.hardlink === (stat.isFile() && stat.nlink > 1 ? hardlinkKey(stat) : undefined);
  }
}

/** The hard-link group of a file: its device and inode, unique on this machine while it exists. */
export function hardlinkKey(stat: Stats): string {
  return `${stat.dev}:${stat.ino}`;
}
