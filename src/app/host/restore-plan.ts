/**
 * Restore planning for the engine host: where a restore writes ("/" is the original place: the
 * recovery point's paths are absolute, so restoring under "/" puts every file back where it was)
 * and the preview behind 'restore.preview' — the restorer's own planning run as a dry run, which
 * reports each file's outcome (new, overwrite, skip, keep both) and writes nothing.
 *
 * Restoring to the original place with nothing selected restores the backed-up folders (the
 * recovery point's paths), never the folders above them, so no metadata of `/home` or `/tmp` is
 * ever touched.
 */
import path from 'node:path';
import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type PlannedAction, restore } from '../../engine/restore/restorer.js';
import { normalizeRepoPath } from '../../engine/util/paths.js';

export interface RestoreRequest {
  target: string;
  include: string[];
}

/** The target and include list a restore of `snapshot` really uses; refuses what cannot be done. */
export function resolveRestoreRequest(
  snapshot: SnapshotRecord,
  target: string,
  include: string[],
  platform: NodeJS.Platform = process.platform,
): RestoreRequest {
  if (target === '/') {
    if (platform === 'win32') {
      throw new ContractError(
        'invalid-argument',
        'restoring to the original place is not available on Windows yet: choose a folder to restore into',
      );
    }
    const selected = include.length > 0 ? include : snapshot.paths;
    return { target: '/', include: selected.map(normalizeRepoPath) };
  }
  if (!path.isAbsolute(target)) {
    throw new ContractError(
      'invalid-argument',
      `the folder to restore into must be an absolute path (got "${target}")`,
    );
  }
  return { target, include };
}

const ACTION_NAMES: Record<PlannedAction, 'new' | 'overwrite' | 'skip' | 'keep-both'> = {
  create: 'new',
  overwrite: 'overwrite',
  skip: 'skip',
  'keep-both': 'keep-both',
};

/** What the restore would do to every file, without writing anything. */
export async function previewRestore(
  repo: Repository,
  p: ParsedParams<'restore.preview'>,
): Promise<Result<'restore.preview'>> {
  await repo.loadIndex();
  const snapshot = await repo.findSnapshot(p.snapshotId);
  const request = resolveRestoreRequest(snapshot, p.target, p.include);
  const items: Result<'restore.preview'>['items'] = [];
  const counts = { new: 0, overwrite: 0, skip: 0, keepBoth: 0 };
  let bytes = 0;
  const r = await restore(repo, snapshot, {
    target: request.target,
    include: request.include.length > 0 ? request.include : undefined,
    overwrite: p.overwrite,
    keepBoth: p.keepBoth,
    dryRun: true,
    onPlanned: (item) => {
      const action = ACTION_NAMES[item.action];
      if (action === 'keep-both') counts.keepBoth++;
      else counts[action]++;
      if (action !== 'skip') bytes += item.size;
      if (items.length < p.limit) {
        items.push({ path: item.path, destination: item.destination, action, reason: item.reason ?? null });
      }
    },
  });
  const total = counts.new + counts.overwrite + counts.skip + counts.keepBoth;
  return {
    target: r.target,
    items,
    counts,
    bytes,
    refused: r.refused,
    errors: r.errors,
    truncated: total > items.length,
  };
}
