/**
 * Backup: walks the chosen paths, stores what changed, and writes a recovery point.
 *
 * `backup` finds the parent recovery point, starts the encoding workers, runs the walk
 * (walker.ts: folders, excludes, what is unchanged since the parent), whose new and changed files
 * file-archiver.ts reads and hands over to be encoded and packed, and finally writes the recovery
 * point with the counts tally.ts kept. The progress's totals come from the parent recovery point
 * when it holds the same paths; otherwise a quick count of the source (quick-count.ts) runs beside
 * the walk and gives them once it is done. The snapshot is written last, after every pack and index
 * file it relies on; on an error or abort what was uploaded is still packed and indexed, so the
 * next backup can use it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError, describeError } from '../errors.js';
import type { Snapshot, SnapshotRecord } from '../format/snapshot.js';
import type { TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { bypassRestriction } from '../repo/restriction.js';
import { systemClock } from '../util/clock.js';
import { toRepoPath } from '../util/paths.js';
import { PROGRAM } from '../version.js';
import type { BackupOptions, BackupResult } from './backup-options.js';
import { ExcludeRules } from './excludes.js';
import { FileArchiver } from './file-archiver.js';
import { namedPaths, QuickCount } from './quick-count.js';
import { SealPool } from './seal-pool.js';
import { BackupTally } from './tally.js';
import { rootSteps, Walker } from './walker.js';

export type {
  BackupOptions,
  BackupProgress,
  BackupResult,
  ChangePlan,
  TreeStats,
  TreeStatsCache,
} from './backup-options.js';
export { PROGRAM };

/** Backs up `options.paths`; compares against a frozen parent too (nothing of it leaves the engine). */
export function backup(repo: Repository, options: BackupOptions): Promise<BackupResult> {
  return bypassRestriction('backup', () => backupPaths(repo, options));
}

async function backupPaths(repo: Repository, options: BackupOptions): Promise<BackupResult> {
  const clock = options.clock ?? systemClock;
  const started = clock();
  const time = options.time ?? new Date(started);
  if (options.paths.length === 0)
    throw new CairnError('invalid-argument', 'name at least one file or folder to back up');
  const localPaths = [...new Set(options.paths.map((p) => path.resolve(p)))];
  const repoPaths = localPaths.map((p) => toRepoPath(p));
  for (const p of localPaths) {
    try {
      await fs.lstat(p);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : describeError(err);
      throw new CairnError('not-found', `cannot back up ${p}: ${reason}`, { cause: err });
    }
  }
  const rules = ExcludeRules.fromPatterns(options.excludes ?? []);
  await repo.loadIndex();
  // Data whose pack is gone is stored again from the source rather than pointed at (healing);
  // the journal's reuse of whole folders is then off, since they may hold such data.
  const packsLost = await repo.dropMissingPacks();
  if (packsLost > 0) {
    // Not a warning of the recovery point: it is whole, since that data is stored anew.
    options.onWarning?.(
      `${packsLost} pack(s) of stored data are missing from the repository: files whose data they held are read and stored again`,
    );
  }
  const hostname = options.hostname ?? os.hostname();
  const parent = await findParent(repo, options.parent, hostname, repoPaths);
  // The parent's totals estimate this backup's only when it holds the same paths.
  const estimate =
    parent && samePaths(parent.paths, repoPaths)
      ? { files: parent.summary.totalFiles, bytes: parent.summary.totalBytes }
      : undefined;
  const changes = packsLost > 0 ? undefined : options.planChanges?.(options.force ? undefined : parent);
  const pool = new SealPool({
    dataKey: repo.keys.dataKey,
    idKey: repo.keys.idKey,
    chunkerSeed: repo.keys.chunkerSeed,
    chunker: repo.config.chunker,
  });
  pool.setKnownIds(() => repo.index.ids('data'));
  options.signal?.addEventListener('abort', () => pool.abort(), { once: true });
  const tally = new BackupTally(repo, options, estimate);
  const files = new FileArchiver(repo, pool, tally);
  const oneFileSystem = options.oneFileSystem
    ? {
        onSkipped: (p: string) =>
          options.onWarning?.(`${p}: on another file system (a mount point), not backed up: one file system only`),
      }
    : undefined;
  const walker = new Walker(repo, files, tally, {
    force: options.force,
    signal: options.signal,
    changes,
    oneFileSystem,
  });
  const steps = rootSteps(localPaths, repoPaths);
  repo.beginWrite();
  // Without totals, a quick stat-only count of the source runs beside the walk to give them.
  const count = estimate
    ? undefined
    : new QuickCount(namedPaths(steps), rules, {
        signal: options.signal,
        oneFileSystem: options.oneFileSystem,
        onComplete: (totals) => tally.counted(totals),
      });
  if (count) tally.counting(count);
  try {
    const parentRoot: TreeNode | undefined = parent
      ? { name: '/', type: 'dir', mode: 0, mtime: 0, subtree: parent.tree }
      : undefined;
    const treeId = await walker.archiveRootStep(steps, '/', parentRoot, rules);
    await files.drain();
    options.signal?.throwIfAborted();
    const snapshot: Snapshot = {
      version: 1,
      time: time.toISOString(),
      hostname,
      username: os.userInfo().username,
      paths: [...repoPaths].sort(),
      tags: [...new Set(options.tags ?? [])].sort(),
      tree: treeId,
      ...(parent ? { parent: parent.id } : {}),
      summary: tally.summary(clock() - started),
      partial: tally.warnings.length > 0,
      warnings: tally.warnings.slice(0, 1000),
      program: PROGRAM,
    };
    const anchor = options.auditAnchor?.();
    if (anchor) snapshot.audit = anchor;
    const id = await repo.saveSnapshot(snapshot);
    tally.saveTreeStats();
    return {
      snapshot: { ...snapshot, id },
      warnings: tally.warnings,
      usedJournal: changes !== undefined,
      reusedFolders: tally.reusedFolders,
    };
  } catch (err) {
    // Keep what was uploaded usable by the next backup: finish packs and index them.
    await files.drain().catch(() => undefined);
    await repo.flush().catch(() => undefined);
    throw err;
  } finally {
    // A count still running has nothing left to tell: the backup ended (or failed) first.
    await count?.stop();
    repo.endWrite();
    await pool.close();
  }
}

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join('\0') === [...b].sort().join('\0');
}

/**
 * The recovery point the backup compares with: the one named, or else the newest of this host
 * with the same set of paths whose root folder is stored.
 */
async function findParent(
  repo: Repository,
  named: string | undefined,
  hostname: string,
  repoPaths: string[],
): Promise<SnapshotRecord | undefined> {
  if (named) return repo.findSnapshot(named);
  // Unreadable recovery points are not listed; one whose root folder is not stored is passed over.
  const all = await repo.listSnapshots();
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i] as SnapshotRecord;
    if (s.hostname === hostname && samePaths(s.paths, repoPaths) && repo.hasBlob(s.tree)) return s;
  }
  return undefined;
}
