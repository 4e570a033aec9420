/**
 * The repairs as the command line and the app run them: the engine's repair, then what the
 * privacy records need. A repair that changed something is recorded in the audit trail
 * (`repair.index`, `repair.snapshots`: counts and object ids, no file names), and the repaired
 * copy of a frozen recovery point is frozen too, so a repair never lifts a restriction. The
 * result types are passed on from the engine for the callers (`cairn repair`, handlers/repair.ts).
 */

import { type RepairIndexOptions, type RepairIndexResult, repairIndex } from '../../engine/repair/repair-index.js';
import {
  type RepairSnapshotsOptions,
  type RepairSnapshotsResult,
  repairSnapshots,
} from '../../engine/repair/repair-snapshots.js';
import type { Repository } from '../../engine/repo/repository.js';
import { systemClock } from '../../engine/util/clock.js';
import type { FrozenPoints } from '../privacy/restriction/frozen.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export type { RepairIndexOptions, RepairIndexResult } from '../../engine/repair/repair-index.js';
export type { RepairSnapshotsOptions, RepairSnapshotsResult } from '../../engine/repair/repair-snapshots.js';

export interface RepairRecords {
  frozen: FrozenPoints;
  /** Where repairs are audited; a record that cannot be written never fails the repair. */
  records: RepositoryRecords;
}

export async function repairIndexWithRecords(
  repo: Repository,
  options: RepairIndexOptions,
  records: RepairRecords,
): Promise<RepairIndexResult> {
  const r = await repairIndex(repo, options);
  if (r.changed && !r.dryRun) {
    appendAudit(records.records, 'repair.index', {
      repositoryId: repo.config.id,
      readData: r.readData,
      newIndexFile: r.newIndexFile ?? null,
      indexFilesRemoved: r.indexFilesRemoved,
      indexFilesDamaged: r.indexFilesDamaged.map((f) => f.id),
      packsMissing: r.packsMissing,
      packsUnreadable: r.packsUnreadable.map((p) => p.id),
      packsDamaged: r.packsDamaged.map((p) => p.id),
      packsWritten: r.packsWritten,
      packsRemoved: r.packsRemoved,
      blobsDropped: r.blobsDropped,
      blobsAdded: r.blobsAdded,
    });
  }
  return r;
}

export async function repairSnapshotsWithRecords(
  repo: Repository,
  options: RepairSnapshotsOptions,
  records: RepairRecords,
): Promise<RepairSnapshotsResult & { frozenCopies: string[] }> {
  const r = await repairSnapshots(repo, options);
  const frozenCopies: string[] = [];
  if (r.dryRun || r.repaired.length === 0) return { ...r, frozenCopies };
  for (const p of r.repaired) {
    const original = records.frozen.get(repo.config.id, p.original);
    if (!original || !p.repaired) continue;
    records.frozen.freeze(
      repo.config.id,
      p.repaired,
      `${original.reason} (repaired copy of ${p.original.slice(0, 8)})`,
      new Date((options.clock ?? systemClock)()),
    );
    frozenCopies.push(p.repaired);
  }
  appendAudit(records.records, 'repair.snapshots', {
    repositoryId: repo.config.id,
    repaired: r.repaired.map((p) => ({
      original: p.original,
      repaired: p.repaired ?? null,
      removedFiles: p.removedFiles,
      emptiedFolders: p.emptiedFolders,
    })),
    frozenCopies,
  });
  return { ...r, frozenCopies };
}
