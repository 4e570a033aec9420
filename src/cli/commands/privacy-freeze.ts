/**
 * `cairn privacy freeze ID [--reason R]` and `cairn privacy unfreeze ID`: restriction of
 * processing (GDPR Art. 18). A frozen recovery point cannot be browsed, restored, compared or
 * exported, and retention keeps it, until it is unfrozen. Kept in the app data folder.
 */
import { auditCli } from '../privacy-records.js';
import { type Command, EXIT, str } from './types.js';

function needId(id: string | undefined): string {
  if (!id) throw Object.assign(new Error('name a recovery point by id'), { usage: true });
  return id;
}

export const privacyFreezeCommand: Command = {
  name: 'freeze',
  summary: 'restrict a recovery point (GDPR Art. 18): no browse, restore, compare or export until unfrozen',
  usage: 'cairn privacy freeze ID [--reason TEXT]',
  options: { reason: { type: 'string' } },
  async run(ctx, args, values) {
    const ref = needId(args[0]);
    const repo = await ctx.openRepository();
    try {
      const snapshot = await repo.findSnapshot(ref);
      const point = ctx.frozen().freeze(repo.config.id, snapshot.id, str(values, 'reason') ?? '');
      if (!point.already)
        auditCli(ctx, 'snapshot.frozen', {
          repositoryId: repo.config.id,
          snapshotId: snapshot.id,
          reason: point.reason,
        });
      ctx.print({ repositoryId: repo.config.id, ...point }, () =>
        point.already
          ? `recovery point ${snapshot.id.slice(0, 8)} was already frozen since ${point.frozenAt} (${point.reason})`
          : `recovery point ${snapshot.id.slice(0, 8)} frozen (restricted under GDPR Art. 18): it cannot be browsed, restored, compared or exported, and retention keeps it, until "cairn privacy unfreeze ${snapshot.id.slice(0, 8)}"`,
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
  options: {},
  async run(ctx, args) {
    const ref = needId(args[0]);
    const repo = await ctx.openRepository();
    try {
      const snapshot = await repo.findSnapshot(ref);
      const point = ctx.frozen().unfreeze(repo.config.id, snapshot.id);
      auditCli(ctx, 'snapshot.unfrozen', { repositoryId: repo.config.id, snapshotId: snapshot.id });
      ctx.print(
        { repositoryId: repo.config.id, unfrozen: true, ...point },
        () => `recovery point ${snapshot.id.slice(0, 8)} unfrozen (it was frozen since ${point.frozenAt})`,
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
