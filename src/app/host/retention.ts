/**
 * Retention for the engine host: each repository's stored policy (catalog setting
 * `retention.<repositoryId>`), a preview of what it would keep and remove (changes nothing), and
 * applying it — remove the recovery points it removes under an exclusive lock, prune the data only
 * they used when the setting says so, then reload the session index the prune made stale.
 * The newest recovery point of each host + folders group is never removed (see policy.ts), nor
 * is a frozen one (restricted under GDPR Art. 18, see src/app/privacy/restriction).
 */

import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import { type PruneProgress, type PruneResult, planPrune, prune } from '../../engine/prune/prune.js';
import { withLock } from '../../engine/repo/lock.js';
import type { Repository } from '../../engine/repo/repository.js';
import type { Catalog, JsonValue } from '../catalog/catalog.js';
import { applyPolicy, type RetentionPolicy, validatePolicy } from '../retention/policy.js';

/** How a repository's retention is kept in the catalog's settings. */
export interface StoredRetention {
  policy: RetentionPolicy;
  /** Prune the data only the removed recovery points used, right after removing them. */
  prune: boolean;
}

export interface RetentionPreviewResult {
  keep: { id: string; time: string; reasons: string[] }[];
  remove: { id: string; time: string }[];
  reclaimBytes: number;
}

export interface RetentionOutcome {
  kept: number;
  removed: string[];
  pruned: boolean;
  bytesFreed: number;
  packsDeleted: number;
}

const retentionKey = (repositoryId: string) => `retention.${repositoryId}`;

/** Drops fields left undefined, so the stored JSON and the policy rules see the same keys. */
function cleanPolicy(policy: RetentionPolicy): RetentionPolicy {
  return Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) as RetentionPolicy;
}

/** The repository's retention, or null when it has none (or the stored one is unreadable). */
export function readRetention(catalog: Catalog, repositoryId: string): StoredRetention | null {
  const stored = catalog.getSetting<unknown>(retentionKey(repositoryId), null);
  if (!stored || typeof stored !== 'object' || !('policy' in stored)) return null;
  const { policy, prune: doPrune } = stored as { policy: RetentionPolicy; prune: unknown };
  try {
    validatePolicy(policy);
  } catch {
    return null; // written by a newer Cairn or damaged: treated as no policy, shown as such
  }
  return { policy: cleanPolicy(policy), prune: doPrune !== false };
}

/** Stores a valid policy (throws CairnError 'invalid-argument' otherwise); null removes it. */
export function writeRetention(catalog: Catalog, repositoryId: string, retention: StoredRetention | null): void {
  if (!retention) {
    catalog.deleteSetting(retentionKey(repositoryId));
    return;
  }
  const policy = cleanPolicy(retention.policy);
  validatePolicy(policy);
  catalog.setSetting(retentionKey(repositoryId), { policy: policy as unknown as JsonValue, prune: retention.prune });
}

export const FROZEN_REASON = 'frozen (restricted under GDPR Art. 18)';

/** The policy's decision with frozen recovery points moved from "remove" to "keep". */
function decide(snapshots: SnapshotRecord[], policy: RetentionPolicy, frozen: ReadonlySet<string>) {
  const decision = applyPolicy(snapshots, policy);
  if (frozen.size === 0) return decision;
  const held = decision.remove.filter((s) => frozen.has(s.id));
  return {
    ...decision,
    keep: [...decision.keep, ...held.map((snapshot) => ({ snapshot, reasons: [FROZEN_REASON] }))].sort((a, b) =>
      b.snapshot.time.localeCompare(a.snapshot.time),
    ),
    remove: decision.remove.filter((s) => !frozen.has(s.id)),
  };
}

/** What the policy would keep and remove now, newest first, and what a prune would then free. */
export async function previewRetention(
  repo: Repository,
  policy: RetentionPolicy,
  frozen: ReadonlySet<string> = new Set(),
): Promise<RetentionPreviewResult> {
  const clean = cleanPolicy(policy);
  validatePolicy(clean);
  return withLock(repo, 'retention preview', false, async () => {
    const decision = decide(await repo.listSnapshots(), clean, frozen);
    const remove = decision.remove.map((s) => ({ id: s.id, time: s.time }));
    const plan = await planPrune(repo, { removeSnapshots: remove.map((s) => s.id) });
    return {
      keep: decision.keep.map((k) => ({ id: k.snapshot.id, time: k.snapshot.time, reasons: k.reasons })),
      remove,
      reclaimBytes: plan.reclaimBytes,
    };
  });
}

export interface ApplyHooks {
  signal?: AbortSignal;
  /** Frozen recovery points: never removed. */
  frozen?: ReadonlySet<string>;
  onRemoved?: (removed: string[], kept: number) => void;
  onPruneProgress?: (progress: PruneProgress) => void;
}

/**
 * Removes the recovery points the policy removes (decided under the same exclusive lock), then
 * prunes when `retention.prune` is set and something was removed, then reloads the index.
 * Call it only while no backup uses `repo` (the host runs it in the backups' exclusive slot).
 */
export async function applyRetention(
  repo: Repository,
  retention: StoredRetention,
  hooks: ApplyHooks = {},
): Promise<RetentionOutcome> {
  const policy = cleanPolicy(retention.policy);
  validatePolicy(policy);
  hooks.signal?.throwIfAborted();
  const { removed, kept } = await withLock(repo, 'forget', true, async () => {
    const decision = decide(await repo.listSnapshots(), policy, hooks.frozen ?? new Set());
    const ids = decision.remove.map((s) => s.id);
    for (const id of ids) await repo.removeSnapshot(id);
    return { removed: ids, kept: decision.keep.length };
  });
  hooks.onRemoved?.(removed, kept);
  let pruned: PruneResult | undefined;
  if (retention.prune && removed.length > 0) {
    hooks.signal?.throwIfAborted();
    try {
      pruned = await prune(repo, undefined, hooks.onPruneProgress ? { onProgress: hooks.onPruneProgress } : {});
    } finally {
      // Even a prune that stopped halfway may have rewritten the index and removed packs.
      await repo.reloadIndex();
    }
  }
  return {
    kept,
    removed,
    pruned: pruned !== undefined,
    bytesFreed: pruned?.bytesFreed ?? 0,
    packsDeleted: pruned?.packsDeleted ?? 0,
  };
}
