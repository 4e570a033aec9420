/**
 * Forgetting recovery points, as `cairn forget` and the app (`retention.preview`/`apply`,
 * `snapshots.forget`) run it: by a retention policy or by id. What to remove is decided under the
 * same exclusive lock that removes it, so a backup that landed meanwhile is part of the decision
 * (decided before the lock, a policy could remove a point it would keep once that backup counts).
 * A frozen recovery point (GDPR Art. 18) is never removed: a policy keeps it, naming it by id is
 * refused. Removals are audited (`snapshots.forgotten`); with `prune`, the data only the removed
 * points used is pruned afterwards (./prune.ts). `previewForget` makes the same decision under a
 * shared lock and says what a prune would then free.
 */

import { CairnError } from '../../engine/errors.js';
import { planPrune } from '../../engine/prune/prune.js';
import { withLock } from '../../engine/repo/lock.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import type { FrozenPoints } from '../privacy/restriction/frozen.js';
import { applyPolicy, type RetentionPolicy, validatePolicy } from '../retention/policy.js';
import { type PruneProgress, type PruneResult, pruneRepository } from './prune.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export type { RetentionPolicy } from '../retention/policy.js';

/** Why a policy keeps a frozen recovery point it would otherwise remove. */
export const FROZEN_REASON = 'frozen (restricted under GDPR Art. 18)';
/** Why a recovery point not named among the ids to forget is kept. */
export const NAMED_REASON = 'not named on the command line';
/** The time shown for a damaged recovery point named by id: it has none that can be read. */
export const DAMAGED_TIME = '(damaged)';

/** What to forget: the recovery points a policy removes, or the ones named by id or unique prefix. */
export type ForgetSelection = { policy: RetentionPolicy } | { ids: string[] };

export interface ForgetDeps {
  /** The frozen recovery points, read under the lock (a freeze made meanwhile counts). */
  frozen: Pick<FrozenPoints, 'ids'>;
  /** Where removals and prunes are recorded; a record that cannot be written never fails them. */
  records: RepositoryRecords;
  clock?: Clock;
}

export interface ForgetDecision {
  /** Newest first for a policy; each with why it stays. */
  keep: { id: string; time: string; reasons: string[] }[];
  /** A damaged recovery point (named by id) has the time DAMAGED_TIME. */
  remove: { id: string; time: string }[];
}

export interface ForgetOptions {
  /** Prune the data only the removed recovery points used, when any were removed. */
  prune?: boolean;
  repackThreshold?: number;
  signal?: AbortSignal;
  /** Called once the recovery points are removed, before the prune starts. */
  onRemoved?: (removed: string[], kept: number) => void;
  onPruneProgress?: (progress: PruneProgress) => void;
}

export interface ForgetOutcome extends ForgetDecision {
  removed: string[];
  /** Set when a prune ran. */
  prune?: PruneResult;
}

/** Drops fields left undefined, so the stored JSON and the policy rules see the same keys. */
export function cleanPolicy(policy: RetentionPolicy): RetentionPolicy {
  return Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) as RetentionPolicy;
}

/** The selection with a clean, valid policy (throws CairnError 'invalid-argument' otherwise). */
function checked(selection: ForgetSelection): ForgetSelection {
  if (!('policy' in selection)) return selection;
  const policy = cleanPolicy(selection.policy);
  validatePolicy(policy);
  return { policy };
}

function frozenRefusal(id: string): CairnError {
  const short = id.slice(0, 8);
  return new CairnError(
    'invalid-argument',
    `recovery point ${short} is frozen (restricted under GDPR Art. 18): it cannot be removed until it is unfrozen ("cairn privacy unfreeze ${short}" or in the app)`,
  );
}

/** Decides what to keep and remove; call it under the repository's lock. */
async function decide(
  repo: Repository,
  selection: ForgetSelection,
  frozen: ReadonlySet<string>,
  now: Date,
): Promise<ForgetDecision> {
  if ('policy' in selection) {
    const decision = applyPolicy(await repo.listSnapshots(), selection.policy, now);
    const keep = decision.keep.map((k) => ({ id: k.snapshot.id, time: k.snapshot.time, reasons: k.reasons }));
    const held = decision.remove.filter((s) => frozen.has(s.id));
    for (const s of held) keep.push({ id: s.id, time: s.time, reasons: [FROZEN_REASON] });
    if (held.length > 0) keep.sort((a, b) => b.time.localeCompare(a.time));
    return {
      keep,
      remove: decision.remove.filter((s) => !frozen.has(s.id)).map((s) => ({ id: s.id, time: s.time })),
    };
  }
  const named = new Set<string>();
  for (const ref of selection.ids) {
    if (ref === 'latest') throw new CairnError('invalid-argument', 'name recovery points by id to forget them');
    // Resolved without reading it: a damaged recovery point can be forgotten too.
    const id = await repo.resolveSnapshotId(ref);
    if (frozen.has(id)) throw frozenRefusal(id);
    named.add(id);
  }
  const { snapshots, damaged } = await repo.listSnapshotsChecked();
  return {
    keep: snapshots.filter((s) => !named.has(s.id)).map((s) => ({ id: s.id, time: s.time, reasons: [NAMED_REASON] })),
    remove: [
      ...snapshots.filter((s) => named.has(s.id)).map((s) => ({ id: s.id, time: s.time })),
      ...damaged.filter((d) => named.has(d.id)).map((d) => ({ id: d.id, time: DAMAGED_TIME })),
    ],
  };
}

/** What forgetting would keep and remove now, and what a prune would then free (changes nothing). */
export async function previewForget(
  repo: Repository,
  selection: ForgetSelection,
  deps: Pick<ForgetDeps, 'frozen' | 'clock'>,
  options: { repackThreshold?: number } = {},
): Promise<ForgetDecision & { reclaimBytes: number }> {
  const wanted = checked(selection);
  const clock = deps.clock ?? systemClock;
  return withLock(
    repo,
    'forget --dry-run',
    false,
    async () => {
      const decision = await decide(repo, wanted, deps.frozen.ids(repo.config.id), new Date(clock()));
      const plan = await planPrune(repo, {
        removeSnapshots: decision.remove.map((s) => s.id),
        repackThreshold: options.repackThreshold,
      });
      return { ...decision, reclaimBytes: plan.reclaimBytes };
    },
    { clock },
  );
}

/**
 * Removes the selected recovery points (decided under the exclusive lock that removes them), audits
 * what was removed — also when a removal failed halfway — and with `prune` prunes afterwards when
 * something was removed. In the app, call it only while no backup uses `repo`.
 */
export async function forget(
  repo: Repository,
  selection: ForgetSelection,
  deps: ForgetDeps,
  options: ForgetOptions = {},
): Promise<ForgetOutcome> {
  const wanted = checked(selection);
  const clock = deps.clock ?? systemClock;
  options.signal?.throwIfAborted();
  const removed: string[] = [];
  let decision: ForgetDecision;
  try {
    decision = await withLock(
      repo,
      'forget',
      true,
      async () => {
        const d = await decide(repo, wanted, deps.frozen.ids(repo.config.id), new Date(clock()));
        for (const s of d.remove) {
          await repo.removeSnapshot(s.id);
          removed.push(s.id);
        }
        return d;
      },
      { clock },
    );
  } finally {
    if (removed.length > 0) {
      appendAudit(deps.records, 'snapshots.forgotten', {
        repositoryId: repo.config.id,
        removed,
        policy: 'policy' in wanted ? wanted.policy : null,
      });
    }
  }
  options.onRemoved?.(removed, decision.keep.length);
  if (!options.prune || removed.length === 0) return { ...decision, removed };
  const pruned = await pruneRepository(repo, deps, {
    repackThreshold: options.repackThreshold,
    signal: options.signal,
    onProgress: options.onPruneProgress,
  });
  return { ...decision, removed, prune: pruned };
}
