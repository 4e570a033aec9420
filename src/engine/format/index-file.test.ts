/**
 * Tests for index files: the stored JSON shape, the roundtrip through a sealed document, and
 * rejection of malformed content.
 */
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import { fromStoredIndex, type IndexFile, toStoredIndex } from './index-file.js';
import { decodeDocument, encodeDocument } from './sealed-json.js';

const dataKey = Buffer.alloc(32, 0x41);
const hex = (c: string): string => c.repeat(64);

const sampleIndex: IndexFile = {
  version: 1,
  supersedes: [hex('e'), hex('f')],
  packs: [
    {
      id: hex('a'),
      blobs: [
        { type: 'data', id: hex('1'), offset: 0, length: 1029, rawLength: 1000 },
        { type: 'tree', id: hex('2'), offset: 1029, length: 60, rawLength: 31 },
      ],
    },
    {
      id: hex('b'),
      blobs: [{ type: 'data', id: hex('3'), offset: 0, length: 4_000_000_000, rawLength: 4_294_967_295 }],
    },
  ],
};

type Stored = Parameters<typeof fromStoredIndex>[0];
const asStored = (value: unknown): Stored => value as Stored;

describe('index files', () => {
  it('stores blobs as compact [id, type, offset, length, rawLength] tuples', () => {
    expect(JSON.parse(JSON.stringify(toStoredIndex(sampleIndex)))).toEqual({
      version: 1,
      supersedes: [hex('e'), hex('f')],
      packs: [
        {
          id: hex('a'),
          blobs: [
            [hex('1'), 0, 0, 1029, 1000],
            [hex('2'), 1, 1029, 60, 31],
          ],
        },
        { id: hex('b'), blobs: [[hex('3'), 0, 0, 4_000_000_000, 4_294_967_295]] },
      ],
    });
  });

  it('roundtrips through toStoredIndex / fromStoredIndex', () => {
    expect(fromStoredIndex(toStoredIndex(sampleIndex), 'index file 1')).toEqual(sampleIndex);
  });

  it('roundtrips through a sealed "index" document', () => {
    const stored = encodeDocument(dataKey, toStoredIndex(sampleIndex), 'index');
    const back = fromStoredIndex(decodeDocument(dataKey, stored, 'index', 'index file 1'), 'index file 1');
    expect(back).toEqual(sampleIndex);
    expect(() => decodeDocument(dataKey, stored, 'snapshot', 'index file 1')).toThrow(IntegrityError);
  });

  it('roundtrips a large index (compressed inside the document)', () => {
    const big: IndexFile = {
      version: 1,
      supersedes: [],
      packs: Array.from({ length: 50 }, (_, p) => ({
        id: p.toString(16).padStart(64, '0'),
        blobs: Array.from({ length: 40 }, (_, b) => ({
          type: b % 5 === 0 ? ('tree' as const) : ('data' as const),
          id: (p * 1000 + b).toString(16).padStart(64, 'c'),
          offset: b * 100,
          length: 100,
          rawLength: 71,
        })),
      })),
    };
    const stored = encodeDocument(dataKey, toStoredIndex(big), 'index');
    expect(stored.length).toBeLessThan(JSON.stringify(toStoredIndex(big)).length);
    expect(fromStoredIndex(decodeDocument(dataKey, stored, 'index', 'big'), 'big')).toEqual(big);
  });

  it('reads a missing supersedes list as empty', () => {
    const stored = toStoredIndex(sampleIndex) as unknown as Record<string, unknown>;
    delete stored.supersedes;
    expect(fromStoredIndex(asStored(stored), 'index file 2').supersedes).toEqual([]);
  });

  it('refuses another version or a missing pack list', () => {
    for (const value of [
      null,
      42,
      {},
      { version: 2, packs: [] },
      { version: '1', packs: [] },
      { version: 1 },
      { version: 1, packs: {} },
    ]) {
      expect(() => fromStoredIndex(asStored(value), 'index file 3'), JSON.stringify(value)).toThrow(
        'index file 3 is not a version-1 index',
      );
    }
  });

  it('refuses malformed packs, blob entries and superseded ids with IntegrityError', () => {
    const good = toStoredIndex(sampleIndex);
    const entry = [hex('1'), 0, 0, 10, 10];
    const withPack = (pack: unknown): Stored => asStored({ ...good, packs: [pack] });
    const cases: [string, Stored][] = [
      ['supersedes not a list', asStored({ ...good, supersedes: 'x' })],
      ['superseded id not hex', asStored({ ...good, supersedes: ['nothex'] })],
      ['pack null', withPack(null)],
      ['pack id short', withPack({ id: 'ab', blobs: [] })],
      ['pack blobs missing', withPack({ id: hex('a') })],
      ['entry not a tuple', withPack({ id: hex('a'), blobs: [{ id: hex('1') }] })],
      ['entry too short', withPack({ id: hex('a'), blobs: [entry.slice(0, 4)] })],
      ['entry id bad', withPack({ id: hex('a'), blobs: [['zz', 0, 0, 10, 10]] })],
      ['entry type unknown', withPack({ id: hex('a'), blobs: [[hex('1'), 2, 0, 10, 10]] })],
      ['entry offset negative', withPack({ id: hex('a'), blobs: [[hex('1'), 0, -1, 10, 10]] })],
      ['entry length fractional', withPack({ id: hex('a'), blobs: [[hex('1'), 0, 0, 1.5, 10]] })],
      ['entry rawLength string', withPack({ id: hex('a'), blobs: [[hex('1'), 0, 0, 10, '10']] })],
    ];
    for (const [name, value] of cases) {
      expect(() => fromStoredIndex(value, 'index file 4'), name).toThrow(IntegrityError);
    }
    expect(() =>
      fromStoredIndex(withPack({ id: hex('a'), blobs: [[hex('1'), 7, 0, 10, 10]] }), 'index file 4'),
    ).toThrow(`index file 4 has a malformed blob entry in pack ${hex('a').slice(0, 12)}`);
  });
});
