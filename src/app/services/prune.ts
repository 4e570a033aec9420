/**
 * Prune as `cairn prune` and the clean-ups after forgetting (`cairn forget --prune`, the app's
 * retention) run it: remove the stored data no recovery point uses any more under the exclusive
 * lock, reload the session index the prune made stale (a long-lived session, as the app keeps,
 * would otherwise look for packs that are gone), and record `prune.completed` in the audit trail.
 * The preview plans the same prune under a shared lock and changes nothing.
 */

import {
  type PlanSummary,
  type PruneProgress,
  type PruneResult,
  planPrune,
  prune,
  summarizePlan,
} from '../../engine/prune/prune.js';
import { withLock } from '../../engine/repo/lock.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export {
  DEFAULT_REPACK_THRESHOLD,
  type PlanSummary,
  type PruneProgress,
  type PruneResult,
} from '../../engine/prune/prune.js';

export interface PruneDeps {
  /** Where `prune.completed` is recorded; a record that cannot be written never fails the prune. */
  records: RepositoryRecords;
  clock?: Clock;
}

export interface PruneOptions {
  /** Repack packs whose share of used bytes is below this (0 … 1; default DEFAULT_REPACK_THRESHOLD). */
  repackThreshold?: number;
  signal?: AbortSignal;
  onProgress?: (progress: PruneProgress) => void;
}

/** What a prune would delete, repack and free now (changes nothing). */
export async function previewPrune(
  repo: Repository,
  options: { repackThreshold?: number; clock?: Clock } = {},
): Promise<PlanSummary> {
  const clock = options.clock ?? systemClock;
  const plan = await withLock(
    repo,
    'prune --dry-run',
    false,
    () => planPrune(repo, { repackThreshold: options.repackThreshold }),
    { clock },
  );
  return summarizePlan(plan);
}

/** Prunes the repository (audited), then reloads its session index. */
export async function pruneRepository(
  repo: Repository,
  deps: PruneDeps,
  options: PruneOptions = {},
): Promise<PruneResult> {
  options.signal?.throwIfAborted();
  let result: PruneResult;
  try {
    result = await prune(repo, undefined, {
      clock: deps.clock ?? systemClock,
      ...(options.repackThreshold !== undefined ? { repackThreshold: options.repackThreshold } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (err) {
    // Even a prune that stopped halfway may have rewritten the index and removed packs; the
    // prune's own error is the one to report.
    await repo.reloadIndex().catch(() => undefined);
    throw err;
  }
  // Recorded before the reload: the prune happened whatever the reload does.
  appendAudit(deps.records, 'prune.completed', {
    repositoryId: repo.config.id,
    bytesFreed: result.bytesFreed,
    packsDeleted: result.packsDeleted,
  });
  await repo.reloadIndex();
  return result;
}
