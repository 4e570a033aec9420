/**
 * Erasure of one path from every recovery point (GDPR Art. 17), on an open repository and under
 * its exclusive lock:
 *   1. find every snapshot whose tree holds the path;
 *   2. write, for each, a rewritten snapshot (same time, host, paths, tags; a tree without the
 *      path; an `erasures` entry naming the request and the original id) — trees → index →
 *      snapshot, as every write;
 *   3. remove the original snapshots (from now on nothing uses the erased data);
 *   4. prune, forcing every pack that holds a blob only the erased path used to be repacked or
 *      deleted, and verify that no such blob is still stored.
 * A crash at any step leaves a repository that checks clean: after 2, the originals are still
 * there (and a re-run finds their rewritten copies instead of writing new ones); after 3, only
 * unused data is left, which a re-run (`resume`) prunes. Tombstones and receipts, which live in
 * the app data folder, are kept by ./service.ts.
 */
import { CairnError, IntegrityError } from '../errors.js';
import type { Snapshot, SnapshotRecord } from '../format/snapshot.js';
import { type PruneProgress, planPrune, pruneUnderLock } from '../prune/prune.js';
import { withLock } from '../repo/lock.js';
import type { Repository } from '../repo/repository.js';
import { type Clock, isoTime, systemClock } from '../util/clock.js';
import { repoPathComponents } from '../util/paths.js';
import { blobsBelow, countBelow, nodeAt, treeWithout } from './rewrite-snapshot.js';

export interface ErasePathProgress {
  phase: 'find' | 'rewrite' | 'remove' | 'prune' | 'verify';
  done: number;
  total: number;
}

export interface ErasePathOptions {
  /** The erasure request (names the receipt; recorded in each rewritten snapshot). */
  requestId: string;
  /** Only recovery points whose time is at or before this (a tombstone applied to an older copy). */
  upTo?: string;
  /** An earlier run of this request stopped halfway: when no recovery point holds the path any more, finish its prune. */
  resume?: boolean;
  /** Only find what would be rewritten and how many bytes would be freed. */
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ErasePathProgress) => void;
  /** Called under the lock once the recovery points to rewrite are known, before anything is written. */
  beforeChange?: (found: SnapshotRecord[]) => void | Promise<void>;
  /** Dates the erasure records, `removedFromUseAt`, `physicallyDeletedAt` and the lock (default: the system clock). */
  clock?: Clock;
  /** Tests only: stop right after this step, as a crash there would. */
  __testFailAfter?: 'rewrite' | 'remove';
}

export interface RewrittenPoint {
  /** Id of the recovery point that held the path (removed). */
  original: string;
  /** Id of its rewritten copy. */
  rewritten: string;
  /** The recovery point's time (unchanged by the rewrite). */
  time: string;
}

export interface ErasePathResult {
  requestId: string;
  repositoryId: string;
  path: string;
  dryRun: boolean;
  /** The recovery points that held the path (dry run: would be rewritten). */
  recoveryPoints: { id: string; time: string }[];
  rewritten: RewrittenPoint[];
  /** Files (and their bytes) under the path in the newest recovery point that held it. */
  files: number;
  bytes: number;
  /** Blobs (data and trees) only the erased path used: physically deleted (dry run: would be). */
  blobsErased: number;
  /** Blobs under the path whose content other files also use: they stay, as part of those files. */
  blobsSharedWithOtherFiles: number;
  /** Dry run: stored bytes of the blobs only the erased path uses. */
  bytesToFree: number;
  /** When no recovery point used the erased data any more (null for a dry run). */
  removedFromUseAt: string | null;
  /** When the packs holding it were deleted or rewritten without it (null for a dry run). */
  physicallyDeletedAt: string | null;
  bytesFreed: number;
  packsDeleted: number;
  packsRepacked: number;
  blobsRemoved: number;
}

/** Erases `repoPath` (absolute, as stored; see `erasurePath`) from every recovery point. */
export async function erasePath(
  repo: Repository,
  repoPath: string,
  options: ErasePathOptions,
): Promise<ErasePathResult> {
  const clock = options.clock ?? systemClock;
  const progress = options.onProgress;
  const underLock = async (): Promise<ErasePathResult> => {
    // The session index may predate another process's prune: start from what is stored now.
    await repo.reloadIndex();
    const { snapshots: all, damaged } = await repo.listSnapshotsChecked();
    // A recovery point that cannot be read may hold the path: erasing the others and reporting
    // success would leave it there. (Prune, step 4, would refuse to run on it anyway.)
    const unreadable = damaged[0];
    if (unreadable) {
      throw new CairnError(
        'integrity',
        `recovery point ${unreadable.id.slice(0, 8)} cannot be read (${unreadable.reason}), so the erasure cannot tell whether it holds ${repoPath}; nothing was changed. Run the erasure again; if that recovery point stays unreadable, remove it first with "cairn forget ${unreadable.id.slice(0, 8)}"`,
      );
    }
    const candidates = options.upTo ? all.filter((s) => s.time <= (options.upTo as string)) : all;
    const found: SnapshotRecord[] = [];
    for (const [i, s] of candidates.entries()) {
      progress?.({ phase: 'find', done: i, total: candidates.length });
      if (await nodeAt(repo, s.tree, repoPath)) found.push(s);
    }
    progress?.({ phase: 'find', done: candidates.length, total: candidates.length });
    const result: ErasePathResult = {
      requestId: options.requestId,
      repositoryId: repo.config.id,
      path: repoPath,
      dryRun: options.dryRun === true,
      recoveryPoints: found.map((s) => ({ id: s.id, time: s.time })),
      rewritten: [],
      files: 0,
      bytes: 0,
      blobsErased: 0,
      blobsSharedWithOtherFiles: 0,
      bytesToFree: 0,
      removedFromUseAt: null,
      physicallyDeletedAt: null,
      bytesFreed: 0,
      packsDeleted: 0,
      packsRepacked: 0,
      blobsRemoved: 0,
    };
    if (found.length === 0 && !(options.resume && !options.dryRun)) {
      throw new CairnError(
        'not-found',
        `no recovery point${options.upTo ? ` up to ${options.upTo}` : ''} contains ${repoPath}: nothing to erase (paths are absolute, as backed up; see "cairn ls")`,
      );
    }

    // Everything only the path reaches: its blobs, and the trees that named it or led to it.
    const erased = new Set<string>();
    for (const s of found) {
      const node = await nodeAt(repo, s.tree, repoPath);
      if (node) await blobsBelow(repo, node, erased);
    }
    const newest = found.at(-1);
    const newestNode = newest ? await nodeAt(repo, newest.tree, repoPath) : undefined;
    if (newestNode)
      Object.assign(result, await countBelow(repo, newestNode).then((c) => ({ files: c.files, bytes: c.bytes })));

    if (options.dryRun) {
      const kept = await usedWithout(repo, all, repoPath);
      for (const id of erased) {
        if (kept.has(id)) result.blobsSharedWithOtherFiles++;
        else {
          result.blobsErased++;
          result.bytesToFree += repo.index.get(id)?.length ?? 0;
        }
      }
      return result;
    }

    options.signal?.throwIfAborted();
    await options.beforeChange?.(found);

    if (found.length > 0) {
      // 2. Rewritten copies first (a copy left by an interrupted run of any request is reused).
      const copies = new Map<string, SnapshotRecord>();
      for (const s of all) {
        const last = s.erasures?.at(-1);
        if (last) copies.set(last.original, s);
      }
      for (const [i, s] of found.entries()) {
        progress?.({ phase: 'rewrite', done: i, total: found.length });
        const existing = copies.get(s.id);
        if (existing && !(await nodeAt(repo, existing.tree, repoPath))) {
          result.rewritten.push({ original: s.id, rewritten: existing.id, time: s.time });
          continue;
        }
        const rewrite = await treeWithout(repo, s.tree, repoPath);
        if (!rewrite) throw new IntegrityError(`recovery point ${s.id.slice(0, 8)} changed while it was being erased`);
        for (const t of rewrite.replacedTrees) erased.add(t);
        const removed = await countBelow(repo, rewrite.removed);
        const { id: original, ...doc } = s;
        const snapshot: Snapshot = {
          ...doc,
          tree: rewrite.tree,
          summary: {
            ...doc.summary,
            totalFiles: Math.max(0, doc.summary.totalFiles - removed.files),
            totalBytes: Math.max(0, doc.summary.totalBytes - removed.bytes),
          },
          erasures: [...(doc.erasures ?? []), { request: options.requestId, original, time: isoTime(clock) }],
        };
        const id = await repo.saveSnapshot(snapshot);
        result.rewritten.push({ original, rewritten: id, time: s.time });
      }
      progress?.({ phase: 'rewrite', done: found.length, total: found.length });
      if (options.__testFailAfter === 'rewrite') throw new Error('erasure interrupted after rewriting (test)');

      // 3. The originals go: from now on no recovery point uses the erased data.
      for (const [i, s] of found.entries()) {
        progress?.({ phase: 'remove', done: i, total: found.length });
        await repo.removeSnapshot(s.id);
      }
      if (options.__testFailAfter === 'remove') throw new Error('erasure interrupted after removing (test)');
    }
    result.removedFromUseAt = isoTime(clock);

    // Prune keeps only the data of the recovery points the storage lists. A storage whose listing
    // lags behind its writes (eventually consistent) would let it delete the trees of a copy just
    // written, so every copy must be listed before anything is deleted.
    const listed = new Set(await repo.listIds('snapshots'));
    const unlisted = result.rewritten.find((w) => !listed.has(w.rewritten));
    if (unlisted) {
      throw new CairnError(
        'io',
        `the storage does not list the erased copy ${unlisted.rewritten.slice(0, 8)} of recovery point ${unlisted.original.slice(0, 8)} yet, although it was just saved (its listing lags behind its writes); the erasure stopped before deleting any data: run it again later to finish it`,
      );
    }

    // 4. Prune. Resuming without the originals, the erased blobs are not known any more: then
    // every pack with any unused blob is rewritten, which removes them as well.
    try {
      const onProgress = (p: PruneProgress) => progress?.({ phase: 'prune', done: p.done, total: p.total });
      const pruned = await pruneUnderLock(
        repo,
        undefined,
        found.length > 0 ? { mustRemoveBlobs: erased, clock, onProgress } : { repackThreshold: 1, clock, onProgress },
      );
      result.bytesFreed = pruned.bytesFreed;
      result.packsDeleted = pruned.packsDeleted;
      result.packsRepacked = pruned.packsRepacked;
      result.blobsRemoved = pruned.blobsRemoved;
    } finally {
      await repo.reloadIndex();
    }

    // Verify: nothing the path alone used is still stored.
    progress?.({ phase: 'verify', done: 0, total: 1 });
    const after = await planPrune(repo, { mustRemoveBlobs: erased });
    const leftover = found.length > 0 ? [...erased].filter((id) => after.unusedBlobs.has(id)) : [...after.unusedBlobs];
    if (leftover.length > 0) {
      throw new IntegrityError(
        `erasure of ${repoPath}: ${leftover.length} blob(s) are still stored after pruning (first: ${leftover[0]?.slice(0, 12)}); run the erasure again`,
      );
    }
    for (const id of erased) {
      if (after.usedBlobs.has(id)) result.blobsSharedWithOtherFiles++;
      else result.blobsErased++;
    }
    progress?.({ phase: 'verify', done: 1, total: 1 });
    result.physicallyDeletedAt = isoTime(clock);
    return result;
  };
  return withLock(repo, options.dryRun ? 'erase --dry-run' : 'erase', !options.dryRun, underLock, { clock });
}

/**
 * Every blob the given snapshots reach when `repoPath` is left out: trees on the way to the
 * path are visited per depth (their copies without it would differ), all others once.
 */
async function usedWithout(repo: Repository, snapshots: SnapshotRecord[], repoPath: string): Promise<Set<string>> {
  const parts = repoPathComponents(repoPath);
  const used = new Set<string>();
  const seen = new Set<string>();
  const stack: { tree: string; depth: number }[] = snapshots.map((s) => ({ tree: s.tree, depth: 0 }));
  while (stack.length > 0) {
    const { tree, depth } = stack.pop() as { tree: string; depth: number };
    const key = depth >= 0 ? `${tree}@${depth}` : tree;
    if (seen.has(key)) continue;
    seen.add(key);
    // A tree on the way to the path is rewritten: its own id is not kept.
    if (depth < 0) used.add(tree);
    for (const node of (await repo.loadTree(tree)).nodes) {
      const onPath = depth >= 0 && node.name === parts[depth];
      if (onPath && depth === parts.length - 1) continue;
      for (const blob of node.content ?? []) used.add(blob);
      if (node.type === 'dir' && node.subtree) stack.push({ tree: node.subtree, depth: onPath ? depth + 1 : -1 });
    }
  }
  return used;
}
