/**
 * Which command repairs which problem a check found, in the order to run them: the index first
 * (it may find the missing data in packs no index listed, and it drops what is gone, so a backup
 * stores that data again), then the recovery points that still lack data, then what is
 * repaired already or cannot be repaired (forget), then leftovers (prune).
 */
import type { AffectedPoint } from './affected.js';

export interface RepairAdvice {
  /** The command to run, e.g. `cairn repair index`. */
  command: string;
  /** What it repairs here. */
  reason: string;
}

/** What the check found, as far as the advice depends on it. */
export interface CheckFindings {
  damagedIndexFiles: number;
  missingPacks: number;
  truncatedPacks: number;
  /** Stored packs no index lists (they may hold data the index lacks). */
  unindexedPacks: number;
  /** Trees and data blobs recovery points reference that no index lists. */
  missingFromIndex: number;
  /** Indexed packs found damaged by reading them (`readData`). */
  damagedPacks: number;
  /** Packs no index lists found damaged by reading them: prune removes them. */
  damagedUnindexedPacks: number;
  affected: AffectedPoint[];
  /** Recovery points a repaired copy was written of (`repaired.original` of some snapshot). */
  repairedOriginals: ReadonlySet<string>;
  unreadableSnapshots: string[];
}

/** How many recovery point ids a `cairn forget` line names before it says "…". */
const MAX_IDS = 10;

export function repairAdvice(f: CheckFindings): RepairAdvice[] {
  const advice: RepairAdvice[] = [];
  const index: string[] = [];
  if (f.damagedIndexFiles > 0) index.push(`replaces ${f.damagedIndexFiles} damaged index file(s)`);
  if (f.missingPacks > 0) index.push(`drops the entries of ${f.missingPacks} missing pack(s)`);
  if (f.truncatedPacks > 0) index.push(`drops what lies beyond the end of ${f.truncatedPacks} truncated pack(s)`);
  if (f.damagedPacks > 0)
    index.push(`drops the damaged blobs of ${f.damagedPacks} pack(s) and copies their intact ones`);
  if (f.unindexedPacks > 0 && (f.missingFromIndex > 0 || f.damagedIndexFiles > 0)) {
    index.push(`indexes ${f.unindexedPacks} pack(s) no index lists, which may hold the missing data`);
  }
  if (index.length > 0) {
    advice.push({
      command: f.damagedPacks > 0 ? 'cairn repair index --read-data' : 'cairn repair index',
      reason: `rebuilds the index from the packs: ${index.join('; ')}; the next backup then stores again whatever of the lost data is still on this computer`,
    });
  }
  if (f.unindexedPacks > 0 && (f.missingFromIndex > 0 || f.damagedIndexFiles > 0)) {
    // What counts as lost now may be found in those packs: what else to do is known only then.
    advice.push({
      command: 'cairn check',
      reason: 'again after that: it says which recovery points still lack data and what repairs them',
    });
    if (f.unreadableSnapshots.length > 0) advice.push(forgetUnreadable(f.unreadableSnapshots));
    return advice;
  }
  const repairable = f.affected.filter((a) => !a.rootLost && !f.repairedOriginals.has(a.id));
  if (repairable.length > 0) {
    advice.push({
      command: 'cairn repair snapshots',
      reason: `${index.length > 0 ? 'then ' : ''}writes a copy of each recovery point that still lacks data, without its lost files and with its lost folders empty; the originals stay until you forget them`,
    });
  }
  const repaired = f.affected.filter((a) => !a.rootLost && f.repairedOriginals.has(a.id)).map((a) => a.id);
  if (repaired.length > 0) {
    advice.push({
      command: forget(repaired),
      reason: `removes ${repaired.length} recovery point(s) already repaired: their copies (tagged "repaired") hold everything of them that is not lost`,
    });
  }
  const hopeless = [...f.unreadableSnapshots, ...f.affected.filter((a) => a.rootLost).map((a) => a.id)];
  if (hopeless.length > 0) advice.push(forgetUnreadable(hopeless));
  if (f.damagedUnindexedPacks > 0) {
    advice.push({
      command: 'cairn prune',
      reason: `removes ${f.damagedUnindexedPacks} damaged pack(s) that no index lists`,
    });
  }
  return advice;
}

function forget(ids: string[]): string {
  const named = ids.slice(0, MAX_IDS).map((id) => id.slice(0, 8));
  return `cairn forget ${named.join(' ')}${ids.length > MAX_IDS ? ' …' : ''}`;
}

function forgetUnreadable(ids: string[]): RepairAdvice {
  return {
    command: forget(ids),
    reason: `removes ${ids.length} recovery point(s) that cannot be read or whose root folder is lost: nothing in them can be restored`,
  };
}
