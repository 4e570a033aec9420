/**
 * Index files (`index/<sha256>`): which blobs each pack holds, so a blob can be found without
 * reading pack headers. Sealed document, purpose "index":
 *   { "version": 1, "supersedes": [indexId…],
 *     "packs": [ { "id": packId, "blobs": [ [blobId, type (0 data | 1 tree), offset, length, rawLength], … ] } ] }
 * An index file whose id another index lists in `supersedes` is obsolete (written by prune and
 * index rebuilds) and is removed after the superseding one is stored.
 */
import { isId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import type { BlobType, PackEntry } from './pack.js';

export interface IndexedPack {
  id: string;
  blobs: PackEntry[];
}

export interface IndexFile {
  version: 1;
  supersedes: string[];
  packs: IndexedPack[];
}

type StoredEntry = [string, 0 | 1, number, number, number];
interface StoredIndex {
  version: number;
  supersedes?: string[];
  packs: { id: string; blobs: StoredEntry[] }[];
}

export function toStoredIndex(index: IndexFile): StoredIndex {
  return {
    version: 1,
    supersedes: index.supersedes,
    packs: index.packs.map((p) => ({
      id: p.id,
      blobs: p.blobs.map((b): StoredEntry => [b.id, b.type === 'tree' ? 1 : 0, b.offset, b.length, b.rawLength]),
    })),
  };
}

/**
 * Offsets and lengths fit in 32 bits: no pack a writer makes reaches 4 GiB (limits.ts), and the
 * session index keeps them in 32-bit columns (repo/master-index.ts).
 */
function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffff_ffff;
}

function isStoredEntry(entry: unknown): entry is StoredEntry {
  if (!Array.isArray(entry) || entry.length !== 5) return false;
  const [id, type, offset, length, rawLength] = entry as unknown[];
  return (
    typeof id === 'string' &&
    isId(id) &&
    (type === 0 || type === 1) &&
    isCount(offset) &&
    isCount(length) &&
    isCount(rawLength)
  );
}

/** Checks the stored shape (an authenticated file can still come from a faulty writer) and converts it. */
export function fromStoredIndex(stored: StoredIndex, what: string): IndexFile {
  if (stored?.version !== 1 || !Array.isArray(stored.packs))
    throw new IntegrityError(`${what} is not a version-1 index`);
  const supersedes = stored.supersedes ?? [];
  if (!Array.isArray(supersedes) || !supersedes.every((id) => typeof id === 'string' && isId(id))) {
    throw new IntegrityError(`${what} has a malformed list of superseded index files`);
  }
  return {
    version: 1,
    supersedes,
    packs: stored.packs.map((p) => {
      if (typeof p?.id !== 'string' || !isId(p.id) || !Array.isArray(p.blobs)) {
        throw new IntegrityError(`${what} has a malformed pack entry`);
      }
      return {
        id: p.id,
        blobs: p.blobs.map((entry) => {
          if (!isStoredEntry(entry))
            throw new IntegrityError(`${what} has a malformed blob entry in pack ${p.id.slice(0, 12)}`);
          const [id, type, offset, length, rawLength] = entry;
          return { id, type: (type === 1 ? 'tree' : 'data') as BlobType, offset, length, rawLength };
        }),
      };
    }),
  };
}
