/**
 * Erasure as the CLI and the app run it: `erasePath` (src/engine/erase) plus what lives in the app
 * data folder — the tombstone (written before the repository is changed), the receipt (written
 * when the data is physically deleted), freezes moved to the rewritten copies — and
 * `reapplyTombstones`, run whenever a repository is opened: it finishes an interrupted erasure and
 * erases a path again from recovery points that hold it (see `tombstoneApplies`), e.g. after an
 * older copy of the repository was put back, or when another computer backed it up since.
 *
 * Every record names the path by keyed hashes only (./records.ts); a tombstone is applied by
 * those hashes (`ErasedPath.hashed`), so applying it never needs the name. The name exists only
 * in memory, in what the caller shows, and in a receipt the user saves (./receipt-export.ts).
 */
import os from 'node:os';
import { erasurePathKey } from '../../../engine/crypto/subkeys.js';
import {
  type ErasePathProgress,
  type ErasePathResult,
  erasePath,
  holdsErasedPath,
} from '../../../engine/erase/erase-path.js';
import { ErasedPath, erasurePathHashes } from '../../../engine/erase/path-match.js';
import { erasurePath } from '../../../engine/erase/rewrite-snapshot.js';
import type { SnapshotRecord } from '../../../engine/format/snapshot.js';
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
  /** The computer running the erasure, recorded in its tombstone (default: this one's host name). */
  host?: string;
  /** Tests only (see ErasePathOptions). */
  __testFailAfter?: 'rewrite' | 'remove';
}

export interface EraseOutcome extends ErasePathResult {
  /** The keyed hash that names the erased path in every record Cairn keeps. */
  pathHash: string;
  /** Where the receipt was written (null for a dry run). */
  receiptFile: string | null;
  /** The request this one finished or re-applied, when it was not a new one. */
  reapplies: string | null;
}

/** What the audit trail records of an erasure: the request, the path's keyed hash and counts; never a name. */
export function auditOfOutcome(r: EraseOutcome): AuditDetails {
  return {
    requestId: r.requestId,
    pathHash: r.pathHash,
    recoveryPointsRewritten: r.rewritten.length,
    recoveryPointsForgotten: r.forgotten.length,
    bytesFreed: r.bytesFreed,
    removedFromUseAt: r.removedFromUseAt,
    physicallyDeletedAt: r.physicallyDeletedAt,
    receiptFile: r.receiptFile,
    reapplies: r.reapplies ?? null,
  };
}

/** The erased path of a tombstone, matched by its hashes under `repo`'s keys. */
export function erasedPathOf(repo: Repository, t: Tombstone): ErasedPath {
  return ErasedPath.hashed(repo.keys, [...t.folderHashes, t.pathHash]);
}

/**
 * The recovery points a finished erasure applies to again: every one made up to its time (an
 * older copy of the repository put back), and every one another computer made (which backed up
 * its own copy of the path). A later recovery point of the computer that erased it is the user's
 * new data: they were told the path was still on disk and chose not to exclude it.
 */
export function tombstoneApplies(t: Tombstone): (s: SnapshotRecord) => boolean {
  return (s) => s.time <= t.erasedAt || s.hostname !== t.host;
}

function receiptOf(
  repo: Repository,
  result: ErasePathResult,
  pathHash: string,
  requestedAt: string,
  reapplies: string | null,
): ErasureReceipt {
  return {
    version: 1,
    request: result.requestId,
    kind: reapplies && reapplies !== result.requestId ? 'reapply-tombstone' : 'erase-path',
    scope: { repositoryId: result.repositoryId, repositoryLocation: repo.location, pathHash },
    requestedAt,
    ...(reapplies && reapplies !== result.requestId ? { reapplies } : {}),
    recoveryPointsRewritten: result.rewritten,
    recoveryPointsForgotten: result.forgotten,
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

/** After the engine's erasure: freezes follow the copies, the receipt is written, the tombstone completed. */
function conclude(
  repo: Repository,
  dataDir: string,
  result: ErasePathResult,
  request: { pathHash: string; requestedAt: string; reapplies: string | null; completes: string | null },
  now: () => Date,
): EraseOutcome {
  const repositoryId = repo.config.id;
  const frozen = new FrozenPoints(dataDir);
  frozen.moveAll(repositoryId, result.rewritten, now());
  // A forgotten point is gone: its freeze has nothing left to restrict.
  for (const f of result.forgotten)
    if (frozen.get(repositoryId, f.original)) frozen.unfreeze(repositoryId, f.original, now());
  const records = new ErasureRecords(dataDir);
  const receiptFile = records.writeReceipt(
    receiptOf(repo, result, request.pathHash, request.requestedAt, request.reapplies),
  );
  if (request.completes)
    records.completeTombstone(repositoryId, request.completes, result.physicallyDeletedAt as string);
  return { ...result, pathHash: request.pathHash, receiptFile, reapplies: request.reapplies };
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
): Promise<EraseOutcome> {
  const repoPath = erasurePath(input);
  const hashes = erasurePathHashes(erasurePathKey(repo.keys), repoPath);
  const pathHash = hashes.at(-1) as string;
  const erased = ErasedPath.named(repoPath);
  const records = new ErasureRecords(dataDir);
  const repositoryId = repo.config.id;
  const clock = options.clock ?? systemClock;
  const now = () => new Date(clock());
  if (options.dryRun) {
    const r = await erasePath(repo, erased, {
      requestId: newRequestId('erase', now()),
      dryRun: true,
      clock,
      onProgress: options.onProgress,
    });
    return { ...r, pathHash, receiptFile: null, reapplies: null };
  }
  const pending = records.pending(repositoryId, pathHash);
  if (pending) return finishPending(repo, dataDir, pending, erased, options);
  const requestedAt = now().toISOString();
  const requestId = newRequestId('erase', now());
  const result = await erasePath(repo, erased, {
    requestId,
    clock,
    signal: options.signal,
    onProgress: options.onProgress,
    __testFailAfter: options.__testFailAfter,
    beforeChange: () =>
      records.addTombstone(repositoryId, {
        pathHash,
        folderHashes: hashes.slice(0, -1),
        request: requestId,
        erasedAt: requestedAt,
        completedAt: null,
        host: options.host ?? os.hostname(),
      }),
  });
  return conclude(repo, dataDir, result, { pathHash, requestedAt, reapplies: null, completes: requestId }, now);
}

/** Finishes the erasure a tombstone records as unfinished (the same request). */
async function finishPending(
  repo: Repository,
  dataDir: string,
  t: Tombstone,
  erased: ErasedPath,
  options: EraseOptions,
): Promise<EraseOutcome> {
  const clock = options.clock ?? systemClock;
  const result = await erasePath(repo, erased, {
    requestId: t.request,
    resume: true,
    clock,
    signal: options.signal,
    onProgress: options.onProgress,
    __testFailAfter: options.__testFailAfter,
  });
  const completion = { pathHash: t.pathHash, requestedAt: t.erasedAt, reapplies: t.request, completes: t.request };
  return conclude(repo, dataDir, result, completion, () => new Date(clock()));
}

/**
 * The tombstones of `repo` that need applying: unfinished erasures, and erased paths that a
 * recovery point they apply to holds again. Cheap: per tombstone and recovery point, only the
 * trees on the way to the path are read (found by hash); nothing is read when there are none.
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
    const erased = erasedPathOf(repo, t);
    const applies = tombstoneApplies(t);
    for (const s of snapshots) {
      if (applies(s) && (await holdsErasedPath(repo, s, erased))) {
        due.push(t);
        break;
      }
    }
  }
  return due;
}

/**
 * Applies this repository's tombstones (see `tombstonesToApply`): finishes unfinished erasures
 * and erases each path again from the recovery points it applies to that hold it.
 */
export async function reapplyTombstones(
  repo: Repository,
  dataDir: string,
  options: Pick<EraseOptions, 'signal' | 'clock'> = {},
): Promise<EraseOutcome[]> {
  const outcomes: EraseOutcome[] = [];
  const clock = options.clock ?? systemClock;
  for (const t of await tombstonesToApply(repo, dataDir)) {
    options.signal?.throwIfAborted();
    const erased = erasedPathOf(repo, t);
    if (t.completedAt === null) {
      outcomes.push(await finishPending(repo, dataDir, t, erased, options));
      continue;
    }
    const now = () => new Date(clock());
    const requestedAt = now().toISOString();
    const result = await erasePath(repo, erased, {
      requestId: newRequestId('reapply', now()),
      applies: tombstoneApplies(t),
      clock,
      signal: options.signal,
    });
    outcomes.push(
      conclude(
        repo,
        dataDir,
        result,
        { pathHash: t.pathHash, requestedAt, reapplies: t.request, completes: null },
        now,
      ),
    );
  }
  return outcomes;
}
