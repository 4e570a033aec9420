/**
 * Prune: removes the data no remaining recovery point uses (docs/repository-format.md, "Prune").
 * Runs under an exclusive lock, so no backup, restore or check (all shared locks) overlaps it.
 *
 * Order, chosen so that a crash at any moment leaves every snapshot's blobs indexed and stored:
 *   1. repack — copy the used blobs of sparse packs into new packs (new packs are saved, not yet
 *      indexed: a crash here leaves only unindexed packs, which the next prune removes);
 *   2. index — write ONE new index file listing every pack that stays plus the new packs, with
 *      `supersedes` = every existing index file (from now on readers ignore the old ones);
 *   3. remove the old index files;
 *   4. remove the packs the new index does not list: fully unused packs, repacked originals and
 *      unindexed leftovers (none of them is referenced by any index that is still read).
 * Before planning, temporary files a crashed save left (older than an hour) are removed.
 * Nothing a remaining snapshot needs is removed before the index that locates its new copy is
 * stored. Every step that writes or removes first checks that the exclusive lock is still valid
 * (a computer that slept past the stale limit may have let a backup start meanwhile). Sessions
 * that loaded the index before a prune see the new one on their next refresh (`withLock`).
 */
import { IntegrityError } from '../errors.js';
import { decodeBlob } from '../format/blob-codec.js';
import type { IndexedPack } from '../format/index-file.js';
import { decodePackHeader } from '../format/pack.js';
import { withLock } from '../repo/lock.js';
import { PackWriter, type SavedPack } from '../repo/pack-writer.js';
import type { Repository } from '../repo/repository.js';
import { type Clock, systemClock } from '../util/clock.js';
import { mapLimit } from '../util/concurrency.js';
import { DEFAULT_REPACK_THRESHOLD, type PrunePlan, planIsEmpty, planPrune } from './plan.js';

export {
  DEFAULT_REPACK_THRESHOLD,
  type PackPlan,
  type PlanOptions,
  type PlanSummary,
  type PrunePlan,
  planPrune,
  summarizePlan,
} from './plan.js';

/** Tree blobs are repacked into packs of this size, like the packs backups write for them. */
const TREE_PACK_SIZE = 4 * 1024 * 1024;
/** Temporary files older than this are leftovers of a crashed save (see `Backend.cleanTemporaryFiles`). */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

export interface PruneProgress {
  phase: 'plan' | 'repack' | 'index' | 'delete';
  done: number;
  total: number;
}

export interface PruneOptions {
  /** Used when no plan is given, or when the given plan no longer matches the repository. */
  repackThreshold?: number;
  /** Packs holding any of these blobs unused are repacked whatever their live share (erasure). */
  mustRemoveBlobs?: ReadonlySet<string>;
  onProgress?: (p: PruneProgress) => void;
  /** Dates the lock and tells leftover temporary files by age (default: the system clock). */
  clock?: Clock;
  /** Tests only: fail right after the given step, to simulate a crash there. */
  __testFailAfter?: 'repack' | 'index';
}

export interface PruneResult {
  /** Stored bytes removed minus stored bytes written (new packs and the new index file). */
  bytesFreed: number;
  /** Packs removed: fully unused, repacked originals and unindexed leftovers. */
  packsDeleted: number;
  packsRepacked: number;
  /** Blobs that were indexed before and are not any more. */
  blobsRemoved: number;
}

/**
 * Prunes the repository under an exclusive lock. A given plan is used only when it still
 * matches the repository (same snapshots, index files and packs); otherwise, and when none is
 * given, a fresh plan of the repository as it is now is made under the lock.
 */
export async function prune(repo: Repository, plan?: PrunePlan, options: PruneOptions = {}): Promise<PruneResult> {
  const clock = options.clock ?? systemClock;
  return withLock(repo, 'prune', true, () => pruneUnderLock(repo, plan, { ...options, clock }), { clock });
}

/** `prune` for a caller that already holds the repository's exclusive lock (erasure). */
export async function pruneUnderLock(
  repo: Repository,
  plan?: PrunePlan,
  options: PruneOptions = {},
): Promise<PruneResult> {
  options.onProgress?.({ phase: 'plan', done: 0, total: 1 });
  // No backup runs under our exclusive lock; the age spares a writer that ignores locks.
  await repo.backend.cleanTemporaryFiles?.(LEFTOVER_AGE_MS, (options.clock ?? systemClock)());
  const threshold = plan?.repackThreshold ?? options.repackThreshold ?? DEFAULT_REPACK_THRESHOLD;
  const current =
    plan && !options.mustRemoveBlobs && (await planMatchesRepository(repo, plan))
      ? plan
      : await planPrune(repo, { repackThreshold: threshold, mustRemoveBlobs: options.mustRemoveBlobs });
  options.onProgress?.({ phase: 'plan', done: 1, total: 1 });
  return executePlan(repo, current, options);
}

/** True when the snapshots, index files and packs are exactly those the plan was made from. */
async function planMatchesRepository(repo: Repository, plan: PrunePlan): Promise<boolean> {
  const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;
  if (!sameSet(await repo.listIds('snapshots'), plan.snapshots)) return false;
  if (
    !sameSet(
      await repo.listIds('index'),
      plan.indexFiles.map((f) => f.id),
    )
  )
    return false;
  const planned = [...plan.packsToKeep, ...plan.packsToDelete, ...plan.packsToRepack, ...plan.unindexedPacks].map(
    (p) => `${p.id}:${p.size}`,
  );
  const stored: string[] = [];
  for await (const info of repo.backend.list('data')) stored.push(`${info.id}:${info.size}`);
  return sameSet(stored, planned);
}

/** Copies the used blobs of the packs to repack into the two writers (not flushed). */
async function repackInto(
  repo: Repository,
  plan: PrunePlan,
  dataWriter: PackWriter,
  treeWriter: PackWriter,
  options: PruneOptions,
): Promise<void> {
  for (const [i, pack] of plan.packsToRepack.entries()) {
    options.onProgress?.({ phase: 'repack', done: i, total: plan.packsToRepack.length });
    const what = `pack ${pack.id.slice(0, 12)}`;
    const bytes = await repo.backend.load({ kind: 'data', id: pack.id });
    const header = new Map(decodePackHeader(repo.keys.dataKey, bytes, what).map((e) => [e.id, e]));
    for (const entry of pack.liveEntries) {
      const inHeader = header.get(entry.id);
      if (!inHeader || inHeader.offset !== entry.offset || inHeader.length !== entry.length) {
        throw new IntegrityError(
          `${what}: the index and the pack header disagree on blob ${entry.id.slice(0, 12)}; prune stopped before changing anything — run "cairn check"`,
        );
      }
      const stored = bytes.subarray(entry.offset, entry.offset + entry.length);
      // Copy only what is intact: a damaged blob must not be carried into a new pack unnoticed.
      decodeBlob(repo.keys.dataKey, repo.keys.idKey, stored, entry.id, entry.rawLength);
      const writer = entry.type === 'tree' ? treeWriter : dataWriter;
      await writer.add(entry.type, entry.id, Buffer.from(stored), entry.rawLength);
    }
  }
}

async function executePlan(repo: Repository, plan: PrunePlan, options: PruneOptions): Promise<PruneResult> {
  if (planIsEmpty(plan)) return { bytesFreed: 0, packsDeleted: 0, packsRepacked: 0, blobsRemoved: 0 };
  const progress = options.onProgress;

  // 1. Repack: copy the used blobs of sparse packs into new packs.
  const newPacks: SavedPack[] = [];
  const onSaved = (pack: SavedPack) => newPacks.push(pack);
  const dataWriter = new PackWriter(repo.backend, repo.keys.dataKey, repo.config.packSize, onSaved);
  const treeWriter = new PackWriter(repo.backend, repo.keys.dataKey, TREE_PACK_SIZE, onSaved);
  try {
    await repackInto(repo, plan, dataWriter, treeWriter, options);
  } catch (err) {
    // The packs being filled are dropped; the packs already saved are unindexed leftovers.
    await dataWriter.abandon();
    await treeWriter.abandon();
    throw err;
  }
  await dataWriter.flush();
  await treeWriter.flush();

  progress?.({ phase: 'repack', done: plan.packsToRepack.length, total: plan.packsToRepack.length });
  if (options.__testFailAfter === 'repack') throw new Error('prune interrupted after repacking (test)');

  // 2. One new index: every pack that stays and every new pack; it supersedes all existing ones.
  progress?.({ phase: 'index', done: 0, total: 1 });
  const packs: IndexedPack[] = [
    ...plan.packsToKeep.map((p) => ({ id: p.id, blobs: p.entries })),
    ...newPacks.map((p) => ({ id: p.id, blobs: p.entries })),
  ];
  const oldIndexIds = plan.indexFiles.map((f) => f.id);
  const newIndexId = await repo.saveIndexFile({ version: 1, supersedes: oldIndexIds, packs });
  const newIndexSize = (await repo.backend.stat({ kind: 'index', id: newIndexId })).size;
  progress?.({ phase: 'index', done: 1, total: 1 });
  if (options.__testFailAfter === 'index') throw new Error('prune interrupted after writing the new index (test)');

  // 3. The old index files, then 4. the packs no index lists any more.
  const obsoletePacks = [...plan.packsToDelete, ...plan.packsToRepack, ...plan.unindexedPacks];
  const total = oldIndexIds.length + obsoletePacks.length;
  let done = 0;
  const staleIndexIds = oldIndexIds.filter((id) => id !== newIndexId);
  await mapLimit(staleIndexIds, 4, async (id) => {
    repo.assertLocksValid();
    await repo.backend.remove({ kind: 'index', id });
    progress?.({ phase: 'delete', done: ++done, total });
  });
  await mapLimit(obsoletePacks, 4, async (pack) => {
    // A lost lock means a backup may now be indexing what this prune took for unused.
    repo.assertLocksValid();
    await repo.backend.remove({ kind: 'data', id: pack.id });
    progress?.({ phase: 'delete', done: ++done, total });
  });

  const removedBytes =
    obsoletePacks.reduce((sum, p) => sum + p.size, 0) +
    plan.indexFiles.filter((f) => f.id !== newIndexId).reduce((sum, f) => sum + f.size, 0);
  const writtenBytes =
    newPacks.reduce((sum, p) => sum + p.size, 0) + (oldIndexIds.includes(newIndexId) ? 0 : newIndexSize);
  const before = new Set(
    [...plan.packsToKeep, ...plan.packsToDelete, ...plan.packsToRepack].flatMap((p) => p.entries.map((e) => e.id)),
  );
  const after = new Set(packs.flatMap((p) => p.blobs.map((e) => e.id)));
  return {
    bytesFreed: removedBytes - writtenBytes,
    packsDeleted: obsoletePacks.length,
    packsRepacked: plan.packsToRepack.length,
    blobsRemoved: [...before].filter((id) => !after.has(id)).length,
  };
}
