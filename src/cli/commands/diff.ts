/** `cairn diff ID ID`: what changed between two recovery points. */
import { diffRecoveryPoints } from '../../app/services/recovery-points.js';
import { type Command, EXIT } from './types.js';

const SIGN = { added: '+', removed: '-', modified: 'M', metadata: 'U' } as const;

export const diffCommand: Command = {
  name: 'diff',
  summary: 'show what changed between two recovery points',
  usage: 'cairn diff ID ID',
  options: [],
  async run(ctx, args) {
    const [a, b] = args;
    if (!a || !b) throw Object.assign(new Error('name two recovery points'), { usage: true });
    const repo = await ctx.openRepository();
    try {
      const { before, after, changes, counts: summary } = await diffRecoveryPoints(repo, a, b);
      ctx.print({ before: before.id, after: after.id, changes, summary }, () =>
        [
          ...changes.map((c) => `${SIGN[c.change]}  ${c.path}${c.type === 'dir' ? '/' : ''}`),
          `${summary.added} added, ${summary.removed} removed, ${summary.modified} modified, ${summary.metadata} with changed metadata only`,
        ].join('\n'),
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
