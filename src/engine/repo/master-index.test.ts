/**
 * MasterIndex: a blob stored in several packs keeps its first location, and falls back to
 * another copy when the pack of that location is removed; a blob with no other copy is
 * forgotten with its pack.
 */
import { describe, expect, it } from 'vitest';
import type { PackEntry } from '../format/pack.js';
import { MasterIndex } from './master-index.js';

const id = (n: number) => n.toString(16).padStart(64, '0');
const pack = (n: number) => `f${n}`.padEnd(64, '0');
const entry = (blob: number, offset = 0): PackEntry => ({
  type: 'data',
  id: id(blob),
  offset,
  length: 100,
  rawLength: 90,
});

describe('MasterIndex', () => {
  it('keeps the first location of a blob stored twice and falls back to the other copy', () => {
    const index = new MasterIndex();
    index.addPack(pack(1), [entry(1), entry(2, 100)]);
    index.addPack(pack(2), [entry(2, 0), entry(3, 100)]);
    expect(index.get(id(2))?.pack).toBe(pack(1));

    index.removePacks(new Set([pack(1)]));
    expect(index.has(id(1))).toBe(false);
    expect(index.get(id(2))).toEqual({ pack: pack(2), type: 'data', offset: 0, length: 100, rawLength: 90 });
    expect(index.get(id(3))?.pack).toBe(pack(2));
    expect([...index.packIds()]).toEqual([pack(2)]);

    index.removePacks(new Set([pack(2)]));
    expect(index.blobCount).toBe(0);
  });

  it('drops a copy whose pack goes first, and adding the same pack twice makes no copy', () => {
    const index = new MasterIndex();
    index.addPack(pack(1), [entry(1)]);
    index.addPack(pack(1), [entry(1)]);
    index.addPack(pack(2), [entry(1)]);
    index.removePacks(new Set([pack(2)]));
    index.removePacks(new Set([pack(1)]));
    expect(index.has(id(1))).toBe(false);
  });

  it('with keepSole, a blob with no other copy keeps its location and its pack', () => {
    const index = new MasterIndex();
    index.addPack(pack(1), [entry(1), entry(2, 100)]);
    index.addPack(pack(2), [entry(2)]);
    index.removePacks(new Set([pack(1)]), { keepSole: true });
    expect(index.get(id(1))?.pack).toBe(pack(1));
    expect(index.get(id(2))?.pack).toBe(pack(2));
    expect([...index.packIds()].sort()).toEqual([pack(1), pack(2)].sort());
  });
});
