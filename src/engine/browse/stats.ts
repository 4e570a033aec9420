/**
 * Repository statistics: how much the recovery points hold, how much is stored, and what
 * deduplication and compression saved.
 */
import type { Repository } from '../repo/repository.js';

export interface RepositoryStats {
  snapshots: number;
  packs: number;
  /** Bytes of pack, index, snapshot and key files at the storage location. */
  storedBytes: number;
  blobs: number;
  /** Plaintext bytes of all unique blobs (after deduplication, before compression). */
  uniqueBytes: number;
  /** Sum of the file bytes of every recovery point (what restoring all of them would write). */
  totalRestoreBytes: number;
  latestSnapshotBytes: number;
  compressionRatio: number;
  deduplicationRatio: number;
}

export async function repositoryStats(repo: Repository): Promise<RepositoryStats> {
  await repo.loadIndex();
  const snapshots = await repo.listSnapshots();
  let storedBytes = 0;
  let packs = 0;
  for (const kind of ['data', 'index', 'snapshots', 'keys'] as const) {
    for await (const info of repo.backend.list(kind)) {
      storedBytes += info.size;
      if (kind === 'data') packs++;
    }
  }
  let uniqueBytes = 0;
  let uniqueStored = 0;
  for (const [, loc] of repo.index.entries()) {
    if (loc.type !== 'data') continue;
    uniqueBytes += loc.rawLength;
    uniqueStored += loc.length;
  }
  const totalRestoreBytes = snapshots.reduce((s, x) => s + x.summary.totalBytes, 0);
  return {
    snapshots: snapshots.length,
    packs,
    storedBytes,
    blobs: repo.index.blobCount,
    uniqueBytes,
    totalRestoreBytes,
    latestSnapshotBytes: snapshots.at(-1)?.summary.totalBytes ?? 0,
    compressionRatio: uniqueStored > 0 ? uniqueBytes / uniqueStored : 1,
    deduplicationRatio: uniqueBytes > 0 ? totalRestoreBytes / uniqueBytes : 1,
  };
}
