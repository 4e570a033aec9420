/**
 * Reading every recovery point without letting one damaged file stop the listing: what cannot be
 * an intact snapshot (it fails authentication, is not a regular file, is over its size cap) is
 * listed apart with the reason; a read that fails otherwise (the storage did not answer) fails
 * the listing, so that nothing decides on a partial list (forget, erasure).
 */
import { BackendError, isNotFound } from '../backend/types.js';
import { IntegrityError } from '../errors.js';
import type { SnapshotRecord } from '../format/snapshot.js';
import { mapLimit } from '../util/concurrency.js';

/** A recovery point whose file cannot be read or authenticated. */
export interface DamagedSnapshot {
  id: string;
  reason: string;
}

/** The readable recovery points oldest first (ties by id), and the damaged ones by id. */
export async function readSnapshots(
  ids: string[],
  load: (id: string) => Promise<SnapshotRecord>,
): Promise<{ snapshots: SnapshotRecord[]; damaged: DamagedSnapshot[] }> {
  const damaged: DamagedSnapshot[] = [];
  const read = await mapLimit(ids, 8, async (id) => {
    try {
      return await load(id);
    } catch (err) {
      if (isNotFound(err)) return undefined; // forgotten while we listed
      const invalid = err instanceof BackendError && err.code === 'invalid-object';
      if (!(err instanceof IntegrityError) && !invalid) throw err;
      damaged.push({ id, reason: err.message });
      return undefined;
    }
  });
  const snapshots = read.filter((s): s is SnapshotRecord => s !== undefined);
  snapshots.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  return { snapshots, damaged: damaged.sort((a, b) => a.id.localeCompare(b.id)) };
}
