/**
 * Restriction of processing (GDPR Art. 18) where the storage core reads a recovery point's
 * contents, so that no caller can forget it. The engine keeps no list of restricted points: the
 * layer that opens a repository hands its session a `RestrictionGuard`, a plain predicate that
 * answers, for a recovery point, why it is restricted (the whole refusal message) or null. The
 * app's guard reads its frozen points (src/app/privacy/restriction/guard.ts); a repository opened
 * without one (engine tests, a fresh `Repository.open`) restricts nothing.
 *
 * Two places of `Repository` ask it, and refuse with a CairnError of code 'restricted':
 * - `findSnapshot` (an id, prefix or "latest": how browsing, comparing, restoring and previewing
 *   name a point) refuses a restricted point before anything of it is read;
 * - `loadTree` refuses the root tree of a restricted point, the one way into its files for code
 *   that starts from the listing instead (search, export, whatever is added later). A root shared
 *   with a point that is not restricted (two backups of unchanged files) stays readable: those
 *   files are in that point too. Roots are learnt as snapshots are read (`noteRoot`).
 * Listing the points (`listSnapshots`: metadata, each marked frozen by the app) is not a read of
 * contents. Prune reads trees directly from its packs and keeps every listed point.
 *
 * The operations that must still read a restricted point's trees run inside `bypassRestriction`
 * with a named reason: a check verifies it, erasure rewrites it, repair mends it, and a backup
 * compares against it (nothing of it leaves the engine); freezing names it. The bypass is scoped
 * with AsyncLocalStorage to the calls made inside it, so a browse running at the same time on the
 * same session stays refused.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CairnError } from '../errors.js';

/** Why a recovery point of a repository may not be read (the refusal's message), or null. */
export type RestrictionGuard = (repositoryId: string, snapshotId: string) => string | null;

/** The operations that read restricted points on purpose (see the module comment). */
export type RestrictionBypass = 'check' | 'erasure' | 'repair' | 'backup' | 'freeze';

const bypassing = new AsyncLocalStorage<RestrictionBypass>();

/** Runs `fn` with the restriction lifted for the calls made inside it, and only those. */
export function bypassRestriction<T>(reason: RestrictionBypass, fn: () => Promise<T>): Promise<T> {
  return bypassing.run(reason, fn);
}

/** The bypass in effect for the current call, if any. */
export function currentBypass(): RestrictionBypass | undefined {
  return bypassing.getStore();
}

export class SnapshotRestriction {
  /** Set by the layer that opens the repository; none: nothing is restricted. */
  guard?: RestrictionGuard;
  /** Root tree id → the recovery points whose root it is. */
  private readonly roots = new Map<string, Set<string>>();

  /** `repositoryId`: read when asked, as the session's config is set after this is made. */
  constructor(private readonly repositoryId: () => string) {}

  /** Why the point may not be read now (null under a bypass or without a guard). */
  reasonFor(snapshotId: string): string | null {
    if (!this.guard || bypassing.getStore()) return null;
    return this.guard(this.repositoryId(), snapshotId);
  }

  restricts(snapshotId: string): boolean {
    return this.reasonFor(snapshotId) !== null;
  }

  /** Returns the record, or throws 'restricted' when its contents may not be read. */
  readable<T extends { id: string }>(snapshot: T): T {
    const reason = this.reasonFor(snapshot.id);
    if (reason !== null) throw new CairnError('restricted', reason);
    return snapshot;
  }

  /** Remembers a snapshot's root tree (every snapshot read passes here), returning the record. */
  noteRoot<T extends { id: string; tree: string }>(snapshot: T): T {
    const ids = this.roots.get(snapshot.tree) ?? new Set<string>();
    ids.add(snapshot.id);
    this.roots.set(snapshot.tree, ids);
    return snapshot;
  }

  /** A removed point no longer makes its root readable. */
  forget(snapshotId: string): void {
    for (const [tree, ids] of this.roots) if (ids.delete(snapshotId) && ids.size === 0) this.roots.delete(tree);
  }

  /** Throws 'restricted' when `treeId` is the root of restricted points only. */
  assertTreeReadable(treeId: string): void {
    const ids = this.roots.get(treeId);
    if (!ids || !this.guard || bypassing.getStore()) return;
    let first: string | null = null;
    for (const id of ids) {
      const reason = this.guard(this.repositoryId(), id);
      if (reason === null) return;
      first ??= reason;
    }
    if (first !== null) throw new CairnError('restricted', first);
  }
}
