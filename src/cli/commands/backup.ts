/** `cairn backup PATH...`: stores a new recovery point of the given files and folders. */
import { resolveDataDir } from '../../app/host/data-dir.js';
import { openWatcherJournal, prepareBackup, runBackup } from '../../app/services/backup.js';
import { backupSelection } from '../backup-selection.js';
import { formatBytes, formatDuration, ProgressReporter } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import { BACKUP_OPTIONS } from './backup-options.js';
import { type Command, EXIT, flag, list, str } from './types.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'back up files and folders into a new recovery point',
  usage:
    'cairn backup [-e PATTERN]... [--exclude-file FILE]... [--iexclude PATTERN]... [-x] [--tag TAG]... [options] PATH... | --files-from FILE',
  options: BACKUP_OPTIONS,
  async run(ctx, args, values) {
    const selection = backupSelection(values, args);
    if (selection.paths.length === 0)
      throw Object.assign(new Error('name at least one file or folder to back up (or list them with --files-from)'), {
        usage: true,
      });
    const journal = openWatcherJournal(resolveDataDir(ctx.dataDir()), (w) => ctx.warn(w));
    // Asks a running watcher to confirm its journal now; it answers while the repository opens.
    const prepared = prepareBackup(
      {
        paths: selection.paths,
        excludes: selection.excludes,
        oneFileSystem: selection.oneFileSystem,
        tags: list(values, 'tag'),
        hostname: str(values, 'host'),
        parent: str(values, 'parent'),
        force: flag(values, 'force'),
        rescan: flag(values, 'rescan'),
      },
      journal,
    );
    let repo: Awaited<ReturnType<typeof ctx.openRepository>>;
    try {
      repo = await ctx.openRepository();
    } catch (err) {
      await prepared.ready;
      journal?.close();
      throw err;
    }
    const progress = ProgressReporter.for(ctx.json, 'backing up', ctx.options.quiet);
    const controller = new AbortController();
    const onSignal = () => {
      controller.abort();
      // Stopping while remote storage is down: end the retry pauses rather than sit them out.
      repo.backend.interruptRetries?.();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const {
        snapshot: s,
        warnings,
        scan,
      } = await runBackup(repo, prepared, {
        records: { privacy: () => privacyRecords(ctx), warn: (w) => ctx.warn(w) },
        signal: controller.signal,
        onProgress: (p) =>
          progress.update({
            files: p.filesDone,
            bytes: p.bytesDone,
            totalBytes: p.bytesTotal,
            filesTotal: p.filesTotal,
            counting: p.counting,
          }),
        onWarning: (w) => {
          progress.done();
          ctx.warn(w);
        },
      });
      progress.done();
      const scanText = scan.usedJournal
        ? `journal (${scan.reason}; ${scan.reusedFolders} folder(s) taken over unchanged)`
        : `full rescan (${scan.reason ?? 'the watcher journal cannot be opened'})`;
      const m = s.summary;
      ctx.print(
        {
          id: s.id,
          time: s.time,
          paths: s.paths,
          tags: s.tags,
          parent: s.parent ?? null,
          partial: s.partial,
          summary: m,
          warnings,
          journal: { used: scan.usedJournal, reason: scan.reason, reusedFolders: scan.reusedFolders },
        },
        () =>
          [
            `Files:   ${m.filesNew} new, ${m.filesChanged} changed, ${m.filesUnchanged} unchanged (${m.dirs} folders)`,
            `Data:    ${formatBytes(m.totalBytes)} in the recovery point, ${formatBytes(m.dataAdded)} new (${formatBytes(m.dataAddedStored)} stored)`,
            `Time:    ${formatDuration(m.durationMs)}`,
            `Scan:    ${scanText}`,
            `${s.partial ? 'partial ' : ''}recovery point ${s.id.slice(0, 8)} saved${s.partial ? ` — ${warnings.length} item(s) could not be read` : ''}`,
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
