/**
 * What a restored entry gets once it is complete under its real name (format version 3): its
 * owner and group (when restoring owners: as root, or when asked), its extended attributes, and
 * its times to the nanosecond (exact-times.ts). None of these moves the entry's mtime, so they
 * follow the mode and times the restorer gave it. Failures are reported per entry; the restore
 * goes on. Also FIFOs and device nodes, which are made here whole.
 */
import { chmodSync, lchownSync } from 'node:fs';
import fs from 'node:fs/promises';
import { describeError } from '../errors.js';
import type { TreeNode } from '../format/tree.js';
import { writeXattrs } from '../util/xattrs.js';
import { ExactTimes } from './exact-times.js';
import { type LocalPath, SAFE_MODE_BITS, tempBeside, utimesOf } from './restore-io.js';
import { makeSpecial, specialRefusal } from './special-files.js';

export class EntryFinisher {
  private readonly times = new ExactTimes();

  constructor(
    /** Whether entries get their recorded owner and group. */
    private readonly owners: boolean,
    private readonly fail: (repoPath: string, message: string) => void,
    private readonly refuse: (repoPath: string, reason: string) => void = fail,
  ) {}

  /** Gives the entry at `local` (recorded as `node` at `repoPath`) its owner, attributes and exact times. */
  done(local: LocalPath, node: TreeNode, repoPath: string): void {
    if (this.owners && node.uid !== undefined && node.gid !== undefined) {
      try {
        lchownSync(local, node.uid, node.gid);
        // chown may clear set-group-ID: the mode again (a no-op where it does not).
        if (node.type !== 'symlink') chmodSync(local, node.mode & SAFE_MODE_BITS);
      } catch (err) {
        this.fail(repoPath, `its owner was not restored: ${describeError(err)}`);
      }
    }
    // The xattr binding takes string paths only (util/xattrs.ts).
    if (node.xattrs && node.type !== 'symlink') {
      if (typeof local === 'string')
        for (const message of writeXattrs(local, node.xattrs)) this.fail(repoPath, message);
      else this.fail(repoPath, 'its extended attributes were not restored: its name is not valid UTF-8');
    }
    this.times.set(local, node.mtimeNs, node.atimeNs);
  }

  /** A FIFO or device node that cannot be made here (not root, Windows): refused with the reason. */
  refusal(node: TreeNode, repoPath: string): boolean {
    const reason = specialRefusal(node);
    if (reason) this.refuse(repoPath, reason);
    return reason !== undefined;
  }

  /** Waits until every exact time is set; reports the entries whose times could not be. */
  async close(): Promise<void> {
    for (const failure of await this.times.close()) this.fail(failure.path, failure.message);
  }
}

/** Makes a FIFO or device node under a temporary name, gives it its mode and times, and renames it to `dest`. */
export async function restoreSpecialEntry(
  node: TreeNode,
  repoPath: string,
  dest: LocalPath,
  finisher: EntryFinisher,
): Promise<void> {
  if (finisher.refusal(node, repoPath)) return;
  const tmp = tempBeside(dest);
  await makeSpecial(tmp, node);
  try {
    await fs.chmod(tmp, node.mode & SAFE_MODE_BITS);
    await fs.utimes(tmp, ...utimesOf(node));
    await fs.rename(tmp, dest);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  finisher.done(dest, node, repoPath);
}
