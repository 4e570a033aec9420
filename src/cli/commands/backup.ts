/** `cairn backup PATH...`: stores a new recovery point of the given files and folders. */
import { backup } from '../../engine/backup/archiver.js';
import { withLock } from '../../engine/repo/lock.js';
import { formatBytes, formatDuration, ProgressReporter } from '../output.js';
import { auditCli, withRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, list, str } from './types.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'back up files and folders into a new recovery point',
  usage: 'cairn backup [--exclude PATTERN]... [--tag TAG]... [--force] [--parent ID] PATH...',
  options: {
    exclude: { type: 'string', multiple: true, short: 'e' },
    tag: { type: 'string', multiple: true },
    host: { type: 'string' },
    parent: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run(ctx, args, values) {
    if (args.length === 0)
      throw Object.assign(new Error('name at least one file or folder to back up'), { usage: true });
    const repo = await ctx.openRepository();
    const progress = ProgressReporter.for(ctx.json, 'backing up');
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const result = await withLock(repo, 'backup', false, () =>
        backup(repo, {
          paths: args,
          excludes: list(values, 'exclude'),
          tags: list(values, 'tag'),
          hostname: str(values, 'host'),
          parent: str(values, 'parent'),
          force: flag(values, 'force'),
          signal: controller.signal,
          onProgress: (p) => progress.update({ files: p.filesDone, bytes: p.bytesDone, totalBytes: p.bytesTotal }),
          onWarning: (w) => {
            progress.done();
            ctx.warn(w);
          },
        }),
      );
      progress.done();
      const s = result.snapshot;
      const m = s.summary;
      auditCli(ctx, 'backup.completed', {
        repositoryId: repo.config.id,
        snapshotId: s.id,
        paths: s.paths,
        files: m.totalFiles,
        bytes: m.totalBytes,
        partial: s.partial,
      });
      withRecords(ctx, 'usage statistics', (r) => r.usage.recordBackup(m.totalBytes));
      ctx.print(
        {
          id: s.id,
          time: s.time,
          paths: s.paths,
          tags: s.tags,
          parent: s.parent ?? null,
          partial: s.partial,
          summary: m,
          warnings: result.warnings,
        },
        () =>
          [
            `Files:   ${m.filesNew} new, ${m.filesChanged} changed, ${m.filesUnchanged} unchanged (${m.dirs} folders)`,
            `Data:    ${formatBytes(m.totalBytes)} in the recovery point, ${formatBytes(m.dataAdded)} new (${formatBytes(m.dataAddedStored)} stored)`,
            `Time:    ${formatDuration(m.durationMs)}`,
            `${s.partial ? 'partial ' : ''}recovery point ${s.id.slice(0, 8)} saved${s.partial ? ` — ${result.warnings.length} item(s) could not be read` : ''}`,
          ].join('\n'),
      );
      return s.partial ? EXIT.partial : EXIT.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await repo.close();
    }
  },
};
