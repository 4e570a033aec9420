/**
 * The compact reading of index files: the fast scan of what toStoredIndex writes and the
 * JSON.parse fallback for any other spelling give the same result as fromStoredIndex, and both
 * refuse what fromStoredIndex refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import { compactIndex, parseCompactIndex } from './index-compact.js';
import { fromStoredIndex, type IndexFile, toStoredIndex } from './index-file.js';

const hexId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const u32 = fc.nat(0xffff_ffff);
const indexFile: fc.Arbitrary<IndexFile> = fc.record({
  version: fc.constant(1 as const),
  supersedes: fc.array(hexId, { maxLength: 3 }),
  packs: fc.array(
    fc.record({
      id: hexId,
      blobs: fc.array(
        fc.record({
          id: hexId,
          type: fc.constantFrom('data' as const, 'tree' as const),
          offset: u32,
          length: u32,
          rawLength: u32,
        }),
        { maxLength: 6 },
      ),
    }),
    { maxLength: 4 },
  ),
});

const plain = (value: unknown, space?: number) => Buffer.from(JSON.stringify(value, null, space));

describe('compact index files', () => {
  it('reads what toStoredIndex writes, and the same JSON spelled otherwise, as fromStoredIndex does', () => {
    fc.assert(
      fc.property(indexFile, (index) => {
        const stored = toStoredIndex(index);
        const want = compactIndex(fromStoredIndex(JSON.parse(JSON.stringify(stored)), 'x'));
        expect(parseCompactIndex(plain(stored), 'x')).toEqual(want);
        expect(parseCompactIndex(plain(stored, 2), 'x')).toEqual(want);
        const { packs, supersedes } = stored;
        expect(parseCompactIndex(plain({ packs, supersedes, version: 1 }), 'x')).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps each blob with its pack: ids as words, type, offset, length and raw length', () => {
    const id = 'ab'.repeat(32);
    const got = parseCompactIndex(
      plain({ version: 1, supersedes: [], packs: [{ id: 'cd'.repeat(32), blobs: [[id, 1, 7, 4294967295, 0]] }] }),
      'x',
    );
    expect(got.packs).toEqual(['cd'.repeat(32)]);
    expect([...got.counts]).toEqual([1]);
    expect([...got.ids]).toEqual(new Array(8).fill(0xabababab));
    expect([...got.types]).toEqual([1]);
    expect([...got.values]).toEqual([7, 4294967295, 0]);
  });

  it('refuses malformed files as fromStoredIndex does, whichever way they are spelled', () => {
    const id = 'ab'.repeat(32);
    const bad = [
      { version: 2, supersedes: [], packs: [] },
      { version: 1, supersedes: ['xyz'], packs: [] },
      { version: 1, supersedes: [], packs: [{ id: 'AB'.repeat(32), blobs: [] }] },
      { version: 1, supersedes: [], packs: [{ id, blobs: [[id, 2, 0, 0, 0]] }] },
      { version: 1, supersedes: [], packs: [{ id, blobs: [[id, 0, -1, 0, 0]] }] },
      { version: 1, supersedes: [], packs: [{ id, blobs: [[id, 0, 2 ** 32, 0, 0]] }] },
      { version: 1, supersedes: [], packs: [{ id, blobs: [[id.toUpperCase(), 0, 0, 0, 0]] }] },
      { version: 1, supersedes: [], packs: [{ id, blobs: [[id, 0, 1.5, 0, 0]] }] },
    ];
    for (const value of bad) {
      expect(() => parseCompactIndex(plain(value), 'index file x')).toThrow(IntegrityError);
      expect(() => parseCompactIndex(plain(value, 1), 'index file x')).toThrow(IntegrityError);
    }
    expect(() => parseCompactIndex(Buffer.from('{"version":1,"supersedes":[],"packs":['), 'index file x')).toThrow(
      /not valid JSON/,
    );
  });
});
