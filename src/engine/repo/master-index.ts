/**
 * The in-memory view of every index file: blob id → where it is stored. Built when a repository
 * is opened for an operation that reads or adds blobs; also tracks blobs added in this session.
 * Compact, for repositories of millions of blobs (docs/performance.md, "The index at ten million
 * chunks"): ids are raw words in an IdTable, each blob's pack number, offset, length and raw
 * length sit in typed-array columns beside it, and pack ids are interned in a second IdTable;
 * `get` builds the BlobLocation a caller asks for.
 */
import type { CompactIndex } from '../format/index-compact.js';
import type { BlobType, PackEntry } from '../format/pack.js';
import { IdTable, REMOVED } from './id-table.js';

export interface BlobLocation {
  pack: string;
  type: BlobType;
  offset: number;
  length: number;
  rawLength: number;
}

const PRESENT = 0;
const DATA = 0;
const TREE = 1;
/** Offsets and lengths are kept in 32 bits: no pack a writer makes is 4 GiB (format/limits.ts). */
const MAX_U32 = 0xffff_ffff;

/** Four 32-bit columns per blob (pack number, offset, length, raw length), grown a segment at a time. */
class Columns {
  private segments: Uint32Array[] = [];

  /** Room for blob `n` (blobs are added in dense order). */
  reserve(n: number): void {
    const segment = n >>> 16;
    if (segment === 0) {
      const have = this.segments[0]?.length ?? 0;
      if ((n + 1) * 4 <= have) return;
      const grown = new Uint32Array(Math.min(1 << 18, Math.max(256, have * 2)));
      if (have > 0) grown.set(this.segments[0]!);
      this.segments[0] = grown;
      return;
    }
    if (this.segments[0]!.length < 1 << 18) this.reserve(0xffff);
    while (this.segments.length <= segment) this.segments.push(new Uint32Array(1 << 18));
  }

  set(n: number, pack: number, offset: number, length: number, rawLength: number): void {
    const column = this.segments[n >>> 16]!;
    const at = (n & 0xffff) * 4;
    column[at] = pack;
    column[at + 1] = offset;
    column[at + 2] = length;
    column[at + 3] = rawLength;
  }

  /** Field `field` (0 pack, 1 offset, 2 length, 3 raw length) of blob `n`. */
  get(n: number, field: number): number {
    return this.segments[n >>> 16]![(n & 0xffff) * 4 + field]!;
  }

  move(from: number, to: number): void {
    const at = (from & 0xffff) * 4;
    this.segments[to >>> 16]!.set(this.segments[from >>> 16]!.subarray(at, at + 4), (to & 0xffff) * 4);
  }

  /** Keeps the segments holding blobs 0 … count - 1. */
  truncate(count: number): void {
    this.segments.length = Math.min(this.segments.length, Math.max(1, Math.ceil(count / 0x10000)));
  }

  clear(): void {
    this.segments = [];
  }
}

function checkedU32(value: number, what: string, id: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw new RangeError(`blob ${id.slice(0, 12)}: ${what} ${value} is beyond any pack`);
  }
  return value;
}

export class MasterIndex {
  private readonly blobs = new IdTable();
  private readonly columns = new Columns();
  private readonly packs = new IdTable();
  /**
   * Further locations of blobs stored more than once (two backups racing, or a backup that stored
   * again what a lost pack held): rare, and what `removePacks` falls back to.
   */
  private readonly copies = new Map<string, BlobLocation[]>();
  /** Recently spelled pack ids by pack number (direct-mapped): reads go pack by pack. */
  private readonly packNumbers = new Int32Array(256).fill(-1);
  private readonly packNames: string[] = new Array(256).fill('');

  addPack(packId: string, entries: readonly PackEntry[]): void {
    const added = this.packs.add(packId, PRESENT);
    const pack = added < 0 ? ~added : added;
    for (const e of entries) {
      const offset = checkedU32(e.offset, 'offset', e.id);
      const length = checkedU32(e.length, 'length', e.id);
      const rawLength = checkedU32(e.rawLength, 'raw length', e.id);
      const n = this.blobs.add(e.id, e.type === 'tree' ? TREE : DATA);
      if (n >= 0) {
        this.columns.reserve(n);
        this.columns.set(n, pack, offset, length, rawLength);
        continue;
      }
      // A blob stored twice keeps its first location; the others are kept aside.
      if (this.columns.get(~n, 0) !== pack)
        this.addCopy(e.id, { pack: packId, type: e.type, offset, length, rawLength });
    }
  }

  private addCopy(id: string, location: BlobLocation): void {
    const more = this.copies.get(id);
    if (!more) this.copies.set(id, [location]);
    else if (!more.some((l) => l.pack === location.pack)) more.push(location);
  }

  /** Makes room for this many more blobs at once (the session index knows them before adding them). */
  expect(blobs: number): void {
    this.blobs.expect(blobs);
  }

  /** Adds every pack of an index file read in the compact form (what the session index is built from). */
  addIndexed(file: CompactIndex): void {
    const { ids, types, values } = file;
    let n = 0;
    for (let p = 0; p < file.packs.length; p++) {
      const packId = file.packs[p]!;
      const added = this.packs.add(packId, PRESENT);
      const pack = added < 0 ? ~added : added;
      for (const end = n + file.counts[p]!; n < end; n++) {
        const blob = this.blobs.addWords(ids, n * 8, types[n]!);
        const offset = values[n * 3]!;
        const length = values[n * 3 + 1]!;
        const rawLength = values[n * 3 + 2]!;
        if (blob >= 0) {
          this.columns.reserve(blob);
          this.columns.set(blob, pack, offset, length, rawLength);
        } else if (this.columns.get(~blob, 0) !== pack) {
          const type: BlobType = types[n] === TREE ? 'tree' : 'data';
          this.addCopy(this.blobs.idAt(~blob), { pack: packId, type, offset, length, rawLength });
        }
      }
    }
  }

  get(id: string): BlobLocation | undefined {
    const n = this.blobs.find(id);
    return n < 0 ? undefined : this.location(n);
  }

  has(id: string): boolean {
    return this.blobs.find(id) >= 0;
  }

  hasPack(packId: string): boolean {
    return this.packs.find(packId) >= 0;
  }

  get blobCount(): number {
    return this.blobs.size;
  }

  *packIds(): IterableIterator<string> {
    for (let p = 0; p < this.packs.length; p++) if (this.packs.tag(p) !== REMOVED) yield this.packs.idAt(p);
  }

  /** Ids of the blobs of one type. */
  *ids(type: BlobType): IterableIterator<string> {
    const tag = type === 'tree' ? TREE : DATA;
    for (let n = 0; n < this.blobs.length; n++) if (this.blobs.tag(n) === tag) yield this.blobs.idAt(n);
  }

  *entries(): IterableIterator<[string, BlobLocation]> {
    for (let n = 0; n < this.blobs.length; n++) {
      if (this.blobs.tag(n) !== REMOVED) yield [this.blobs.idAt(n), this.location(n)];
    }
  }

  /**
   * Forgets these packs; a blob located in one moves to another copy of it, or is forgotten.
   * With `keepSole`, a blob with no other copy keeps its location (a read then names the
   * missing pack) and so does its pack.
   */
  removePacks(packIds: ReadonlySet<string>, options: { keepSole?: boolean } = {}): void {
    if (packIds.size === 0) return;
    const going = new Uint8Array(this.packs.length);
    let any = false;
    for (const id of packIds) {
      const p = this.packs.find(id);
      if (p >= 0) {
        going[p] = 1;
        any = true;
      }
    }
    for (const [id, more] of this.copies) {
      const left = more.filter((l) => !packIds.has(l.pack));
      if (left.length === 0) this.copies.delete(id);
      else if (left.length < more.length) this.copies.set(id, left);
    }
    if (!any) return;
    const stillUsed = new Uint8Array(this.packs.length);
    let removed = 0;
    for (let n = 0; n < this.blobs.length; n++) {
      if (this.blobs.tag(n) === REMOVED) continue;
      const pack = this.columns.get(n, 0);
      if (going[pack] !== 1) continue;
      const id = this.copies.size > 0 ? this.blobs.idAt(n) : '';
      const more = this.copies.get(id);
      const next = more?.shift();
      if (next) {
        this.blobs.setTag(n, next.type === 'tree' ? TREE : DATA);
        this.columns.set(n, this.packs.find(next.pack), next.offset, next.length, next.rawLength);
      } else if (options.keepSole) stillUsed[pack] = 1;
      else {
        this.blobs.setTag(n, REMOVED);
        removed++;
      }
      if (more && more.length === 0) this.copies.delete(id);
    }
    for (let p = 0; p < going.length; p++) if (going[p] === 1 && stillUsed[p] !== 1) this.packs.setTag(p, REMOVED);
    if (removed > 0) {
      this.blobs.compact((from, to) => this.columns.move(from, to));
      this.columns.truncate(this.blobs.length);
    }
  }

  /** Forgets every pack and blob (before the index files are read again). */
  clear(): void {
    this.blobs.clear();
    this.columns.clear();
    this.packs.clear();
    this.copies.clear();
    this.packNumbers.fill(-1);
  }

  private packName(p: number): string {
    const slot = p & 255;
    if (this.packNumbers[slot] === p) return this.packNames[slot]!;
    const name = this.packs.idAt(p);
    this.packNumbers[slot] = p;
    this.packNames[slot] = name;
    return name;
  }

  private location(n: number): BlobLocation {
    return {
      pack: this.packName(this.columns.get(n, 0)),
      type: this.blobs.tag(n) === TREE ? 'tree' : 'data',
      offset: this.columns.get(n, 1),
      length: this.columns.get(n, 2),
      rawLength: this.columns.get(n, 3),
    };
  }
}
