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
  /**
   * Further locations of blobs stored more than once (two backups racing, or a backup that stored
   * again what a lost pack held): rare, and what `removePacks` falls back to.
   */
  private readonly copies = new Map<string, BlobLocation[]>();
  private readonly packs = new Map<string, { blobCount: number; bytes: number }>();

  addPack(packId: string, entries: readonly PackEntry[]): void {
    let bytes = 0;
    for (const e of entries) {
      bytes += e.length;
      const location: BlobLocation = {
        pack: packId,
        type: e.type,
        offset: e.offset,
        length: e.length,
        rawLength: e.rawLength,
      };
      // A blob stored twice keeps its first location; the others are kept aside.
      const first = this.blobs.get(e.id);
      if (!first) this.blobs.set(e.id, location);
      else if (first.pack !== packId) {
        const more = this.copies.get(e.id);
        if (!more) this.copies.set(e.id, [location]);
        else if (!more.some((l) => l.pack === packId)) more.push(location);
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

  /**
   * Forgets these packs; a blob located in one moves to another copy of it, or is forgotten.
   * With `keepSole`, a blob with no other copy keeps its location (a read then names the
   * missing pack) and so does its pack.
   */
  removePacks(packIds: ReadonlySet<string>, options: { keepSole?: boolean } = {}): void {
    if (packIds.size === 0) return;
    const stillUsed = new Set<string>();
    for (const [id, more] of this.copies) {
      const left = more.filter((l) => !packIds.has(l.pack));
      if (left.length === 0) this.copies.delete(id);
      else if (left.length < more.length) this.copies.set(id, left);
    }
    for (const [id, loc] of this.blobs) {
      if (!packIds.has(loc.pack)) continue;
      const more = this.copies.get(id);
      const next = more?.shift();
      if (next) this.blobs.set(id, next);
      else if (options.keepSole) stillUsed.add(loc.pack);
      else this.blobs.delete(id);
      if (more && more.length === 0) this.copies.delete(id);
    }
    for (const id of packIds) if (!stillUsed.has(id)) this.packs.delete(id);
  }

  /** Forgets every pack and blob (before the index files are read again). */
  clear(): void {
    this.blobs.clear();
    this.copies.clear();
    this.packs.clear();
  }
}
