/**
 * `cairn watch PATH...`: runs the folder watcher in the foreground so that `cairn backup` of
 * those folders reads only what changed. Prints `watching N paths` once the initial scan is done,
 * then runs until Ctrl+C or SIGTERM. The journal lives in the app data folder (--data-dir).
 */
import path from 'node:path';
import { resolveDataDir } from '../../app/host/data-dir.js';
import { JournalStore } from '../../app/journal/journal-store.js';
import { FolderWatcher } from '../../app/journal/watcher.js';
import { untilStopped } from '../until-stopped.js';
import { type Command, EXIT, flag } from './types.js';

export const watchCommand: Command = {
  name: 'watch',
  summary: 'watch folders so that backups read only what changed',
  usage: 'cairn watch [--verbose] PATH...',
  options: [{ name: 'verbose', short: 'v', description: 'print a line each time changes are written to the journal' }],
  async run(ctx, args, values) {
    if (args.length === 0) throw Object.assign(new Error('name at least one folder to watch'), { usage: true });
    const verbose = flag(values, 'verbose');
    const store = JournalStore.open(resolveDataDir(ctx.dataDir()), { onWarning: (w) => ctx.warn(w) });
    let watcher: FolderWatcher;
    try {
      watcher = await FolderWatcher.start(
        store,
        args.map((a) => path.resolve(a)),
        {
          onError: (message) => ctx.warn(message),
          onFlush: verbose ? (n) => process.stderr.write(`journaled ${n} change(s)\n`) : undefined,
        },
      );
    } catch (err) {
      store.close();
      throw err;
    }
    ctx.print(
      { watching: watcher.watchedCount, roots: watcher.rootPaths },
      () => `watching ${watcher.watchedCount} paths`,
    );
    await untilStopped();
    await watcher.close();
    store.close();
    return EXIT.ok;
  },
};
