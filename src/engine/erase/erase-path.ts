/**
 * Erasure of one path from every recovery point (GDPR Art. 17), on an open repository and under
 * its exclusive lock:
 *   1. find every snapshot that holds the path: in its tree, or named in its `paths`, `warnings`
 *      or `tags` (./snapshot-fields.ts). The path is given by name or, for a tombstone, as keyed
 *      hashes (./path-match.ts): the engine never needs more than an `ErasedPath`;
 *   2. write, for each, a rewritten snapshot (same time, host and the rest; a tree without the
 *      path; `paths`, `warnings` and `tags` without anything naming it; an `erasures` entry naming
 *      the request and the original id) — trees → index → snapshot, as every write. A snapshot
 *      whose every backed-up path is at or below the erased one holds nothing else: it gets no
 *      copy and is forgotten;
 *   3. remove the original snapshots (from now on nothing uses the erased data);
 *   4. prune, forcing every pack that holds a blob only the erased path used to be repacked or
 *      deleted, and verify that no such blob is still stored.
 * A crash at any step leaves a repository that checks clean: after 2, the originals are still
 * there (and a re-run finds their rewritten copies instead of writing new ones); after 3, only
 * unused data is left, which a re-run (`resume`) prunes. Tombstones and receipts, which live in
 * the app data folder, are kept by src/app/privacy/erasure. Messages never name the path: the
 * app keeps task messages, and the caller knows what it asked for.
 */
import { CairnError, IntegrityError } from '../errors.js';
import type { Snapshot, SnapshotRecord } from '../format/snapshot.js';
import type { TreeNode } from '../format/tree.js';
import { type PruneProgress, planPrune, pruneUnderLock } from '../prune/prune.js';
import { withLock } from '../repo/lock.js';
import type { Repository } from '../repo/repository.js';
import { bypassRestriction } from '../repo/restriction.js';
import { type Clock, isoTime, systemClock } from '../util/clock.js';
import { ErasedPath } from './path-match.js';
import { blobsBelow, countBelow, locate, treeWithout } from './rewrite-snapshot.js';
import { erasedPathInFields, scrubFields } from './snapshot-fields.js';

export interface ErasePathProgress {
  phase: 'find' | 'rewrite' | 'remove' | 'prune' | 'verify';
  done: number;
  total: number;
}

export interface ErasePathOptions {
  /** The erasure request (names the receipt; recorded in each rewritten snapshot). */
  requestId: string;
  /** Only the recovery points this accepts (a tombstone applied again: see src/app/privacy/erasure). */
  applies?: (snapshot: SnapshotRecord) => boolean;
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

export interface ForgottenPoint {
  /** Id of the recovery point removed without a copy: everything it backed up was erased. */
  original: string;
  time: string;
}

export interface ErasePathResult {
  requestId: string;
  repositoryId: string;
  /**
   * The erased path as the recovery points name it (in memory only: callers keep a keyed hash);
   * null when no recovery point held it any more (an interrupted erasure only finished).
   */
  path: string | null;
  dryRun: boolean;
  /** The recovery points that held the path (dry run: would be rewritten or forgotten). */
  recoveryPoints: { id: string; time: string }[];
  rewritten: RewrittenPoint[];
  /** Recovery points every backed-up path of which was at or below the erased one: removed, no copy. */
  forgotten: ForgottenPoint[];
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

/** A recovery point that holds the erased path, and where its tree holds it (if it does). */
interface Found {
  snapshot: SnapshotRecord;
  at: { path: string; node: TreeNode } | undefined;
}

/** Whether `s` holds the erased path: in its tree, or named by its paths, warnings or tags. */
export function holdsErasedPath(repo: Repository, s: SnapshotRecord, erased: ErasedPath): Promise<boolean> {
  // A frozen point is erased from too (erasure wins over restriction; the freeze moves to its copy).
  return bypassRestriction('erasure', async () => (await find(repo, s, erased)) !== undefined);
}

/** Where `s` holds the erased path: in its tree, or only named by its fields; undefined when nowhere. */
async function find(repo: Repository, s: SnapshotRecord, erased: ErasedPath): Promise<Found | undefined> {
  const at = await locate(repo, s.tree, erased);
  if (at || erasedPathInFields(s, erased) !== undefined) return { snapshot: s, at };
  return undefined;
}

/**
 * Erases `target` from every recovery point, frozen ones included: an absolute repository path as
 * stored (see `erasurePath`), or an `ErasedPath` (a tombstone's hashes).
 */
export function erasePath(
  repo: Repository,
  target: string | ErasedPath,
  options: ErasePathOptions,
): Promise<ErasePathResult> {
  return bypassRestriction('erasure', () => eraseEverywhere(repo, target, options));
}

async function eraseEverywhere(
  repo: Repository,
  target: string | ErasedPath,
  options: ErasePathOptions,
): Promise<ErasePathResult> {
  const erased = typeof target === 'string' ? ErasedPath.named(target) : target;
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
        `recovery point ${unreadable.id.slice(0, 8)} cannot be read (${unreadable.reason}), so the erasure cannot tell whether it holds the path; nothing was changed. Run the erasure again; if that recovery point stays unreadable, remove it first with "cairn forget ${unreadable.id.slice(0, 8)}"`,
      );
    }
    const candidates = options.applies ? all.filter(options.applies) : all;
    const found: Found[] = [];
    for (const [i, s] of candidates.entries()) {
      progress?.({ phase: 'find', done: i, total: candidates.length });
      const f = await find(repo, s, erased);
      if (f) found.push(f);
    }
    progress?.({ phase: 'find', done: candidates.length, total: candidates.length });
    const name =
      erased.name ??
      found.map((f) => f.at?.path ?? erasedPathInFields(f.snapshot, erased)).find((p) => p !== undefined) ??
      null;
    const result: ErasePathResult = {
      requestId: options.requestId,
      repositoryId: repo.config.id,
      path: name,
      dryRun: options.dryRun === true,
      recoveryPoints: found.map((f) => ({ id: f.snapshot.id, time: f.snapshot.time })),
      rewritten: [],
      forgotten: [],
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
        `no recovery point${options.applies ? ' the erasure applies to' : ''} contains this path: nothing to erase (paths are absolute, as backed up; see "cairn ls")`,
      );
    }

    // Everything only the path reaches: its blobs, and the trees that named it or led to it.
    const erasedBlobs = new Set<string>();
    for (const f of found) if (f.at) await blobsBelow(repo, f.at.node, erasedBlobs);
    const newest = found.filter((f) => f.at).at(-1)?.at;
    if (newest) Object.assign(result, await countBelow(repo, newest.node));
    // Points that keep no backed-up path hold nothing once the path is gone: they are forgotten.
    const forgets = new Set(found.filter((f) => scrubFields(f.snapshot, erased).paths.length === 0));

    if (options.dryRun) {
      const kept = await usedWithout(
        repo,
        all.filter((s) => ![...forgets].some((f) => f.snapshot.id === s.id)),
        erased,
      );
      for (const f of forgets) await blobsBelow(repo, rootNode(f.snapshot.tree), erasedBlobs);
      for (const id of erasedBlobs) {
        if (kept.has(id)) result.blobsSharedWithOtherFiles++;
        else {
          result.blobsErased++;
          result.bytesToFree += repo.index.get(id)?.length ?? 0;
        }
      }
      return result;
    }

    options.signal?.throwIfAborted();
    await options.beforeChange?.(found.map((f) => f.snapshot));

    if (found.length > 0) {
      // 2. Rewritten copies first (a copy left by an interrupted run of any request is reused).
      const copies = new Map<string, SnapshotRecord>();
      for (const s of all) {
        const last = s.erasures?.at(-1);
        if (last) copies.set(last.original, s);
      }
      for (const [i, f] of found.entries()) {
        progress?.({ phase: 'rewrite', done: i, total: found.length });
        const s = f.snapshot;
        if (forgets.has(f)) {
          // Its trees named the path or led to it: they must go with it, unless another point uses them.
          await blobsBelow(repo, rootNode(s.tree), erasedBlobs);
          result.forgotten.push({ original: s.id, time: s.time });
          continue;
        }
        const existing = copies.get(s.id);
        if (existing && !(await find(repo, existing, erased))) {
          result.rewritten.push({ original: s.id, rewritten: existing.id, time: s.time });
          continue;
        }
        result.rewritten.push({
          original: s.id,
          rewritten: await saveWithout(repo, f, erased, erasedBlobs, options.requestId, clock),
          time: s.time,
        });
      }
      progress?.({ phase: 'rewrite', done: found.length, total: found.length });
      if (options.__testFailAfter === 'rewrite') throw new Error('erasure interrupted after rewriting (test)');

      // 3. The originals go: from now on no recovery point uses the erased data.
      for (const [i, f] of found.entries()) {
        progress?.({ phase: 'remove', done: i, total: found.length });
        await repo.removeSnapshot(f.snapshot.id);
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
        found.length > 0
          ? { mustRemoveBlobs: erasedBlobs, clock, onProgress }
          : { repackThreshold: 1, clock, onProgress },
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
    const after = await planPrune(repo, { mustRemoveBlobs: erasedBlobs });
    const leftover =
      found.length > 0 ? [...erasedBlobs].filter((id) => after.unusedBlobs.has(id)) : [...after.unusedBlobs];
    if (leftover.length > 0) {
      throw new IntegrityError(
        `erasure: ${leftover.length} blob(s) are still stored after pruning (first: ${leftover[0]?.slice(0, 12)}); run the erasure again`,
      );
    }
    for (const id of erasedBlobs) {
      if (after.usedBlobs.has(id)) result.blobsSharedWithOtherFiles++;
      else result.blobsErased++;
    }
    progress?.({ phase: 'verify', done: 1, total: 1 });
    result.physicallyDeletedAt = isoTime(clock);
    return result;
  };
  return withLock(repo, options.dryRun ? 'erase --dry-run' : 'erase', !options.dryRun, underLock, { clock });
}

/** A folder node for a root tree, so that `blobsBelow` takes a whole recovery point. */
function rootNode(tree: string): TreeNode {
  return { name: '', type: 'dir', mode: 0o755, mtime: 0, subtree: tree };
}

/**
 * Writes the copy of a found point without the erased path (tree, paths, warnings, tags) and
 * returns its id; the trees it replaced join `erasedBlobs`.
 */
async function saveWithout(
  repo: Repository,
  f: Found,
  erased: ErasedPath,
  erasedBlobs: Set<string>,
  requestId: string,
  clock: Clock,
): Promise<string> {
  const { id: original, ...doc } = f.snapshot;
  let tree = doc.tree;
  let removed = { files: 0, bytes: 0 };
  if (f.at) {
    const rewrite = await treeWithout(repo, doc.tree, f.at.path);
    if (!rewrite) throw new IntegrityError(`recovery point ${original.slice(0, 8)} changed while it was being erased`);
    for (const t of rewrite.replacedTrees) erasedBlobs.add(t);
    removed = await countBelow(repo, rewrite.removed);
    tree = rewrite.tree;
  }
  const snapshot: Snapshot = {
    ...doc,
    ...scrubFields(doc, erased),
    tree,
    summary: {
      ...doc.summary,
      totalFiles: Math.max(0, doc.summary.totalFiles - removed.files),
      totalBytes: Math.max(0, doc.summary.totalBytes - removed.bytes),
    },
    erasures: [...(doc.erasures ?? []), { request: requestId, original, time: isoTime(clock) }],
  };
  return repo.saveSnapshot(snapshot);
}

/**
 * Every blob the given snapshots reach when the erased path is left out: trees on the way to the
 * path are visited per path (their copies without it would differ), all others once.
 */
async function usedWithout(repo: Repository, snapshots: SnapshotRecord[], erased: ErasedPath): Promise<Set<string>> {
  const used = new Set<string>();
  const seen = new Set<string>();
  // `prefix` is the folder's path while it is on the way to the erased path, else null.
  const stack: { tree: string; prefix: string | null; depth: number }[] = snapshots.map((s) => ({
    tree: s.tree,
    prefix: '',
    depth: 0,
  }));
  while (stack.length > 0) {
    const { tree, prefix, depth } = stack.pop() as { tree: string; prefix: string | null; depth: number };
    const key = prefix !== null ? `${tree}@${prefix}` : tree;
    if (seen.has(key)) continue;
    seen.add(key);
    // A tree on the way to the path is rewritten: its own id is not kept.
    if (prefix === null) used.add(tree);
    for (const node of (await repo.loadTree(tree)).nodes) {
      const path = prefix !== null ? `${prefix}/${node.name}` : null;
      const onPath = path !== null && erased.isPrefix(path, depth + 1);
      if (onPath && depth + 1 === erased.depth) continue;
      for (const blob of node.content ?? []) used.add(blob);
      if (node.type === 'dir' && node.subtree)
        stack.push({ tree: node.subtree, prefix: onPath ? path : null, depth: depth + 1 });
    }
  }
  return used;
}
