/**
 * What a journal backup may skip. Built from the journaled paths: a folder is re-listed when a
 * journaled path is the folder itself or lies below it; a folder marked `tree` (created, replaced,
 * moved in, or one whose ignore rules changed) is rescanned whole; every other folder of the
 * parent recovery point is taken over as it is, subtree and all.
 */
import path from 'node:path';
import type { ChangeKind } from './journal-store.js';

/** Files whose change alters what is backed up in the whole folder around them. */
const RULE_FILES = new Set(['.cairnignore', 'CACHEDIR.TAG']);

export class ChangeSet {
  /** Folders (and entries) on the way to a change: they must be listed again. */
  private readonly onPath = new Set<string>();
  /** Folders whose whole subtree must be rescanned. */
  private readonly wholeTrees = new Set<string>();

  constructor(changes: Iterable<{ path: string; kind: ChangeKind }>) {
    for (const change of changes) this.add(change.path, change.kind);
  }

  get size(): number {
    return this.onPath.size;
  }

  private add(p: string, kind: ChangeKind): void {
    const resolved = path.resolve(p);
    if (RULE_FILES.has(path.basename(resolved))) {
      this.add(path.dirname(resolved), 'tree');
      return;
    }
    if (kind === 'tree') this.wholeTrees.add(resolved);
    let current = resolved;
    while (!this.onPath.has(current)) {
      this.onPath.add(current);
      const up = path.dirname(current);
      if (up === current) break;
      current = up;
    }
  }

  /** Whether the folder `dir` can be copied from the parent recovery point without listing it. */
  canReuse(dir: string): boolean {
    if (this.onPath.has(dir)) return false;
    return !this.isInWholeTree(dir);
  }

  /** Whether `p` is at or below a folder that must be rescanned whole. */
  isInWholeTree(p: string): boolean {
    if (this.wholeTrees.size === 0) return false;
    let current = p;
    for (;;) {
      if (this.wholeTrees.has(current)) return true;
      const up = path.dirname(current);
      if (up === current) return false;
      current = up;
    }
  }
}
