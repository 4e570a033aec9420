/**
 * `cairn prune`: removes the stored data no recovery point uses any more (repacking sparse packs);
 * --dry-run says what it would delete and free. The use case (audited as `prune.completed`) is
 * src/app/services/prune.ts, which `forget --prune` and the app's retention run too.
 */

import {
  DEFAULT_REPACK_THRESHOLD,
  type PlanSummary,
  type PruneResult,
  previewPrune,
  pruneRepository,
} from '../../app/services/prune.js';
import { formatBytes } from '../output.js';
import { cliRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, type OptionDef, str } from './types.js';

/** Parses --repack-threshold (a share from 0 to 1). */
export function repackThreshold(text: string | undefined): number {
  if (text === undefined) return DEFAULT_REPACK_THRESHOLD;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw Object.assign(new Error(`--repack-threshold must be a number from 0 to 1 (got "${text}")`), { usage: true });
  }
  return value;
}

/** The options of prune, which `forget --prune` takes too. */
export const PRUNE_OPTIONS: readonly OptionDef[] = [
  { name: 'dry-run', description: 'only report what would be removed and how much it would free; change nothing' },
  {
    name: 'repack-threshold',
    value: 'SHARE',
    description: `repack a pack when at most this share of it (0 to 1) is still used (default ${DEFAULT_REPACK_THRESHOLD})`,
  },
];

export function describePruneResult(result: PruneResult): string {
  if (result.packsDeleted === 0 && result.packsRepacked === 0 && result.blobsRemoved === 0 && result.bytesFreed === 0)
    return 'nothing to prune: every stored blob is used';
  return `pruned: ${formatBytes(result.bytesFreed)} freed, ${result.blobsRemoved} blobs removed, ${result.packsDeleted} packs deleted (${result.packsRepacked} repacked)`;
}

function describePlan(plan: PlanSummary): string {
  return [
    `${plan.snapshots} recovery points use ${plan.usedBlobs} blobs; ${plan.unusedBlobs} blobs are unused`,
    `would delete ${plan.packsToDelete} unused packs and ${plan.unindexedPacks} unindexed packs, repack ${plan.packsToRepack}, keep ${plan.packsToKeep}`,
    `would free ${formatBytes(plan.reclaimBytes)}; ${formatBytes(plan.keepBytes)} stay`,
  ].join('\n');
}

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove stored data that no recovery point uses',
  usage: 'cairn prune [--dry-run] [--repack-threshold 0.7]',
  options: PRUNE_OPTIONS,
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const threshold = repackThreshold(str(values, 'repack-threshold'));
    const repo = await ctx.openRepository();
    try {
      if (flag(values, 'dry-run')) {
        const plan = await previewPrune(repo, { repackThreshold: threshold });
        ctx.print({ dryRun: true, ...plan }, () => describePlan(plan));
        return EXIT.ok;
      }
      const result = await pruneRepository(repo, cliRecords(ctx), { repackThreshold: threshold });
      ctx.print(result, () => describePruneResult(result));
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
