/** `cairn snapshots`: lists the recovery points. */
import { listRecoveryPoints } from '../../app/services/recovery-points.js';
import { formatBytes, table } from '../output.js';
import { type Command, EXIT, list, str } from './types.js';

export const snapshotsCommand: Command = {
  name: 'snapshots',
  summary: 'list recovery points',
  usage: 'cairn snapshots [--tag TAG]... [--host HOST] [--path PATH]',
  options: [
    { name: 'tag', value: 'TAG', multiple: true, description: 'only recovery points with this tag' },
    { name: 'host', value: 'HOST', description: 'only recovery points of this computer' },
    { name: 'path', value: 'PATH', description: 'only recovery points that hold this path' },
  ],
  async run(ctx, _args, values) {
    const repo = await ctx.openRepository();
    try {
      // Damaged ones are named on stderr (the context's onDamage) and below the table.
      const { points: all, damaged } = await listRecoveryPoints(repo, ctx.frozen(), {
        tags: list(values, 'tag'),
        hostname: str(values, 'host'),
        path: str(values, 'path'),
      });
      const damagedLines = damaged.map((d) => `${d.id.slice(0, 8)}  damaged: ${d.reason}`);
      ctx.print(all, () =>
        all.length === 0 && damaged.length === 0
          ? 'no recovery points yet'
          : [
              table(
                all.map((s) => [
                  s.id.slice(0, 8),
                  s.time.replace('T', ' ').slice(0, 19),
                  s.hostname,
                  s.tags.join(','),
                  formatBytes(s.summary.totalBytes),
                  `${s.paths.join(', ')}${s.partial ? ' (partial)' : ''}${s.frozen ? ' (frozen)' : ''}${s.erasures ? ' (rewritten by erasure)' : ''}`,
                ]),
                ['ID', 'Time (UTC)', 'Host', 'Tags', 'Size', 'Paths'],
              ),
              ...damagedLines,
            ].join('\n'),
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
