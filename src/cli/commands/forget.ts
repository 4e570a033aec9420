/**
 * `cairn forget`: removes recovery points chosen by a retention policy (--keep-*) or named by id,
 * and with --prune also the data only they used. --dry-run only reports what would go and how
 * many bytes a prune would then free. The use case (decided under the exclusive lock, frozen
 * points kept, audited) is src/app/services/forget.ts, which the app's retention runs too.
 */

import { type ForgetSelection, forget, previewForget, type RetentionPolicy } from '../../app/services/forget.js';
import { formatBytes, table } from '../output.js';
import { cliRecords } from '../privacy-records.js';
import { describePruneResult, PRUNE_OPTIONS, repackThreshold } from './prune.js';
import { type Command, EXIT, flag, list, type OptionDef, type OptionValues, str } from './types.js';

/** Each count option, the policy's rule it sets, and what it keeps (for help). */
const COUNT_FLAGS = [
  ['keep-last', 'last', 'keep the N newest recovery points'],
  ['keep-hourly', 'hourly', 'keep the newest recovery point of each of the last N hours that have one'],
  ['keep-daily', 'daily', 'keep the newest recovery point of each of the last N days that have one'],
  ['keep-weekly', 'weekly', 'keep the newest recovery point of each of the last N weeks that have one'],
  ['keep-monthly', 'monthly', 'keep the newest recovery point of each of the last N months that have one'],
  ['keep-yearly', 'yearly', 'keep the newest recovery point of each of the last N years that have one'],
] as const;

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

export const forgetCommand: Command = {
  name: 'forget',
  summary: 'remove recovery points by a retention policy or by id (--prune also frees their data)',
  usage:
    'cairn forget [--keep-last N] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--keep-within DUR] [--keep-tag T]... [--dry-run] [--prune] [--repack-threshold 0.7]\n       cairn forget ID... [--dry-run] [--prune]',
  options: [
    ...COUNT_FLAGS.map(([name, , description]): OptionDef => ({ name, value: 'N', description })),
    {
      name: 'keep-within',
      value: 'DURATION',
      description: 'keep every recovery point within DURATION of the newest one (e.g. 1y2m, 7d, 12h)',
    },
    { name: 'keep-tag', value: 'TAG', multiple: true, description: 'keep every recovery point with this tag' },
    { name: 'prune', description: 'then remove the data only the forgotten recovery points used (as cairn prune)' },
    ...PRUNE_OPTIONS,
  ],
  async run(ctx, args, values) {
    const policy = policyFrom(values);
    if (policy && args.length > 0) throw usageError('give either recovery point ids or --keep-* options, not both');
    if (!policy && args.length === 0)
      throw usageError('name the recovery points to forget, or give a policy such as --keep-last 7');
    const threshold = repackThreshold(str(values, 'repack-threshold'));
    const dryRun = flag(values, 'dry-run');
    const selection: ForgetSelection = policy ? { policy } : { ids: args };
    const records = cliRecords(ctx);
    const repo = await ctx.openRepository();
    try {
      if (dryRun) {
        const plan = await previewForget(repo, selection, records, { repackThreshold: threshold });
        const { keep, remove } = plan;
        ctx.print({ keep, remove, reclaimBytes: plan.reclaimBytes }, () =>
          [
            keepLines(keep),
            removeLines(remove),
            `would remove ${remove.length} recovery point(s); a prune would then free ${formatBytes(plan.reclaimBytes)}`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
        return EXIT.ok;
      }
      const r = await forget(repo, selection, records, { prune: flag(values, 'prune'), repackThreshold: threshold });
      ctx.print({ keep: r.keep, remove: r.remove, removed: r.removed, ...(r.prune ? { prune: r.prune } : {}) }, () =>
        [
          keepLines(r.keep),
          removeLines(r.remove),
          `removed ${r.removed.length} recovery point(s)`,
          r.prune
            ? describePruneResult(r.prune)
            : r.removed.length > 0
              ? 'run "cairn prune" to free the data only they used'
              : '',
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

const when = (time: string) => time.replace('T', ' ').slice(0, 19);

function keepLines(keep: { id: string; time: string; reasons: string[] }[]): string {
  return table(
    keep.map((k) => [k.id.slice(0, 8), when(k.time), 'keep', k.reasons.join(', ')]),
    ['ID', 'Time (UTC)', 'Action', 'Reasons'],
  );
}

function removeLines(remove: { id: string; time: string }[]): string {
  return remove.map((s) => `${s.id.slice(0, 8)}  ${when(s.time)}  remove`).join('\n');
}
