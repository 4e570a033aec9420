/**
 * `repair snapshots`: for each recovery point that references missing data, writes a repaired
 * copy without it (docs/repository-format.md §13.4). Files whose data is missing are left out,
 * folders whose listing is missing become empty folders; every other subtree keeps its id, so
 * only the trees on the way to damage are written. The copy keeps the original's time, host,
 * paths and tags, adds the tag `repaired` and records in `repaired` where it came from. The
 * original stays until the user forgets it: repair never removes a recovery point.
 *
 * Data counts as missing when no index file lists it, or when the pack the index names is not
 * stored; a folder also counts as missing when its tree is indexed but cannot be read. Data blobs
 * are not read (that is `repair index --read-data`). Write order per copy: trees → index →
 * snapshot (`saveSnapshot`), so an interrupted repair leaves at most unused trees.
 */
import { LostDataWalker, treeIdOnly } from '../check/lost-data.js';
import type { Snapshot } from '../format/snapshot.js';
import { withLock } from '../repo/lock.js';
import type { Repository } from '../repo/repository.js';
import { bypassRestriction } from '../repo/restriction.js';
import { type Clock, isoTime, systemClock } from '../util/clock.js';

export const REPAIRED_TAG = 'repaired';

export interface RepairSnapshotsOptions {
  /** Report what would be written, write nothing. */
  dryRun?: boolean;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Dates the copies' `repaired.time` and the lock (default: the system clock). */
  clock?: Clock;
}

/** One recovery point that references missing data, and its repaired copy. */
export interface RepairedPoint {
  original: string;
  /** Id of the copy; absent on a dry run. */
  repaired?: string;
  time: string;
  hostname: string;
  paths: string[];
  removedFiles: number;
  emptiedFolders: number;
  /** The first few removed files and emptied folders (folders end in `/`). */
  examples: string[];
}

export interface RepairSnapshotsResult {
  dryRun: boolean;
  /** Recovery points read. */
  snapshots: number;
  repaired: RepairedPoint[];
  /** Originals whose repaired copy exists already (nothing to do). */
  alreadyRepaired: { original: string; repaired: string }[];
  /** Recovery points whose root folder is missing: no copy is written, forget them. */
  rootLost: { id: string; time: string; reason: string }[];
  /** Recovery points whose file cannot be read at all: forget them. */
  unreadable: { id: string; reason: string }[];
}

export async function repairSnapshots(
  repo: Repository,
  options: RepairSnapshotsOptions = {},
): Promise<RepairSnapshotsResult> {
  const dryRun = options.dryRun === true;
  const clock = options.clock ?? systemClock;
  // A dry run only reads; a repair must not race another repair writing copies of the same points.
  // A frozen point is mended too (its copy stays frozen).
  return bypassRestriction('repair', () =>
    withLock(
      repo,
      dryRun ? 'repair snapshots --dry-run' : 'repair snapshots',
      !dryRun,
      () => repairUnderLock(repo, dryRun, clock, options),
      { clock },
    ),
  );
}

async function repairUnderLock(
  repo: Repository,
  dryRun: boolean,
  clock: Clock,
  options: RepairSnapshotsOptions,
): Promise<RepairSnapshotsResult> {
  await repo.loadIndex();
  // Blobs whose only packs are gone leave the session index (a blob stored again elsewhere stays).
  await repo.dropMissingPacks();
  const lostCause = (id: string, type: 'data' | 'tree') =>
    repo.index.has(id) ? undefined : `${type === 'tree' ? 'tree' : 'blob'} ${id.slice(0, 12)}`;
  const walker = new LostDataWalker(repo, lostCause, dryRun ? treeIdOnly(repo) : (tree) => repo.saveTree(tree));
  const { snapshots, damaged: unreadable } = await repo.listSnapshotsChecked();
  const copies = new Map<string, string>();
  for (const s of snapshots) if (s.repaired) copies.set(s.repaired.original, s.id);

  const result: RepairSnapshotsResult = {
    dryRun,
    snapshots: snapshots.length,
    repaired: [],
    alreadyRepaired: [],
    rootLost: [],
    unreadable,
  };
  for (const [i, snapshot] of snapshots.entries()) {
    options.onProgress?.({ done: i, total: snapshots.length });
    const root = await walker.tree(snapshot.tree);
    if ('lost' in root) {
      result.rootLost.push({ id: snapshot.id, time: snapshot.time, reason: root.lost });
      continue;
    }
    if (root.lostFiles === 0 && root.lostFolders === 0) continue;
    // Repaired before (by a run that ended after writing the copy): the copy, not the original,
    // is what a further repair would look at.
    const copy = copies.get(snapshot.id);
    if (copy) {
      result.alreadyRepaired.push({ original: snapshot.id, repaired: copy });
      continue;
    }
    const point: RepairedPoint = {
      original: snapshot.id,
      time: snapshot.time,
      hostname: snapshot.hostname,
      paths: snapshot.paths,
      removedFiles: root.lostFiles,
      emptiedFolders: root.lostFolders,
      examples: root.examples.map((e) => `/${e}`),
    };
    if (!dryRun) {
      const { id: _id, ...original } = snapshot;
      const doc: Snapshot = {
        ...original,
        tags: [...new Set([...snapshot.tags, REPAIRED_TAG])].sort(),
        tree: root.id,
        summary: { ...snapshot.summary, totalFiles: root.files, totalBytes: root.bytes },
        repaired: {
          original: snapshot.id,
          time: isoTime(clock),
          removedFiles: root.lostFiles,
          emptiedFolders: root.lostFolders,
        },
      };
      point.repaired = await repo.saveSnapshot(doc);
    }
    result.repaired.push(point);
  }
  options.onProgress?.({ done: snapshots.length, total: snapshots.length });
  return result;
}
