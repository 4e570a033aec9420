/**
 * `cairn forget`: removes recovery points chosen by a retention policy (--keep-*) or named by id,
 * and with --prune also the data only they used. --dry-run only reports what would go and how
 * many bytes a prune would then free.
 */

import { applyPolicy, type RetentionPolicy } from '../../app/retention/policy.js';
import { CairnError } from '../../engine/errors.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import { planPrune, prune } from '../../engine/prune/prune.js';
import { withLock } from '../../engine/repo/lock.js';
import { formatBytes, table } from '../output.js';
import { auditCli } from '../privacy-records.js';
import { describePruneResult, repackThreshold } from './prune.js';
import { type Command, EXIT, flag, list, type OptionValues, str } from './types.js';

const COUNT_FLAGS = [
  ['keep-last', 'last'],
  ['keep-hourly', 'hourly'],
  ['keep-daily', 'daily'],
  ['keep-weekly', 'weekly'],
  ['keep-monthly', 'monthly'],
  ['keep-yearly', 'yearly'],
] as const;

const NAMED_REASON = 'not named on the command line';
const FROZEN_REASON = 'frozen (restricted under GDPR Art. 18)';

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

/** The policy the --keep-* options describe, or undefined when none is given. */
function policyFrom(values: OptionValues): RetentionPolicy | undefined {
  const policy: RetentionPolicy = {};
  let any = false;
  for (const [option, rule] of COUNT_FLAGS) {
    const text = str(values, option);
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) throw usageError(`--${option} must be a whole number (got "${text}")`);
    policy[rule] = Number(text);
    any = true;
  }
  const within = str(values, 'keep-within');
  if (within !== undefined) {
    policy.within = within;
    any = true;
  }
  const tags = list(values, 'keep-tag');
  if (tags.length > 0) {
    policy.tags = tags;
    any = true;
  }
  return any ? policy : undefined;
}

interface Decision {
  keep: { snapshot: SnapshotRecord; reasons: string[] }[];
  remove: SnapshotRecord[];
  /** Damaged recovery points named by id (a policy never chooses them: their time cannot be read). */
  damaged?: string[];
}

/** Frozen recovery points (GDPR Art. 18) are never removed by a policy: they move to "keep". */
function keepFrozen(decision: Decision, frozen: ReadonlySet<string>): Decision {
  if (frozen.size === 0) return decision;
  const kept = decision.remove.filter((s) => frozen.has(s.id));
  return {
    keep: [...decision.keep, ...kept.map((snapshot) => ({ snapshot, reasons: [FROZEN_REASON] }))].sort((a, b) =>
      b.snapshot.time.localeCompare(a.snapshot.time),
    ),
    remove: decision.remove.filter((s) => !frozen.has(s.id)),
  };
}

export const forgetCommand: Command = {
  name: 'forget',
  summary: 'remove recovery points by a retention policy or by id (--prune also frees their data)',
  usage:
    'cairn forget [--keep-last N] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--keep-within DUR] [--keep-tag T]... [--dry-run] [--prune] [--repack-threshold 0.7]\n       cairn forget ID... [--dry-run] [--prune]',
  options: {
    'keep-last': { type: 'string' },
    'keep-hourly': { type: 'string' },
    'keep-daily': { type: 'string' },
    'keep-weekly': { type: 'string' },
    'keep-monthly': { type: 'string' },
    'keep-yearly': { type: 'string' },
    'keep-within': { type: 'string' },
    'keep-tag': { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    prune: { type: 'boolean' },
    'repack-threshold': { type: 'string' },
  },
  async run(ctx, args, values) {
    const policy = policyFrom(values);
    if (policy && args.length > 0) throw usageError('give either recovery point ids or --keep-* options, not both');
    if (!policy && args.length === 0)
      throw usageError('name the recovery points to forget, or give a policy such as --keep-last 7');
    const threshold = repackThreshold(str(values, 'repack-threshold'));
    const dryRun = flag(values, 'dry-run');
    const repo = await ctx.openRepository();
    try {
      const { snapshots, damaged } = await repo.listSnapshotsChecked();
      const frozen = ctx.frozen();
      const frozenIds = frozen.ids(repo.config.id);
      let decision: Decision;
      if (policy) {
        decision = keepFrozen(applyPolicy(snapshots, policy), frozenIds);
      } else {
        const named = new Set<string>();
        for (const ref of args) {
          if (ref === 'latest') throw new CairnError('invalid-argument', 'name recovery points by id to forget them');
          // Resolved without reading it: a damaged recovery point can be forgotten too.
          const id = await repo.resolveSnapshotId(ref);
          if (frozenIds.has(id)) {
            throw new CairnError(
              'invalid-argument',
              `recovery point ${id.slice(0, 8)} is frozen (restricted under GDPR Art. 18): it cannot be removed until it is unfrozen ("cairn privacy unfreeze ${id.slice(0, 8)}")`,
            );
          }
          named.add(id);
        }
        decision = {
          keep: snapshots.filter((s) => !named.has(s.id)).map((snapshot) => ({ snapshot, reasons: [NAMED_REASON] })),
          remove: snapshots.filter((s) => named.has(s.id)),
          damaged: damaged.filter((d) => named.has(d.id)).map((d) => d.id),
        };
      }
      const keep = decision.keep.map((k) => ({ id: k.snapshot.id, time: k.snapshot.time, reasons: k.reasons }));
      // A damaged recovery point has no time that can be read.
      const remove = [
        ...decision.remove.map((s) => ({ id: s.id, time: s.time })),
        ...(decision.damaged ?? []).map((id) => ({ id, time: '(damaged)' })),
      ];
      const removeIds = remove.map((s) => s.id);
      const keepLines = () =>
        table(
          keep.map((k) => [k.id.slice(0, 8), k.time.replace('T', ' ').slice(0, 19), 'keep', k.reasons.join(', ')]),
          ['ID', 'Time (UTC)', 'Action', 'Reasons'],
        );
      const removeLines = () =>
        remove.map((s) => `${s.id.slice(0, 8)}  ${s.time.replace('T', ' ').slice(0, 19)}  remove`).join('\n');

      if (dryRun) {
        const plan = await withLock(repo, 'forget --dry-run', false, () =>
          planPrune(repo, { removeSnapshots: removeIds, repackThreshold: threshold }),
        );
        ctx.print({ keep, remove, reclaimBytes: plan.reclaimBytes }, () =>
          [
            keepLines(),
            removeLines(),
            `would remove ${remove.length} recovery point(s); a prune would then free ${formatBytes(plan.reclaimBytes)}`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
        return EXIT.ok;
      }

      await withLock(repo, 'forget', true, async () => {
        for (const id of removeIds) await repo.removeSnapshot(id);
      });
      auditCli(ctx, 'snapshots.forgotten', {
        repositoryId: repo.config.id,
        removed: removeIds,
        policy: policy ?? null,
      });
      const pruned = flag(values, 'prune') ? await prune(repo, undefined, { repackThreshold: threshold }) : undefined;
      if (pruned)
        auditCli(ctx, 'prune.completed', {
          repositoryId: repo.config.id,
          bytesFreed: pruned.bytesFreed,
          packsDeleted: pruned.packsDeleted,
        });
      ctx.print({ keep, remove, removed: removeIds, ...(pruned ? { prune: pruned } : {}) }, () =>
        [
          keepLines(),
          removeLines(),
          `removed ${removeIds.length} recovery point(s)`,
          pruned ? describePruneResult(pruned) : 'run "cairn prune" to free the data only they used',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
