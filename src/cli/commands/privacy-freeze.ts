/**
 * `cairn privacy freeze ID [--reason R]` and `cairn privacy unfreeze ID`: restriction of
 * processing (GDPR Art. 18). A frozen recovery point cannot be browsed, restored, compared or
 * exported, and retention keeps it, until it is unfrozen. Kept in the app data folder; the use
 * case, shared with the app, is src/app/services/freeze.ts.
 */
import { freezeRecoveryPoint, unfreezeRecoveryPoint } from '../../app/services/freeze.js';
import { cliRecords } from '../privacy-records.js';
import { type Command, EXIT, str } from './types.js';

function needId(id: string | undefined): string {
  if (!id) throw Object.assign(new Error('name a recovery point by id'), { usage: true });
  return id;
}

export const privacyFreezeCommand: Command = {
  name: 'freeze',
  summary: 'restrict a recovery point (GDPR Art. 18): no browse, restore, compare or export until unfrozen',
  usage: 'cairn privacy freeze ID [--reason TEXT]',
  options: [{ name: 'reason', value: 'TEXT', description: 'why it is frozen (kept with the freeze)' }],
  async run(ctx, args, values) {
    const ref = needId(args[0]);
    const repo = await ctx.openRepository();
    try {
      const point = await freezeRecoveryPoint(repo, cliRecords(ctx), ref, str(values, 'reason') ?? '');
      const short = point.snapshotId.slice(0, 8);
      ctx.print(point, () =>
        point.already
          ? `recovery point ${short} was already frozen since ${point.frozenAt} (${point.reason})`
          : `recovery point ${short} frozen (restricted under GDPR Art. 18): it cannot be browsed, restored, compared or exported, and retention keeps it, until "cairn privacy unfreeze ${short}"`,
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};

export const privacyUnfreezeCommand: Command = {
  name: 'unfreeze',
  summary: 'lift the restriction of a frozen recovery point',
  usage: 'cairn privacy unfreeze ID',
  options: [],
  async run(ctx, args) {
    const ref = needId(args[0]);
    // Opened for its id (and so its password): the freezes are kept per repository id.
    const repo = await ctx.openRepository();
    try {
      const point = unfreezeRecoveryPoint(repo.config.id, cliRecords(ctx), ref);
      ctx.print(
        {
          repositoryId: point.repositoryId,
          unfrozen: true,
          snapshotId: point.snapshotId,
          frozenAt: point.frozenAt,
          reason: point.reason,
        },
        () => `recovery point ${point.snapshotId.slice(0, 8)} unfrozen (it was frozen since ${point.frozenAt})`,
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
