/**
 * The in-memory view of every index file: blob id → where it is stored. Built when a repository
 * is opened for an operation that reads or adds blobs; also tracks blobs added in this session.
 */
import type { BlobType, PackEntry } from '../format/pack.js';

export interface BlobLocation {
  pack: string;
  type: BlobType;
  offset: number;
  length: number;
  rawLength: number;
}

export class MasterIndex {
  private readonly blobs = new Map<string, BlobLocation>();
  private readonly packs = new Map<string, { blobCount: number; bytes: number }>();

  addPack(packId: string, entries: readonly PackEntry[]): void {
    let bytes = 0;
    for (const e of entries) {
      bytes += e.length;
      // A blob stored twice (e.g. by two concurrent backups) keeps its first location.
      if (!this.blobs.has(e.id)) {
        this.blobs.set(e.id, {
          pack: packId,
          type: e.type,
          offset: e.offset,
          length: e.length,
          rawLength: e.rawLength,
        });
      }
    }
    this.packs.set(packId, { blobCount: entries.length, bytes });
  }

  get(id: string): BlobLocation | undefined {
    return this.blobs.get(id);
  }

  has(id: string): boolean {
    return this.blobs.has(id);
  }

  hasPack(packId: string): boolean {
    return this.packs.has(packId);
  }

  get blobCount(): number {
    return this.blobs.size;
  }

  packIds(): IterableIterator<string> {
    return this.packs.keys();
  }

  /** Ids of the blobs of one type. */
  *ids(type: BlobType): IterableIterator<string> {
    for (const [id, loc] of this.blobs) if (loc.type === type) yield id;
  }

  entries(): IterableIterator<[string, BlobLocation]> {
    return this.blobs.entries();
  }

  /** Forgets every pack and blob (before the index files are read again). */
  clear(): void {
    this.blobs.clear();
    this.packs.clear();
  }
}
