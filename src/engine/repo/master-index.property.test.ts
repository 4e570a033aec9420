/**
 * The compact MasterIndex against a model built on plain Maps (the layout it replaced): random
 * sequences of added packs (with blobs stored in several packs), removed packs (with and without
 * keepSole) and clears must give the same answers to every query, in the same order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlobType, PackEntry } from '../format/pack.js';
import { type BlobLocation, MasterIndex } from './master-index.js';

/** The Map-per-blob index as it was: the reference for the compact one. */
class ModelIndex {
  blobs = new Map<string, BlobLocation>();
  copies = new Map<string, BlobLocation[]>();
  packs = new Set<string>();

  addPack(packId: string, entries: readonly PackEntry[]): void {
    for (const e of entries) {
      const location = { pack: packId, type: e.type, offset: e.offset, length: e.length, rawLength: e.rawLength };
      const first = this.blobs.get(e.id);
      if (!first) this.blobs.set(e.id, location);
      else if (first.pack !== packId) {
        const more = this.copies.get(e.id);
        if (!more) this.copies.set(e.id, [location]);
        else if (!more.some((l) => l.pack === packId)) more.push(location);
      }
    }
    this.packs.add(packId);
  }

  removePacks(packIds: ReadonlySet<string>, keepSole: boolean): void {
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
      else if (keepSole) stillUsed.add(loc.pack);
      else this.blobs.delete(id);
      if (more && more.length === 0) this.copies.delete(id);
    }
    for (const id of packIds) if (!stillUsed.has(id)) this.packs.delete(id);
  }
}

// Few distinct ids, so blobs recur across packs; counters padded with zeros, as some tests use.
const blobId = (n: number) => (n % 3 === 0 ? n.toString(16).padStart(64, '0') : n.toString(16).padEnd(64, 'c'));
const packId = (n: number) => `${n.toString(16)}`.padStart(64, 'a');

type Op =
  | { kind: 'add'; pack: number; blobs: { id: number; tree: boolean; offset: number; length: number }[] }
  | { kind: 'remove'; packs: number[]; keepSole: boolean }
  | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pack: fc.nat(12),
      blobs: fc.array(
        fc.record({
          id: fc.nat(60),
          tree: fc.boolean(),
          offset: fc.nat(0xffff_ffff),
          length: fc.nat(0xffff_ffff),
        }),
        { maxLength: 12 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('remove' as const),
      packs: fc.array(fc.nat(14), { maxLength: 4 }),
      keepSole: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

function entries(blobs: Extract<Op, { kind: 'add' }>['blobs']): PackEntry[] {
  return blobs.map((b) => ({
    id: blobId(b.id),
    type: (b.tree ? 'tree' : 'data') as BlobType,
    offset: b.offset,
    length: b.length,
    rawLength: b.length >>> 1,
  }));
}

function expectSame(index: MasterIndex, model: ModelIndex): void {
  expect(index.blobCount).toBe(model.blobs.size);
  expect(new Map(index.entries())).toEqual(model.blobs);
  expect([...index.packIds()].sort()).toEqual([...model.packs].sort());
  for (const type of ['data', 'tree'] as const) {
    const want = [...model.blobs].filter(([, l]) => l.type === type).map(([id]) => id);
    expect([...index.ids(type)].sort()).toEqual(want.sort());
  }
  for (let n = 0; n <= 61; n++) {
    expect(index.get(blobId(n))).toEqual(model.blobs.get(blobId(n)));
    expect(index.has(blobId(n))).toBe(model.blobs.has(blobId(n)));
  }
  for (let n = 0; n <= 14; n++) expect(index.hasPack(packId(n))).toBe(model.packs.has(packId(n)));
}

describe('MasterIndex (compact) against a Map model', () => {
  it('answers every query as the model does after random adds, removals and clears', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const index = new MasterIndex();
        const model = new ModelIndex();
        for (const o of ops) {
          if (o.kind === 'add') {
            index.addPack(packId(o.pack), entries(o.blobs));
            model.addPack(packId(o.pack), entries(o.blobs));
          } else if (o.kind === 'remove') {
            const packs = new Set(o.packs.map(packId));
            index.removePacks(packs, { keepSole: o.keepSole });
            model.removePacks(packs, o.keepSole);
          } else {
            index.clear();
            model.blobs.clear();
            model.copies.clear();
            model.packs.clear();
          }
          expectSame(index, model);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('grows past one storage segment and finds every blob after packs are removed', () => {
    const index = new MasterIndex();
    const model = new ModelIndex();
    const id = (n: number) => (n * 2654435761).toString(16).padStart(64, '0');
    for (let p = 0; p < 100; p++) {
      const blobs = Array.from({ length: 700 }, (_, i) => ({
        id: id(p * 700 + i),
        type: 'data' as BlobType,
        offset: i * 10,
        length: 10,
        rawLength: 9,
      }));
      index.addPack(packId(p), blobs);
      model.addPack(packId(p), blobs);
    }
    const gone = new Set([0, 3, 50, 99].map(packId));
    index.removePacks(gone);
    model.removePacks(gone, false);
    expect(index.blobCount).toBe(model.blobs.size);
    expect(new Map(index.entries())).toEqual(model.blobs);
    expect(index.has(id(5))).toBe(false);
    expect(index.get(id(700 + 5))).toEqual({ pack: packId(1), type: 'data', offset: 50, length: 10, rawLength: 9 });
  });

  it('refuses an id that is not 64 lowercase hex characters, and an offset beyond any pack', () => {
    const index = new MasterIndex();
    const entry = { id: 'A'.repeat(64), type: 'data' as BlobType, offset: 0, length: 1, rawLength: 1 };
    expect(() => index.addPack(packId(1), [entry])).toThrow(/not an id/);
    expect(() => index.addPack(packId(1), [{ ...entry, id: blobId(1), offset: 2 ** 32 }])).toThrow(/beyond any pack/);
    expect(index.has('A'.repeat(64))).toBe(false);
    expect(index.get('not an id')).toBeUndefined();
  });
});
