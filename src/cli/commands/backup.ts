/** `cairn backup PATH...`: stores a new recovery point of the given files and folders. */
import { resolveDataDir } from '../../app/host/data-dir.js';
import { JournalBackup } from '../../app/journal/journal-backup.js';
import { JournalStore } from '../../app/journal/journal-store.js';
import { backup } from '../../engine/backup/archiver.js';
import { describeError } from '../../engine/errors.js';
import { withLock } from '../../engine/repo/lock.js';
import { formatBytes, formatDuration, ProgressReporter } from '../output.js';
import { auditCli, withRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, list, str } from './types.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'back up files and folders into a new recovery point',
  usage: 'cairn backup [--exclude PATTERN]... [--tag TAG]... [--force] [--rescan] [--parent ID] PATH...',
  options: {
    exclude: { type: 'string', multiple: true, short: 'e' },
    tag: { type: 'string', multiple: true },
    host: { type: 'string' },
    parent: { type: 'string' },
    force: { type: 'boolean' },
    rescan: { type: 'boolean' },
  },
  async run(ctx, args, values) {
    if (args.length === 0)
      throw Object.assign(new Error('name at least one file or folder to back up'), { usage: true });
    const excludes = list(values, 'exclude');
    const journal = openJournal(resolveDataDir(ctx.dataDir()), (w) => ctx.warn(w));
    const plan = journal ? new JournalBackup(journal, args, { rescan: flag(values, 'rescan'), excludes }) : undefined;
    // Ask a running watcher to confirm its journal now; it answers while the repository opens.
    const journalReady = plan?.prepare().catch(() => undefined);
    let repo: Awaited<ReturnType<typeof ctx.openRepository>>;
    try {
      repo = await ctx.openRepository();
    } catch (err) {
      await journalReady;
      journal?.close();
      throw err;
    }
    await journalReady;
    const progress = ProgressReporter.for(ctx.json, 'backing up');
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const result = await withLock(repo, 'backup', false, () =>
        backup(repo, {
          paths: args,
          excludes,
          tags: list(values, 'tag'),
          hostname: str(values, 'host'),
          parent: str(values, 'parent'),
          force: flag(values, 'force'),
          planChanges: plan ? (parent) => plan.plan(parent) : undefined,
          treeStats: journal,
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
      if (plan?.journalUnreadable) ctx.warn(`this backup rescanned everything: ${plan.reason}`);
      try {
        plan?.commit(s);
      } catch (err) {
        ctx.warn(`cannot update the watcher journal (the next backup rescans): ${describeError(err)}`);
      }
      const scan = plan?.usedJournal
        ? `journal (${plan.reason}; ${result.reusedFolders} folder(s) taken over unchanged)`
        : `full rescan (${plan?.reason ?? 'the watcher journal cannot be opened'})`;
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
          journal: { used: result.usedJournal, reason: plan?.reason ?? null, reusedFolders: result.reusedFolders },
        },
        () =>
          [
            `Files:   ${m.filesNew} new, ${m.filesChanged} changed, ${m.filesUnchanged} unchanged (${m.dirs} folders)`,
            `Data:    ${formatBytes(m.totalBytes)} in the recovery point, ${formatBytes(m.dataAdded)} new (${formatBytes(m.dataAddedStored)} stored)`,
            `Time:    ${formatDuration(m.durationMs)}`,
            `Scan:    ${scan}`,
            `${s.partial ? 'partial ' : ''}recovery point ${s.id.slice(0, 8)} saved${s.partial ? ` — ${result.warnings.length} item(s) could not be read` : ''}`,
          ].join('\n'),
      );
      return s.partial ? EXIT.partial : EXIT.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      journal?.close();
      await repo.close();
    }
  },
};

/**
 * The watcher journal of the data folder; a backup without it simply rescans. A damaged journal is
 * set aside and a new one started (with a warning), so the next backups can use it again.
 */
function openJournal(dataDir: string, warn: (message: string) => void): JournalStore | undefined {
  try {
    return JournalStore.open(dataDir, { onWarning: warn });
  } catch (err) {
    warn(`the watcher journal is not usable, so this backup rescans everything: ${describeError(err)}`);
    return undefined;
  }
}
