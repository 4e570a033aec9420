/**
 * Prune planning: which blobs the remaining recovery points still use, and what that means for
 * every stored pack (keep, repack, delete). Reads the index files, the snapshots and every tree
 * they reach, and changes nothing: `forget --dry-run` and `prune --dry-run` report this plan, and
 * `prune` re-checks it under its exclusive lock before acting on it.
 *
 * Trees are read through a location map built here from the index files, not through the
 * session index of the Repository, so a plan can be made again after the index files changed.
 */
import { CairnError, IntegrityError } from '../errors.js';
import { decodeBlob } from '../format/blob-codec.js';
import type { IndexFile } from '../format/index-file.js';
import type { PackEntry } from '../format/pack.js';
import { decodeTree } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';

export const DEFAULT_REPACK_THRESHOLD = 0.7;

export interface PlanOptions {
  /** Snapshot ids (full) to treat as already forgotten. */
  removeSnapshots?: string[];
  /** Repack packs whose live share of blob bytes is below this (0 … 1); default 0.7. */
  repackThreshold?: number;
  /**
   * Blobs that must not stay stored when no remaining snapshot uses them (erasure): a pack holding
   * any of them unused is repacked (or deleted) whatever its live share.
   */
  mustRemoveBlobs?: ReadonlySet<string>;
}

/** One stored, indexed pack and what the plan found in it. */
export interface PackPlan {
  id: string;
  /** Stored size of the pack. */
  size: number;
  /** Every blob the index lists in this pack. */
  entries: PackEntry[];
  /** The blobs of this pack a remaining snapshot uses (and that are read from this pack). */
  liveEntries: PackEntry[];
  /** Stored bytes of `liveEntries`. */
  liveBytes: number;
}

export interface PrunePlan {
  repackThreshold: number;
  /** Snapshots that remain (their blobs are kept). */
  snapshots: string[];
  /** Snapshots the plan treats as forgotten. */
  removeSnapshots: string[];
  /** Every index file that exists now, with its size; prune supersedes and removes all of them. */
  indexFiles: { id: string; size: number }[];
  /** Index files another one supersedes (left by an interrupted prune). */
  supersededIndexFiles: string[];
  /** Blobs reachable from the remaining snapshots. */
  usedBlobs: Set<string>;
  /** Indexed blobs no remaining snapshot uses. */
  unusedBlobs: Set<string>;
  /** Packs that stay as they are. */
  packsToKeep: PackPlan[];
  /** Indexed packs that hold no used blob. */
  packsToDelete: PackPlan[];
  /** Packs whose used blobs are copied to new packs before the pack is deleted. */
  packsToRepack: PackPlan[];
  /** Stored packs that no index lists (left by interrupted backups or prunes). */
  unindexedPacks: { id: string; size: number }[];
  /** Packs an index lists that are not stored (none of their blobs is used, or planning fails). */
  missingPacks: string[];
  /** Bytes freed: deleted and unindexed packs, and the unused part of repacked packs. */
  reclaimBytes: number;
  /** Stored bytes that stay: kept packs and the used blobs of repacked packs. */
  keepBytes: number;
}

/** What a plan amounts to, as numbers (for output). */
export interface PlanSummary {
  snapshots: number;
  usedBlobs: number;
  unusedBlobs: number;
  packsToKeep: number;
  packsToDelete: number;
  packsToRepack: number;
  unindexedPacks: number;
  reclaimBytes: number;
  keepBytes: number;
}

export function summarizePlan(plan: PrunePlan): PlanSummary {
  return {
    snapshots: plan.snapshots.length,
    usedBlobs: plan.usedBlobs.size,
    unusedBlobs: plan.unusedBlobs.size,
    packsToKeep: plan.packsToKeep.length,
    packsToDelete: plan.packsToDelete.length,
    packsToRepack: plan.packsToRepack.length,
    unindexedPacks: plan.unindexedPacks.length,
    reclaimBytes: plan.reclaimBytes,
    keepBytes: plan.keepBytes,
  };
}

/** True when pruning by this plan would change nothing. */
export function planIsEmpty(plan: PrunePlan): boolean {
  return (
    plan.packsToDelete.length === 0 &&
    plan.packsToRepack.length === 0 &&
    plan.unindexedPacks.length === 0 &&
    plan.missingPacks.length === 0 &&
    plan.supersededIndexFiles.length === 0
  );
}

export function validateThreshold(value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new CairnError('invalid-argument', `the repack threshold must be a number from 0 to 1 (got ${value})`);
  }
  return value;
}

interface Location {
  pack: string;
  entry: PackEntry;
}

/** Computes a prune plan. Reads only; the repository is not modified. */
export async function planPrune(repo: Repository, options: PlanOptions = {}): Promise<PrunePlan> {
  const repackThreshold = validateThreshold(options.repackThreshold ?? DEFAULT_REPACK_THRESHOLD);

  // Index files: the packs of every index file that no other one supersedes.
  const indexSizes = new Map<string, number>();
  for await (const info of repo.backend.list('index')) indexSizes.set(info.id, info.size);
  const files: { id: string; index: IndexFile }[] = [];
  for (const id of indexSizes.keys()) files.push({ id, index: await readIndexFile(repo, id) });
  const superseded = new Set(files.flatMap((f) => f.index.supersedes));
  const indexedPacks = new Map<string, PackEntry[]>();
  for (const { id, index } of files) {
    if (superseded.has(id)) continue;
    for (const pack of index.packs) if (!indexedPacks.has(pack.id)) indexedPacks.set(pack.id, pack.blobs);
  }

  const storedPacks = new Map<string, number>();
  for await (const info of repo.backend.list('data')) storedPacks.set(info.id, info.size);

  // Where each blob is read from: its first location in a stored pack.
  const locations = new Map<string, Location>();
  const allIndexed = new Set<string>();
  for (const [pack, entries] of indexedPacks) {
    for (const entry of entries) {
      allIndexed.add(entry.id);
      if (storedPacks.has(pack) && !locations.has(entry.id)) locations.set(entry.id, { pack, entry });
    }
  }

  // Snapshots that remain, and every blob they reach.
  const snapshotIds = await repo.listIds('snapshots');
  const removeSnapshots = [...new Set(options.removeSnapshots ?? [])];
  for (const id of removeSnapshots) {
    if (!snapshotIds.includes(id)) throw new CairnError('not-found', `no recovery point ${id}`);
  }
  const removing = new Set(removeSnapshots);
  const snapshots = snapshotIds.filter((id) => !removing.has(id)).sort();
  const usedBlobs = await markUsedBlobs(repo, snapshots, locations);

  const missingUsed = [...usedBlobs].filter((id) => !locations.has(id));
  if (missingUsed.length > 0) {
    throw new IntegrityError(
      `${missingUsed.length} blob(s) the recovery points use are not in the index or their pack is missing (first: ${missingUsed[0]?.slice(0, 12)}); prune refuses to run on a damaged repository — run "cairn check"`,
    );
  }

  const plan: PrunePlan = {
    repackThreshold,
    snapshots,
    removeSnapshots,
    indexFiles: [...indexSizes].map(([id, size]) => ({ id, size })),
    supersededIndexFiles: files.filter((f) => superseded.has(f.id)).map((f) => f.id),
    usedBlobs,
    unusedBlobs: new Set([...allIndexed].filter((id) => !usedBlobs.has(id))),
    packsToKeep: [],
    packsToDelete: [],
    packsToRepack: [],
    unindexedPacks: [],
    missingPacks: [],
    reclaimBytes: 0,
    keepBytes: 0,
  };
  for (const [pack, entries] of indexedPacks) {
    const size = storedPacks.get(pack);
    if (size === undefined) {
      plan.missingPacks.push(pack);
      continue;
    }
    const liveEntries = entries.filter((e) => usedBlobs.has(e.id) && locations.get(e.id)?.pack === pack);
    const liveBytes = liveEntries.reduce((sum, e) => sum + e.length, 0);
    const blobBytes = entries.reduce((sum, e) => sum + e.length, 0);
    const packPlan: PackPlan = { id: pack, size, entries, liveEntries, liveBytes };
    const mustGo = options.mustRemoveBlobs;
    const holdsErased = mustGo !== undefined && entries.some((e) => mustGo.has(e.id) && !usedBlobs.has(e.id));
    if (liveEntries.length === 0) {
      plan.packsToDelete.push(packPlan);
      plan.reclaimBytes += size;
    } else if ((blobBytes > 0 && liveBytes / blobBytes < repackThreshold) || holdsErased) {
      plan.packsToRepack.push(packPlan);
      plan.reclaimBytes += size - liveBytes;
      plan.keepBytes += liveBytes;
    } else {
      plan.packsToKeep.push(packPlan);
      plan.keepBytes += size;
    }
  }
  for (const [id, size] of storedPacks) {
    if (indexedPacks.has(id)) continue;
    plan.unindexedPacks.push({ id, size });
    plan.reclaimBytes += size;
  }
  return plan;
}

/** Every tree and data blob reachable from the given snapshots. */
async function markUsedBlobs(
  repo: Repository,
  snapshotIds: string[],
  locations: Map<string, Location>,
): Promise<Set<string>> {
  const used = new Set<string>();
  const stack: string[] = [];
  for (const id of snapshotIds) {
    try {
      stack.push((await repo.loadSnapshot(id)).tree);
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      throw new IntegrityError(
        `recovery point ${id.slice(0, 8)} cannot be read (${err.message}); prune cannot tell which data it uses and refuses to run: remove it with "cairn forget ${id.slice(0, 8)}" first`,
        { cause: err },
      );
    }
  }
  while (stack.length > 0) {
    const treeId = stack.pop() as string;
    if (used.has(treeId)) continue;
    used.add(treeId);
    const loc = locations.get(treeId);
    if (!loc) continue; // reported as missing by the caller
    const stored = await repo.backend.load(
      { kind: 'data', id: loc.pack },
      { offset: loc.entry.offset, length: loc.entry.length },
    );
    const tree = decodeTree(
      decodeBlob(repo.keys.dataKey, repo.keys.idKey, stored, treeId, loc.entry.rawLength),
      `tree ${treeId.slice(0, 12)}`,
    );
    for (const node of tree.nodes) {
      if (node.type === 'dir' && node.subtree) stack.push(node.subtree);
      for (const blob of node.content ?? []) used.add(blob);
    }
  }
  return used;
}

/** An index file for planning: a damaged one stops the plan, naming the repair. */
async function readIndexFile(repo: Repository, id: string): Promise<IndexFile> {
  try {
    return await repo.loadIndexFile(id);
  } catch (err) {
    if (!(err instanceof IntegrityError)) throw err;
    throw new IntegrityError(
      `${err.message}; prune refuses to run while an index file is damaged, since it could delete data only that file lists: run "cairn repair index" first`,
      { cause: err },
    );
  }
}
