/**
 * Matching an erased path without its name (./path-match.ts): the keyed hashes of each prefix
 * (the vector of docs/repository-format.md §13.2), a matcher made from the name and one made
 * from the hashes answering alike, what "covers" means (the path and below, not above, not a
 * sibling whose name starts the same), and the paths a warning or tag mentions, POSIX and Windows.
 */
import { describe, expect, it } from 'vitest';
import { erasurePathKey } from '../crypto/subkeys.js';
import { ErasedPath, erasurePathHash, erasurePathHashes, pathPrefixes, pathsIn } from './path-match.js';

const idKey = Buffer.from([...Array(32).keys()]);
const ERASED = '/home/me/Zorblax Quantel: medical';

describe('keyed hashes of an erased path', () => {
  it('hash each prefix under the erasure path key (the format vector)', () => {
    const key = erasurePathKey({ idKey });
    expect(pathPrefixes('/home/me/JohnDoe-medical')).toEqual(['/home', '/home/me', '/home/me/JohnDoe-medical']);
    expect(erasurePathHashes(key, '/home/me/JohnDoe-medical')).toEqual([
      'cb24f4357420e9873571601a33cc9fa630221bb7111ffe0ae3d3f4f289a2c2da',
      'a9fa1e15f6046416c06e78166ccca73e305c2979a3b40631ace95ceb187dc016',
      'f2892d01ca83a305fcd7668acdcef6e6748a9a9d6711f1a061c954f72d1afba9',
    ]);
    expect(erasurePathHash(key, '/home/me/JohnDoe-medical')).toBe(
      'f2892d01ca83a305fcd7668acdcef6e6748a9a9d6711f1a061c954f72d1afba9',
    );
  });
});

describe('ErasedPath', () => {
  const named = ErasedPath.named(ERASED);
  const hashed = ErasedPath.hashed({ idKey }, erasurePathHashes(erasurePathKey({ idKey }), ERASED));
  const other = ErasedPath.hashed({ idKey: Buffer.alloc(32, 1) }, erasurePathHashes(erasurePathKey({ idKey }), ERASED));

  it('covers the path and everything below it, nothing above it, no sibling', () => {
    for (const m of [named, hashed]) {
      expect(m.depth).toBe(3);
      expect(m.covers(ERASED)).toBe(true);
      expect(m.covers(`${ERASED}/scans/a.pdf`)).toBe(true);
      expect(m.erasedPrefixOf(`${ERASED}/scans`)).toBe(ERASED);
      expect(m.covers('/home/me')).toBe(false);
      expect(m.covers(`${ERASED}-archive`)).toBe(false);
      expect(m.covers('/home/you/Zorblax Quantel: medical')).toBe(false);
      expect(m.isPrefix('/home/me', 2)).toBe(true);
      expect(m.isPrefix('/home/me', 3)).toBe(false);
    }
    expect(named.name).toBe(ERASED);
    expect(hashed.name).toBeUndefined();
    // Hashes under another repository's keys match nothing.
    expect(other.covers(ERASED)).toBe(false);
  });

  it('finds the path in what a warning or a tag says, however the text goes on', () => {
    const texts = [
      `${ERASED}/\uFFFDB.txt: the name is not valid UTF-8; Cairn cannot back it up yet`,
      `${ERASED}: EACCES: permission denied, scandir '${ERASED}'`,
      `open '${ERASED}/x y.txt' failed`,
      `moved (${ERASED}) away`,
    ];
    for (const m of [named, hashed]) {
      for (const text of texts) expect(m.mentionedIn(text), text).toBe(ERASED);
      expect(m.mentionedIn(`${ERASED}-archive/\uFFFDB.txt: the name is not valid UTF-8`)).toBeUndefined();
      expect(m.mentionedIn('weekly')).toBeUndefined();
      expect(m.mentionedIn('/home/me: EACCES')).toBeUndefined();
    }
  });

  it('finds a Windows path in its local form', () => {
    const windows = ErasedPath.named('/C/Users/me/Zorblax');
    expect(windows.mentionedIn('C:\\Users\\me\\Zorblax\\a.txt: Access is denied.')).toBe('/C/Users/me/Zorblax');
    expect(windows.mentionedIn("open 'c:/Users/me/Zorblax'")).toBe('/C/Users/me/Zorblax');
    expect(windows.mentionedIn('C:\\Users\\me\\Zorblax2: gone')).toBeUndefined();
  });

  it('lists the candidate paths of a text', () => {
    expect(pathsIn('/a/b c: x')).toEqual(['/a', '/a/b', '/a/b c', '/a/b c:', '/a/b c: x']);
    expect(pathsIn('no path here')).toEqual([]);
  });
});
