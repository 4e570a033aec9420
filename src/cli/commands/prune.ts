/** `cairn prune`: removes the stored data no recovery point uses any more (repacking sparse packs). */

import {
  DEFAULT_REPACK_THRESHOLD,
  type PlanSummary,
  type PruneResult,
  planPrune,
  prune,
  summarizePlan,
} from '../../engine/prune/prune.js';
import { withLock } from '../../engine/repo/lock.js';
import { formatBytes } from '../output.js';
import { auditCli } from '../privacy-records.js';
import { type Command, EXIT, flag, str } from './types.js';

/** Parses --repack-threshold (a share from 0 to 1). */
export function repackThreshold(text: string | undefined): number {
  if (text === undefined) return DEFAULT_REPACK_THRESHOLD;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw Object.assign(new Error(`--repack-threshold must be a number from 0 to 1 (got "${text}")`), { usage: true });
  }
  return value;
}

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
  options: { 'dry-run': { type: 'boolean' }, 'repack-threshold': { type: 'string' } },
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const threshold = repackThreshold(str(values, 'repack-threshold'));
    const repo = await ctx.openRepository();
    try {
      if (flag(values, 'dry-run')) {
        const plan = summarizePlan(
          await withLock(repo, 'prune --dry-run', false, () => planPrune(repo, { repackThreshold: threshold })),
        );
        ctx.print({ dryRun: true, ...plan }, () => describePlan(plan));
        return EXIT.ok;
      }
      const result = await prune(repo, undefined, { repackThreshold: threshold });
      auditCli(ctx, 'prune.completed', {
        repositoryId: repo.config.id,
        bytesFreed: result.bytesFreed,
        packsDeleted: result.packsDeleted,
      });
      ctx.print(result, () => describePruneResult(result));
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
