/**
 * `cairn privacy erase`: the right to erasure (GDPR Art. 17).
 * - `--path P [--dry-run]`: erase one file or folder (absolute, as backed up) from every recovery
 *   point, physically delete its data, keep a tombstone and write a receipt.
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
  previewErasure,
} from '../../app/services/erase.js';
import { formatBytes, ProgressReporter } from '../output.js';
import { type Command, EXIT, flag, str } from './types.js';

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

export const privacyEraseCommand: Command = {
  name: 'erase',
  summary: 'erase a path from every recovery point, or erase everything',
  usage:
    'cairn privacy erase --path PATH [--dry-run]\n       cairn privacy erase --all --yes-erase-everything --receipt FILE',
  options: {
    path: { type: 'string' },
    'dry-run': { type: 'boolean' },
    all: { type: 'boolean' },
    'yes-erase-everything': { type: 'boolean' },
    receipt: { type: 'string' },
  },
  async run(ctx, args, values) {
    if (args.length > 0) throw usageError(`unexpected argument "${args[0]}"`);
    const target = str(values, 'path');
    if (flag(values, 'all')) {
      if (target !== undefined) throw usageError('give either --path or --all, not both');
      return eraseAll(ctx, values);
    }
    if (target === undefined) throw usageError('name what to erase: --path PATH, or --all to erase everything');
    if (flag(values, 'yes-erase-everything') || str(values, 'receipt') !== undefined) {
      throw usageError('--yes-erase-everything and --receipt go with --all');
    }
    const dryRun = flag(values, 'dry-run');
    const repo = await ctx.openRepository();
    const progress = ProgressReporter.for(ctx.json, dryRun ? 'looking' : 'erasing');
    try {
      const onProgress = (p: { done: number }) => progress.update({ files: p.done, bytes: 0 });
      const r = dryRun
        ? await previewErasure(repo, ctx.appDataDir(), target, { onProgress })
        : await eraseFromRecoveryPoints(repo, { dataDir: ctx.appDataDir(), records: ctx.records() }, target, {
            onProgress,
          });
      progress.done();
      ctx.print(r, () => {
        const points = r.recoveryPoints.map((s) => `  ${s.id.slice(0, 8)}  ${s.time.replace('T', ' ').slice(0, 19)}`);
        const what = `${r.path} (${r.files} file(s), ${formatBytes(r.bytes)})`;
        if (r.dryRun) {
          return [
            `would erase ${what} from ${r.recoveryPoints.length} recovery point(s):`,
            ...points,
            `would free about ${formatBytes(r.bytesToFree)}${r.blobsSharedWithOtherFiles > 0 ? `; ${r.blobsSharedWithOtherFiles} piece(s) of its content are also part of other files and would stay` : ''}`,
          ].join('\n');
        }
        return [
          `erased ${what} from ${r.rewritten.length} recovery point(s):`,
          ...r.rewritten.map(
            (w) => `  ${w.original.slice(0, 8)} → ${w.rewritten.slice(0, 8)}  ${w.time.replace('T', ' ').slice(0, 19)}`,
          ),
          `removed from use at ${r.removedFromUseAt}; physically deleted at ${r.physicallyDeletedAt} (${formatBytes(Math.max(0, r.bytesFreed))} freed, ${r.packsDeleted} pack(s) deleted, ${r.packsRepacked} rewritten)`,
          ...(r.blobsSharedWithOtherFiles > 0
            ? [
                `${r.blobsSharedWithOtherFiles} piece(s) of its content are also part of other files and stay as part of them`,
              ]
            : []),
          `request ${r.requestId}; receipt ${r.receiptFile}`,
          'note: if the path still exists in a backed-up folder, the next backup stores it again; delete or exclude it there',
        ].join('\n');
      });
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};

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
