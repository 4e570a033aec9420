/** `cairn restore ID --target DIR`: brings files back from a recovery point. */
import { CairnError } from '../../engine/errors.js';
import { withLock } from '../../engine/repo/lock.js';
import { type OverwritePolicy, restore } from '../../engine/restore/restorer.js';
import { formatBytes, ProgressReporter } from '../output.js';
import { auditCli, withRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, list, str } from './types.js';

const POLICIES: OverwritePolicy[] = ['never', 'always', 'if-newer'];

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore files from a recovery point into a folder',
  usage:
    'cairn restore ID|latest --target DIR [--include PATH]... [--overwrite never|always|if-newer] [--keep-both] [--dry-run]',
  options: {
    target: { type: 'string', short: 't' },
    include: { type: 'string', multiple: true, short: 'i' },
    overwrite: { type: 'string' },
    'keep-both': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  async run(ctx, args, values) {
    const [ref] = args;
    const target = str(values, 'target');
    if (!ref) throw Object.assign(new Error('name a recovery point (an id or "latest")'), { usage: true });
    if (!target)
      throw Object.assign(new Error('--target DIR is required (the folder to restore into)'), { usage: true });
    const overwrite = (str(values, 'overwrite') ?? 'never') as OverwritePolicy;
    if (!POLICIES.includes(overwrite))
      throw new CairnError('invalid-argument', `--overwrite must be one of ${POLICIES.join(', ')}`);
    const repo = await ctx.openRepository();
    const progress = ProgressReporter.for(ctx.json, 'restoring');
    try {
      const result = await withLock(repo, 'restore', false, async () => {
        await repo.loadIndex();
        const snapshot = await repo.findSnapshot(ref);
        ctx.frozen().assertNotFrozen(repo.config.id, snapshot.id, 'restore');
        return restore(repo, snapshot, {
          target,
          include: list(values, 'include'),
          overwrite,
          keepBoth: flag(values, 'keep-both'),
          dryRun: flag(values, 'dry-run'),
          onProgress: (p) => progress.update({ files: p.filesDone, bytes: p.bytesDone, totalBytes: p.bytesTotal }),
        });
      });
      progress.done();
      if (!result.dryRun) {
        auditCli(ctx, 'restore.completed', {
          repositoryId: repo.config.id,
          snapshotId: result.snapshotId,
          target: result.target,
          files: result.filesRestored,
          errors: result.errors.length + result.refused.length,
        });
        withRecords(ctx, 'usage statistics', (r) => r.usage.recordRestore());
      }
      for (const r of result.refused) ctx.warn(`refused ${r.path}: ${r.reason}`);
      for (const e of result.errors) ctx.warn(`failed ${e.path}: ${e.message}`);
      ctx.print(result, () => {
        const verb = result.dryRun ? 'would restore' : 'restored';
        const lines = [
          `${verb} ${result.filesRestored} files, ${result.dirsRestored} folders, ${result.symlinksRestored} symlinks (${formatBytes(result.bytesRestored)}) from ${result.snapshotId.slice(0, 8)} into ${result.target}`,
        ];
        const skipped = result.conflicts.filter((c) => c.action === 'skip');
        if (skipped.length > 0)
          lines.push(`${skipped.length} existing file(s) kept as they are (use --overwrite or --keep-both)`);
        if (result.errors.length + result.refused.length > 0) {
          lines.push(
            `restore incomplete: ${result.errors.length} error(s), ${result.refused.length} refused entr(ies)`,
          );
        }
        return lines.join('\n');
      });
      return result.errors.length + result.refused.length > 0 ? EXIT.error : EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
