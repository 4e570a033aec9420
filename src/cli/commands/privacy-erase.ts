/**
 * `cairn privacy erase`: the right to erasure (GDPR Art. 17).
 * - `--path P [--dry-run] [--no-exclude] [--receipt FILE]`: erase one file or folder (absolute,
 *   as backed up) from every recovery point, physically delete its data, keep a tombstone and a
 *   receipt (both name the path by keyed hash only), clear it from the watcher journal and the
 *   app's task history. When P still exists on disk, say so and — when the app's catalog can be
 *   reached and unless --no-exclude — exclude it from the backups of the repository's folders
 *   that hold it. --receipt saves the receipt with P named to FILE, the one copy that names it.
 * - `--all --yes-erase-everything --receipt FILE`: destroy every key slot first, then every
 *   repository object and folder (the one given with --repo and every one in the app's catalog),
 *   then the app data folder; the receipt goes to FILE, outside all of them.
 * The use cases, shared with the app, are in src/app/services/erase.ts.
 */
import path from 'node:path';
import {
  catalogRepositoriesToErase,
  eraseEverythingFor,
  eraseFromRecoveryPoints,
  openAppCatalog,
  type PathErasure,
  previewErasure,
  receiptTarget,
  saveReceiptWithPath,
} from '../../app/services/erase.js';
import { describeOnDisk } from '../../app/services/erase-on-disk.js';
import { formatBytes, ProgressReporter } from '../output.js';
import { type Command, EXIT, flag, str } from './types.js';

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

export const privacyEraseCommand: Command = {
  name: 'erase',
  summary: 'erase a path from every recovery point, or erase everything',
  usage:
    'cairn privacy erase --path PATH [--dry-run] [--no-exclude] [--receipt FILE]\n       cairn privacy erase --all --yes-erase-everything --receipt FILE',
  options: [
    { name: 'path', value: 'PATH', description: 'the file or folder to erase (absolute, as backed up)' },
    { name: 'dry-run', description: 'only report what would be erased; change nothing' },
    { name: 'no-exclude', description: 'do not exclude PATH from later backups when it still exists on disk' },
    { name: 'all', description: 'erase everything: every repository of the app and the app data folder' },
    { name: 'yes-erase-everything', description: 'confirm --all' },
    { name: 'receipt', value: 'FILE', description: 'save the receipt (naming the path) to FILE' },
  ],
  async run(ctx, args, values) {
    if (args.length > 0) throw usageError(`unexpected argument "${args[0]}"`);
    const target = str(values, 'path');
    if (flag(values, 'all')) {
      if (target !== undefined) throw usageError('give either --path or --all, not both');
      if (flag(values, 'no-exclude')) throw usageError('--no-exclude goes with --path');
      return eraseAll(ctx, values);
    }
    if (target === undefined) throw usageError('name what to erase: --path PATH, or --all to erase everything');
    if (flag(values, 'yes-erase-everything')) throw usageError('--yes-erase-everything goes with --all');
    const dryRun = flag(values, 'dry-run');
    const receipt = str(values, 'receipt');
    if (dryRun && (receipt !== undefined || flag(values, 'no-exclude'))) {
      throw usageError('--receipt and --no-exclude go with an erasure, not with --dry-run');
    }
    // Checked before anything is erased: a receipt that cannot be saved afterwards would be lost.
    const receiptFile = receipt === undefined ? undefined : receiptTarget(path.resolve(receipt), ctx.appDataDir());
    const repo = await ctx.openRepository();
    const progress = ProgressReporter.for(ctx.json, dryRun ? 'looking' : 'erasing');
    try {
      const onProgress = (p: { done: number }) => progress.update({ files: p.done, bytes: 0 });
      if (dryRun) {
        const r = await previewErasure(repo, ctx.appDataDir(), target, { onProgress });
        progress.done();
        ctx.print(r, () =>
          [
            `would erase ${r.path} (${r.files} file(s), ${formatBytes(r.bytes)}) from ${r.recoveryPoints.length} recovery point(s):`,
            ...r.recoveryPoints.map((s) => `  ${s.id.slice(0, 8)}  ${s.time.replace('T', ' ').slice(0, 19)}`),
            `would free about ${formatBytes(r.bytesToFree)}${r.blobsSharedWithOtherFiles > 0 ? `; ${r.blobsSharedWithOtherFiles} piece(s) of its content are also part of other files and would stay` : ''}`,
          ].join('\n'),
        );
        return EXIT.ok;
      }
      const app = openAppCatalog(ctx.appDataDir());
      let r: PathErasure;
      try {
        r = await eraseFromRecoveryPoints(
          repo,
          { dataDir: ctx.appDataDir(), records: ctx.records(), ...(app.catalog ? { catalog: app.catalog } : {}) },
          target,
          { onProgress, exclude: !flag(values, 'no-exclude') },
        );
      } finally {
        app.catalog?.close();
      }
      progress.done();
      const saved =
        receiptFile && r.path
          ? saveReceiptWithPath(repo, ctx.appDataDir(), r.requestId, r.path, receiptFile).file
          : null;
      ctx.print({ ...r, savedReceipt: saved }, () => erasedText(r, saved, app.busy));
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};

/** What the CLI prints after erasing a path (it names the path: shown now, kept nowhere). */
function erasedText(r: PathErasure, saved: string | null, catalogBusy: string | undefined): string {
  const when = (t: string) => t.replace('T', ' ').slice(0, 19);
  const onDisk = r.path ? describeOnDisk(r.path, r.onDisk) : null;
  return [
    `erased ${r.path} (${r.files} file(s), ${formatBytes(r.bytes)}) from ${r.rewritten.length + r.forgotten.length} recovery point(s):`,
    ...r.rewritten.map((w) => `  ${w.original.slice(0, 8)} → ${w.rewritten.slice(0, 8)}  ${when(w.time)}`),
    ...r.forgotten.map((f) => `  ${f.original.slice(0, 8)} forgotten (it held nothing else)  ${when(f.time)}`),
    `removed from use at ${r.removedFromUseAt}; physically deleted at ${r.physicallyDeletedAt} (${formatBytes(Math.max(0, r.bytesFreed))} freed, ${r.packsDeleted} pack(s) deleted, ${r.packsRepacked} rewritten)`,
    ...(r.blobsSharedWithOtherFiles > 0
      ? [`${r.blobsSharedWithOtherFiles} piece(s) of its content are also part of other files and stay as part of them`]
      : []),
    `request ${r.requestId}; receipt ${r.receiptFile} (it names the path by a keyed hash only)`,
    ...(saved ? [`the receipt naming the path was saved to ${saved}`] : []),
    ...(onDisk ? [`note: ${onDisk}`] : []),
    ...(catalogBusy
      ? [
          `note: the app's backed-up folders could not be changed, and its task history may still name the path (${catalogBusy}); erasing from the app itself does both`,
        ]
      : []),
  ].join('\n');
}

async function eraseAll(ctx: Parameters<Command['run']>[0], values: Parameters<Command['run']>[2]): Promise<number> {
  if (!flag(values, 'yes-erase-everything')) {
    throw usageError(
      'erasing everything destroys every key slot, every recovery point and all app data, and cannot be undone: add --yes-erase-everything to confirm',
    );
  }
  if (flag(values, 'dry-run')) throw usageError('--dry-run goes with --path');
  const receipt = str(values, 'receipt');
  if (!receipt) throw usageError('--receipt FILE is required: the receipt is the only thing left afterwards');
  const dataDir = ctx.appDataDir();
  const location = ctx.options.repo ?? process.env.CAIRN_REPOSITORY;
  // The app's repositories too (when it has a catalog here); refused while the app runs on this folder.
  const r = await eraseEverythingFor({
    dataDir,
    receiptFile: path.resolve(receipt),
    repositories: catalogRepositoriesToErase(dataDir),
    ...(location ? { location } : {}),
    backendFor: (repository) => ctx.backend(repository.location),
  });
  ctx.print(r, () =>
    [
      ...r.repositories.map((x) =>
        x.note
          ? `${x.location}: ${x.note}`
          : `${x.location}: ${x.keySlotsDestroyed} key slot(s) destroyed, ${Object.values(x.objectsDeleted).reduce((a, b) => a + b, 0)} object(s) deleted${x.folderRemoved ? ', folder removed' : ''}`,
      ),
      `app data ${r.appData.folder}: ${r.appData.deleted.length} item(s) deleted`,
      `everything erased (request ${r.request}); receipt ${r.receiptFile}`,
    ].join('\n'),
  );
  return EXIT.ok;
}
