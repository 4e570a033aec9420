/**
 * What a check's problems cost the user: which recovery points lose which files and folders, and
 * what the next backup can store again ("healable"). Data lost from the newest recovery point of
 * a folder set backed up on this computer comes back with the next backup when the file is still
 * there: it reads the file again, since the lost blobs are not (or, after `repair index`, no
 * longer) in the index. Only the problems found decide what counts as lost (`LostCause`).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import type { SnapshotRecord } from '../format/snapshot.js';
import type { Repository } from '../repo/repository.js';
import { localPathOf } from '../util/paths.js';
import { type LostCause, LostDataWalker, MAX_EXAMPLES, treeIdOnly } from './lost-data.js';

/** A recovery point that lacks some of its data. */
export interface AffectedPoint {
  id: string;
  time: string;
  hostname: string;
  paths: string[];
  /** Files with data that is missing or damaged. */
  lostFiles: number;
  /** Folders whose listing is missing or damaged (their content is unknown). */
  lostFolders: number;
  /** The root folder itself is lost: nothing of this recovery point can be restored. */
  rootLost: boolean;
  /** The first few of those paths (folders end in `/`). */
  examples: string[];
}

/** What the next backup stores again by itself (see the module comment). */
export interface Healable {
  /** Lost files still on this computer with the size they had, their bytes and lost data blobs. */
  files: number;
  bytes: number;
  blobs: number;
  /** Lost folders that still exist here: the next backup lists them again. */
  folders: number;
  examples: string[];
  /**
   * Some of that data is still listed by the index in a pack that is stored but damaged or cut
   * short: a backup takes it for stored, so it stores it again only after `cairn repair index`
   * has dropped those entries. (Blobs of missing packs a backup stores again by itself.)
   */
  needsRepairIndex: boolean;
}

export interface LossReport {
  /** Recovery points that lack data, oldest first. */
  affected: AffectedPoint[];
  /** For each problem (named as in the check's `errors[].object`): the recovery points it affects. */
  affectedBy: Record<string, string[]>;
  healable: Healable;
}

export function noLoss(): LossReport {
  return {
    affected: [],
    affectedBy: {},
    healable: { files: 0, bytes: 0, blobs: 0, folders: 0, examples: [], needsRepairIndex: false },
  };
}

/**
 * `lostCause` says which blobs are lost; `indexedButBroken` which of those the index still
 * locates in a stored pack (damaged or cut short).
 */
export async function assessLoss(
  repo: Repository,
  snapshots: SnapshotRecord[],
  lostCause: LostCause,
  indexedButBroken: (blobId: string) => boolean,
  hostname = os.hostname(),
): Promise<LossReport> {
  const report = noLoss();
  const walker = new LostDataWalker(repo, lostCause, treeIdOnly(repo));
  const blamed = new Map<string, Set<string>>();
  const blame = (cause: string, id: string) => {
    const ids = blamed.get(cause) ?? new Set<string>();
    blamed.set(cause, ids);
    ids.add(id);
  };
  // Oldest first, as `cairn snapshots` lists them.
  const ordered = [...snapshots].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  for (const s of ordered) {
    const root = await walker.tree(s.tree);
    const point = { id: s.id, time: s.time, hostname: s.hostname, paths: s.paths };
    if ('lost' in root) {
      report.affected.push({ ...point, lostFiles: 0, lostFolders: 1, rootLost: true, examples: ['/'] });
      blame(root.lost, s.id);
      blame(`tree ${s.tree.slice(0, 12)}`, s.id);
    } else if (root.lostFiles > 0 || root.lostFolders > 0) {
      const examples = root.examples.map((e) => `/${e}`);
      report.affected.push({
        ...point,
        lostFiles: root.lostFiles,
        lostFolders: root.lostFolders,
        rootLost: false,
        examples,
      });
      for (const cause of root.causes) blame(cause, s.id);
    }
  }
  for (const [cause, ids] of blamed) report.affectedBy[cause] = [...ids];
  if (report.affected.length > 0)
    await assessHealable(walker, newestOfEachGroup(snapshots, hostname), lostCause, indexedButBroken, report);
  return report;
}

/** The newest recovery points of each host + paths group made on `hostname` (all of equal time). */
function newestOfEachGroup(snapshots: SnapshotRecord[], hostname: string): SnapshotRecord[] {
  const newest = new Map<string, SnapshotRecord[]>();
  for (const s of snapshots) {
    if (s.hostname !== hostname) continue;
    const key = [...s.paths].sort().join('\0');
    const group = newest.get(key);
    // A repaired copy has the time of its original: both count as the newest.
    if (!group || (group[0] as SnapshotRecord).time < s.time) newest.set(key, [s]);
    else if ((group[0] as SnapshotRecord).time === s.time) group.push(s);
  }
  return [...newest.values()].flat();
}

async function assessHealable(
  walker: LostDataWalker,
  newest: SnapshotRecord[],
  lostCause: LostCause,
  indexedButBroken: (blobId: string) => boolean,
  report: LossReport,
): Promise<void> {
  const affected = new Set(report.affected.filter((a) => !a.rootLost).map((a) => a.id));
  const healable = report.healable;
  const blobs = new Set<string>();
  const seen = new Set<string>();
  for (const s of newest) {
    if (!affected.has(s.id)) continue;
    for await (const entry of walker.lostEntries(s.tree, '/')) {
      if (seen.has(entry.path)) continue;
      seen.add(entry.path);
      const here = await fs.lstat(localPathOf(entry.path)).catch(() => undefined);
      if (entry.kind === 'folder') {
        if (here?.isDirectory()) healable.folders++;
        continue;
      }
      if (!here?.isFile() || here.size !== entry.node.size) continue;
      healable.files++;
      healable.bytes += here.size;
      if (healable.examples.length < MAX_EXAMPLES) healable.examples.push(entry.path);
      for (const blob of entry.node.content ?? []) {
        if (!lostCause(blob, 'data')) continue;
        blobs.add(blob);
        if (indexedButBroken(blob)) healable.needsRepairIndex = true;
      }
    }
  }
  healable.blobs = blobs.size;
}
