/**
 * A set of 256-bit ids (64 lowercase hex characters) held as raw words in typed arrays, for the
 * index at millions of blobs: 33 bytes per id plus 5–10 bytes of hash slots, against ~200 bytes per
 * entry of a Map<string, object>. Each id gets a dense number (its position in insertion order),
 * which callers use to keep their own columns beside it; a byte "tag" per id is the caller's too,
 * except REMOVED, which marks a removed id until `compact` drops it.
 * Lookups hash the id's words into an open-addressing table (linear probing) of dense numbers,
 * beside which a byte of each id (its "fingerprint", never 0) lets a probe pass other ids without
 * reading their words: at millions of ids each such read is a cache miss.
 */

const SEGMENT_BITS = 16;
/** Entries per segment: storage grows a segment at a time, so it never copies millions of ids. */
const SEGMENT = 1 << SEGMENT_BITS;
const SEGMENT_MASK = SEGMENT - 1;
/** The first segment starts this small and doubles, so an index of a few blobs stays a few KiB. */
const FIRST_CAPACITY = 64;
/** Marks an entry removed; compact() drops it. */
export const REMOVED = 255;

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** A byte of an id other than the ones that pick its slot, 1–255 (0 marks an empty slot). */
function fingerprint(word1: number): number {
  return ((word1 >>> 0) % 255) + 1;
}

export class IdTable {
  private keys: Uint32Array[] = [];
  private tags: Uint8Array[] = [];
  /** Hash slots: dense number + 1, 0 when empty; length 2^bits, at most 3/4 full. */
  private slots = new Int32Array(0);
  /** Per hash slot: the fingerprint of the id in it, 0 when empty. */
  private prints = new Uint8Array(0);
  private bits = 0;
  /** Entries in the hash slots (present, and removed ones not rehashed away yet). */
  private placed = 0;
  private end = 0;
  private live = 0;
  private readonly probe = new Uint32Array(8);
  private readonly spelled = Buffer.alloc(32);

  /** Ids present (not removed). */
  get size(): number {
    return this.live;
  }

  /** Dense numbers in use (present and removed): they run from 0 to length - 1. */
  get length(): number {
    return this.end;
  }

  /** The dense number of `id`, or -1 when it is not present (or not a canonical id). */
  find(id: string): number {
    if (this.live === 0 || !this.decode(id)) return -1;
    const n = this.lookup();
    // Removed entries linger only between a removal and the compaction after it.
    return n >= 0 && (this.live === this.end || this.tag(n) !== REMOVED) ? n : -1;
  }

  /**
   * Adds `id` with `tag` and returns its dense number. When it is present already, returns the
   * bitwise complement of its number (`~n`, negative) and leaves its tag; an id removed and not
   * compacted away yet is added again under its old number. Throws when `id` is not 64 lowercase
   * hex characters.
   */
  add(id: string, tag: number): number {
    if (!this.decode(id)) throw new TypeError(`not an id (64 lowercase hex characters): ${JSON.stringify(id)}`);
    return this.insert(tag);
  }

  /** `add` for an id given as 8 words of `words` from `at` (as format/index-compact.ts reads them). */
  addWords(words: Uint32Array, at: number, tag: number): number {
    const probe = this.probe;
    for (let w = 0; w < 8; w++) probe[w] = words[at + w]!;
    return this.insert(tag);
  }

  /** `add` of the id in `probe`. */
  private insert(tag: number): number {
    const found = this.lookup();
    if (found >= 0) {
      if (this.tag(found) !== REMOVED) return ~found;
      this.setTag(found, tag);
      return found;
    }
    const n = this.end;
    this.reserve(n + 1);
    this.keys[n >>> SEGMENT_BITS]!.set(this.probe, (n & SEGMENT_MASK) * 8);
    this.tags[n >>> SEGMENT_BITS]![n & SEGMENT_MASK] = tag;
    this.end++;
    this.live++;
    if ((this.placed + 1) * 4 > this.slots.length * 3) this.rehash(Math.max(this.bits + 1, 10));
    else this.place(n);
    return n;
  }

  /** Sizes the hash slots for `count` more ids at once, so adding them rehashes nothing. */
  expect(count: number): void {
    const want = this.placed + count;
    if (want * 4 > this.slots.length * 3) this.rehash(Math.ceil(Math.log2((want * 4) / 3 + 1)));
  }

  tag(n: number): number {
    return this.tags[n >>> SEGMENT_BITS]![n & SEGMENT_MASK]!;
  }

  setTag(n: number, tag: number): void {
    const tags = this.tags[n >>> SEGMENT_BITS]!;
    const was = tags[n & SEGMENT_MASK];
    if (was === REMOVED && tag !== REMOVED) this.live++;
    else if (was !== REMOVED && tag === REMOVED) this.live--;
    tags[n & SEGMENT_MASK] = tag;
  }

  /** The id with dense number `n`, as 64 hex characters. */
  idAt(n: number): string {
    const keys = this.keys[n >>> SEGMENT_BITS]!;
    const at = (n & SEGMENT_MASK) * 8;
    const out = this.spelled;
    for (let w = 0; w < 8; w++) out.writeUInt32BE(keys[at + w]!, w * 4);
    return out.toString('hex');
  }

  /**
   * Drops the removed entries: every present one moves down to a lower dense number, in order,
   * and `move(from, to)` is called for each that moves, so callers can move their columns too.
   */
  compact(move: (from: number, to: number) => void): void {
    let to = 0;
    for (let from = 0; from < this.end; from++) {
      const tag = this.tag(from);
      if (tag === REMOVED) continue;
      if (from !== to) {
        const src = this.keys[from >>> SEGMENT_BITS]!;
        const at = (from & SEGMENT_MASK) * 8;
        this.keys[to >>> SEGMENT_BITS]!.set(src.subarray(at, at + 8), (to & SEGMENT_MASK) * 8);
        this.tags[to >>> SEGMENT_BITS]![to & SEGMENT_MASK] = tag;
        move(from, to);
      }
      to++;
    }
    this.end = to;
    const segments = Math.max(1, Math.ceil(to / SEGMENT));
    this.keys.length = Math.min(this.keys.length, segments);
    this.tags.length = Math.min(this.tags.length, segments);
    this.rehash(this.bits, true);
  }

  clear(): void {
    this.keys = [];
    this.tags = [];
    this.slots = new Int32Array(0);
    this.prints = new Uint8Array(0);
    this.bits = 0;
    this.placed = 0;
    this.end = 0;
    this.live = 0;
  }

  /** Segments hold room for `count` entries; the first one grows by doubling up to a segment. */
  private reserve(count: number): void {
    const segment = (count - 1) >>> SEGMENT_BITS;
    if (segment === 0) {
      const have = this.tags[0]?.length ?? 0;
      if (count <= have) return;
      const size = Math.min(SEGMENT, Math.max(FIRST_CAPACITY, have * 2));
      const keys = new Uint32Array(size * 8);
      const tags = new Uint8Array(size);
      if (have > 0) {
        keys.set(this.keys[0]!);
        tags.set(this.tags[0]!);
      }
      this.keys[0] = keys;
      this.tags[0] = tags;
      return;
    }
    if (this.tags[0]!.length < SEGMENT) this.reserve(SEGMENT);
    while (this.keys.length <= segment) {
      this.keys.push(new Uint32Array(SEGMENT * 8));
      this.tags.push(new Uint8Array(SEGMENT));
    }
  }

  /** Decodes a canonical id into `probe`; false when it is not one. */
  private decode(id: string): boolean {
    if (id.length !== 64) return false;
    const probe = this.probe;
    for (let w = 0, c = 0; w < 8; w++) {
      let v = 0;
      for (const stop = c + 8; c < stop; c++) {
        const code = id.charCodeAt(c);
        const d = code < 128 ? HEX[code]! : -1;
        if (d < 0) return false;
        v = (v << 4) | d;
      }
      probe[w] = v;
    }
    return true;
  }

  /** Mixes three words of an id (ids are hashes, but tests use counters padded with zeros). */
  private slotOf(w0: number, w3: number, w7: number): number {
    return Math.imul(w0 ^ w3 ^ w7, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** The dense number of the id in `probe`, present or removed; -1 when absent. */
  private lookup(): number {
    if (this.placed === 0) return -1;
    const p = this.probe;
    const mask = this.slots.length - 1;
    const print = fingerprint(p[1]!);
    const prints = this.prints;
    for (let s = this.slotOf(p[0]!, p[3]!, p[7]!); ; s = (s + 1) & mask) {
      const f = prints[s]!;
      if (f === 0) return -1;
      if (f !== print) continue;
      const n = this.slots[s]! - 1;
      const keys = this.keys[n >>> SEGMENT_BITS]!;
      const at = (n & SEGMENT_MASK) * 8;
      if (
        keys[at] === p[0] &&
        keys[at + 7] === p[7] &&
        keys[at + 1] === p[1] &&
        keys[at + 2] === p[2] &&
        keys[at + 3] === p[3] &&
        keys[at + 4] === p[4] &&
        keys[at + 5] === p[5] &&
        keys[at + 6] === p[6]
      ) {
        return n;
      }
    }
  }

  /** Puts entry `n` into the first free hash slot of its probe sequence. */
  private place(n: number): void {
    const keys = this.keys[n >>> SEGMENT_BITS]!;
    const at = (n & SEGMENT_MASK) * 8;
    const mask = this.slots.length - 1;
    let s = this.slotOf(keys[at]!, keys[at + 3]!, keys[at + 7]!);
    while (this.prints[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = n + 1;
    this.prints[s] = fingerprint(keys[at + 1]!);
    this.placed++;
  }

  /** Rebuilds the hash slots at 2^bits (grown until the present entries fill at most 3/4). */
  private rehash(bits: number, shrink = false): void {
    let b = Math.max(bits, 10);
    while (this.live * 4 > (1 << b) * 3) b++;
    // Shrink after a compaction that removed most entries.
    while (shrink && b > 10 && this.live * 4 < (1 << b) * 3 * 0.25) b--;
    this.bits = b;
    this.slots = new Int32Array(1 << b);
    this.prints = new Uint8Array(1 << b);
    this.placed = 0;
    for (let n = 0; n < this.end; n++) if (this.tag(n) !== REMOVED) this.place(n);
  }
}
