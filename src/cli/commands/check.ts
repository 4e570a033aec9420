/** `cairn check`: verifies the repository's structure, and with --read-data its content. */
import { check, type DataSubset, parseSubset } from '../../engine/check/checker.js';
import { CairnError } from '../../engine/errors.js';
import { openIncidentsForProblems } from '../../engine/privacy/incidents.js';
import { withLock } from '../../engine/repo/lock.js';
import { formatBytes } from '../output.js';
import { withRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, str } from './types.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'verify the repository (structure; with --read-data all stored data)',
  usage: 'cairn check [--read-data | --read-data-subset n/t|x%]',
  options: { 'read-data': { type: 'boolean' }, 'read-data-subset': { type: 'string' } },
  async run(ctx, _args, values) {
    const subsetText = str(values, 'read-data-subset');
    if (subsetText && flag(values, 'read-data'))
      throw new CairnError('invalid-argument', 'use either --read-data or --read-data-subset');
    const readData: DataSubset | undefined = flag(values, 'read-data')
      ? { kind: 'all' }
      : subsetText
        ? parseSubset(subsetText)
        : undefined;
    const repo = await ctx.openRepository();
    try {
      const result = await withLock(repo, 'check', false, () => check(repo, readData ? { readData } : {}));
      const { packsVerified, ...summary } = result;
      if (!result.ok) {
        withRecords(ctx, 'incident register', (r) => {
          const opened = openIncidentsForProblems(
            r.incidents,
            { id: repo.config.id, label: repo.location },
            result.errors,
            'cairn check',
          );
          for (const i of opened) ctx.warn(`incident ${i.id} recorded: ${i.title} (see "cairn incident list")`);
        });
      }
      ctx.print({ ...summary, packsVerified: packsVerified.length }, () =>
        [
          `${result.snapshots} recovery points, ${result.trees} folders, ${result.blobsReferenced} blobs referenced, ${result.packs} packs`,
          ...(readData ? [`read ${result.packsRead} packs (${formatBytes(result.bytesRead)})`] : []),
          ...result.notes.map((n) => `note: ${n}`),
          ...result.errors.map((e) => `error: ${e.object}: ${e.message}`),
          result.ok ? 'no errors were found' : `${result.errors.length} error(s) found: the repository is damaged`,
        ].join('\n'),
      );
      return result.ok ? EXIT.ok : EXIT.error;
    } finally {
      await repo.close();
    }
  },
};
