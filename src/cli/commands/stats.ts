/** `cairn stats`: sizes, deduplication and compression of the repository. */
import { repositoryStatistics } from '../../app/services/recovery-points.js';
import { formatBytes } from '../output.js';
import { type Command, EXIT } from './types.js';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'show repository sizes, deduplication and compression',
  usage: 'cairn stats',
  options: [],
  async run(ctx) {
    const repo = await ctx.openRepository();
    try {
      const s = await repositoryStatistics(repo);
      ctx.print(s, () =>
        [
          `recovery points:     ${s.snapshots}`,
          `stored at location:  ${formatBytes(s.storedBytes)} in ${s.packs} packs`,
          `unique data:         ${formatBytes(s.uniqueBytes)} in ${s.blobs} blobs`,
          `latest point holds:  ${formatBytes(s.latestSnapshotBytes)}`,
          `all points hold:     ${formatBytes(s.totalRestoreBytes)}`,
          `deduplication:       ${s.deduplicationRatio.toFixed(2)}x`,
          `compression:         ${s.compressionRatio.toFixed(2)}x`,
        ].join('\n'),
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
