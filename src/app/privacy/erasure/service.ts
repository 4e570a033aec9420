/**
 * Erasure as the CLI and the app run it: `erasePath` (./erase-path.ts) plus what lives in the app
 * data folder — the tombstone (written before the repository is changed), the receipt (written
 * when the data is physically deleted), freezes moved to the rewritten copies — and
 * `reapplyTombstones`, run whenever a repository is opened: it finishes an interrupted erasure and
 * erases a path again from recovery points (up to the erasure's time) that still hold it, e.g.
 * after an older copy of the repository was put back.
 */

import { type ErasePathProgress, type ErasePathResult, erasePath } from '../../../engine/erase/erase-path.js';
import { erasurePath, nodeAt } from '../../../engine/erase/rewrite-snapshot.js';
import type { Repository } from '../../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../../engine/util/clock.js';
import type { AuditDetails } from '../audit-trail.js';
import { FrozenPoints } from '../restriction/frozen.js';
import { type ErasureReceipt, ErasureRecords, newRequestId, type Tombstone } from './records.js';

export interface EraseOptions {
  dryRun?: boolean;
  /**
   * Dates the request, the tombstone, the engine's erasure records and lock, the moved freezes
   * and the receipt (default: the system clock).
   */
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (p: ErasePathProgress) => void;
  /** Tests only (see ErasePathOptions). */
  __testFailAfter?: 'rewrite' | 'remove';
}

export interface EraseOutcome extends ErasePathResult {
  /** Where the receipt was written (null for a dry run). */
  receiptFile: string | null;
  /** The request this one finished or re-applied, when it was not a new one. */
  reapplies: string | null;
}

/** What the audit trail records of an erasure: the request and its scope, never file contents. */
export function auditOfOutcome(r: EraseOutcome): AuditDetails {
  return {
    requestId: r.requestId,
    path: r.path,
    recoveryPointsRewritten: r.rewritten.length,
    bytesFreed: r.bytesFreed,
    removedFromUseAt: r.removedFromUseAt,
    physicallyDeletedAt: r.physicallyDeletedAt,
    receiptFile: r.receiptFile,
    reapplies: r.reapplies ?? null,
  };
}

function receiptOf(
  repo: Repository,
  result: ErasePathResult,
  requestedAt: string,
  reapplies: string | null,
): ErasureReceipt {
  return {
    version: 1,
    request: result.requestId,
    kind: reapplies ? 'reapply-tombstone' : 'erase-path',
    scope: { repositoryId: result.repositoryId, repositoryLocation: repo.location, path: result.path },
    requestedAt,
    ...(reapplies ? { reapplies } : {}),
    recoveryPointsRewritten: result.rewritten,
    filesErased: result.files,
    bytesErased: result.bytes,
    blobsErased: result.blobsErased,
    blobsSharedWithOtherFiles: result.blobsSharedWithOtherFiles,
    removedFromUseAt: result.removedFromUseAt,
    physicallyDeletedAt: result.physicallyDeletedAt,
    bytesFreed: result.bytesFreed,
    packsDeleted: result.packsDeleted,
    packsRepacked: result.packsRepacked,
  };
}

/**
 * Erases a path (absolute, as backed up) from every recovery point of `repo`, with tombstone and
 * receipt in `dataDir`. Re-running it after an interruption finishes the same request.
 */
export async function erasePathWithRecords(
  repo: Repository,
  dataDir: string,
  input: string,
  options: EraseOptions = {},
  reapply?: Tombstone,
): Promise<EraseOutcome> {
  const repoPath = erasurePath(input);
  const records = new ErasureRecords(dataDir);
  const repositoryId = repo.config.id;
  const clock = options.clock ?? systemClock;
  const now = () => new Date(clock());
  const requestedAt = now().toISOString();
  if (options.dryRun) {
    const r = await erasePath(repo, repoPath, {
      requestId: newRequestId('erase', now()),
      dryRun: true,
      clock,
      onProgress: options.onProgress,
    });
    return { ...r, receiptFile: null, reapplies: null };
  }
  const pending = records.pending(repositoryId, repoPath);
  const requestId = reapply ? newRequestId('reapply', now()) : (pending?.request ?? newRequestId('erase', now()));
  const result = await erasePath(repo, repoPath, {
    requestId,
    clock,
    resume: pending !== undefined && !reapply,
    upTo: reapply?.erasedAt,
    signal: options.signal,
    onProgress: options.onProgress,
    __testFailAfter: options.__testFailAfter,
    beforeChange: () => {
      if (!reapply && !pending)
        records.addTombstone(repositoryId, {
          path: repoPath,
          request: requestId,
          erasedAt: requestedAt,
          completedAt: null,
        });
    },
  });
  new FrozenPoints(dataDir).moveAll(repositoryId, result.rewritten, now());
  const receiptFile = records.writeReceipt(
    receiptOf(repo, result, pending?.erasedAt ?? requestedAt, reapply ? reapply.request : null),
  );
  if (!reapply) records.completeTombstone(repositoryId, requestId, result.physicallyDeletedAt as string);
  return { ...result, receiptFile, reapplies: reapply?.request ?? (pending ? pending.request : null) };
}

/**
 * The tombstones of `repo` that need applying: unfinished erasures, and erased paths that a
 * recovery point (up to the erasure's time) holds again. Cheap: per tombstone and recovery point,
 * only the trees on the way to the path are read; nothing is read when there are no tombstones.
 */
export async function tombstonesToApply(repo: Repository, dataDir: string): Promise<Tombstone[]> {
  const tombstones = new ErasureRecords(dataDir).tombstones(repo.config.id);
  if (tombstones.length === 0) return [];
  await repo.loadIndex();
  const snapshots = await repo.listSnapshots();
  const due: Tombstone[] = [];
  for (const t of tombstones) {
    if (t.completedAt === null) {
      due.push(t);
      continue;
    }
    for (const s of snapshots) {
      if (s.time <= t.erasedAt && (await nodeAt(repo, s.tree, t.path))) {
        due.push(t);
        break;
      }
    }
  }
  return due;
}

/**
 * Applies this repository's tombstones (see `tombstonesToApply`): finishes unfinished erasures
 * and erases each path again from the recovery points up to its erasure time that hold it.
 */
export async function reapplyTombstones(
  repo: Repository,
  dataDir: string,
  options: Pick<EraseOptions, 'signal' | 'clock'> = {},
): Promise<EraseOutcome[]> {
  const outcomes: EraseOutcome[] = [];
  for (const t of await tombstonesToApply(repo, dataDir)) {
    options.signal?.throwIfAborted();
    if (t.completedAt === null) outcomes.push(await erasePathWithRecords(repo, dataDir, t.path, options));
    else outcomes.push(await erasePathWithRecords(repo, dataDir, t.path, options, t));
  }
  return outcomes;
}
