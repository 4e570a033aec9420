/**
 * What a repository holds: what it occupies in its storage location, from the backend's listing
 * alone (no key needed, so it works on a locked repository): all stored bytes, the data packs,
 * the number of packs and of recovery points; and the time of its newest recovery point (which
 * may have been made by the command line or another computer).
 */
import { type Backend, OBJECT_KINDS } from '../../engine/backend/types.js';
import type { Repository } from '../../engine/repo/repository.js';

export interface RepositoryUsage {
  storedBytes: number;
  packBytes: number;
  packs: number;
  snapshots: number;
}

export async function repositoryUsage(backend: Backend): Promise<RepositoryUsage> {
  const usage: RepositoryUsage = { storedBytes: 0, packBytes: 0, packs: 0, snapshots: 0 };
  for (const kind of OBJECT_KINDS) {
    if (kind === 'locks') continue; // transient, and not data
    for await (const info of backend.list(kind)) {
      usage.storedBytes += info.size;
      if (kind === 'data') {
        usage.packBytes += info.size;
        usage.packs++;
      } else if (kind === 'snapshots') usage.snapshots++;
    }
  }
  return usage;
}

/** The time of the newest recovery point (ISO, UTC), or null when there is none. */
export async function newestBackupTime(repo: Repository): Promise<string | null> {
  let newest: number | null = null;
  for (const snapshot of await repo.listSnapshots()) {
    const ms = Date.parse(snapshot.time);
    if (!Number.isNaN(ms) && (newest === null || ms > newest)) newest = ms;
  }
  return newest === null ? null : new Date(newest).toISOString();
}
