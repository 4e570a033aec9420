/** `cairn snapshots`: lists the recovery points. */
import { formatBytes, table } from '../output.js';
import { type Command, EXIT, list, str } from './types.js';

export const snapshotsCommand: Command = {
  name: 'snapshots',
  summary: 'list recovery points',
  usage: 'cairn snapshots [--tag TAG]... [--host HOST] [--path PATH]',
  options: { tag: { type: 'string', multiple: true }, host: { type: 'string' }, path: { type: 'string' } },
  async run(ctx, _args, values) {
    const repo = await ctx.openRepository();
    try {
      const tags = list(values, 'tag');
      const host = str(values, 'host');
      const p = str(values, 'path');
      const frozen = ctx.frozen().ids(repo.config.id);
      // Damaged ones are named on stderr (the context's onDamage) and below the table.
      const { snapshots, damaged } = await repo.listSnapshotsChecked();
      const all = snapshots
        .filter(
          (s) => (!host || s.hostname === host) && tags.every((t) => s.tags.includes(t)) && (!p || s.paths.includes(p)),
        )
        .map((s) => ({ ...s, frozen: frozen.has(s.id) }));
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
