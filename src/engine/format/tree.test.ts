/**
 * Tests for trees: safe names, encode/decode, deterministic encoding and name order.
 */
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import { compareNames, decodeTree, encodeTree, isSafeName, type Tree } from './tree.js';

describe('isSafeName', () => {
  const table: [string, boolean][] = [
    ['', false],
    ['.', false],
    ['..', false],
    ['a/b', false],
    ['/', false],
    ['a\\b', false],
    ['a\0b', false],
    ['\0', false],
    ['ünïcødé', true],
    [' spaced ', true],
    ['-dash', true],
    ['new\nline', true],
    ['...', true],
    ['.hidden', true],
    ['a', true],
    ['名前.txt', true],
  ];
  for (const [name, safe] of table) {
    it(`${JSON.stringify(name)} is ${safe ? 'safe' : 'unsafe'}`, () => {
      expect(isSafeName(name)).toBe(safe);
    });
  }

  it('refuses values that are not strings', () => {
    expect(isSafeName(undefined as unknown as string)).toBe(false);
    expect(isSafeName(42 as unknown as string)).toBe(false);
  });
});

describe('encodeTree / decodeTree', () => {
  const tree: Tree = {
    nodes: [
      { name: 'a.txt', type: 'file', mode: 0o644, mtime: 1_700_000_000_123.456, size: 3, content: ['1'.repeat(64)] },
      { name: 'dir', type: 'dir', mode: 0o755, mtime: 1_700_000_000_000, subtree: '2'.repeat(64) },
      { name: 'link', type: 'symlink', mode: 0o777, mtime: 1, target: '../a.txt' },
      { name: 'ünïcødé', type: 'file', mode: 0o600, mtime: 2, size: 0, content: [] },
    ],
  };

  it('roundtrips, keeping fractional mtimes and unicode names', () => {
    expect(decodeTree(encodeTree(tree), 'tree 1')).toEqual(tree);
  });

  it('encodes as UTF-8 JSON, the same bytes for the same tree', () => {
    const bytes = encodeTree(tree);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(tree);
    expect(bytes.equals(encodeTree(structuredClone(tree)))).toBe(true);
  });

  it('refuses bytes that are not JSON, not a tree, or hold an unknown node type', () => {
    expect(() => decodeTree(Buffer.from('{"nodes":'), 'tree 2')).toThrow('tree 2 is not valid JSON');
    for (const text of ['null', '{}', '{"nodes":{}}', '[]']) {
      expect(() => decodeTree(Buffer.from(text), 'tree 3'), text).toThrow('tree 3 is not a tree');
    }
    const unknown = Buffer.from(JSON.stringify({ nodes: [{ name: 'x', type: 'socket', mode: 0, mtime: 0 }] }));
    expect(() => decodeTree(unknown, 'tree 4')).toThrow(IntegrityError);
    expect(() => decodeTree(Buffer.from('{"nodes":[null]}'), 'tree 5')).toThrow(IntegrityError);
  });
});

describe('compareNames', () => {
  it('orders by UTF-16 code units, like Array.prototype.sort', () => {
    const names = ['b', 'B', 'a', 'ä', '\u{1F600}', '\uFFFD', '10', '9', 'a b', 'ab'];
    const sorted = [...names].sort(compareNames);
    expect(sorted).toEqual([...names].sort());
    expect(sorted).toEqual(['10', '9', 'B', 'a', 'a b', 'ab', 'b', 'ä', '\u{1F600}', '\uFFFD']);
    expect(compareNames('a', 'a')).toBe(0);
  });
});

describe('decodeTree: every field a reader uses has its declared type', () => {
  const good = {
    name: 'a',
    type: 'file',
    mode: 0o644,
    mtime: 1.5,
    ctime: 2,
    inode: 3,
    size: 4,
    content: ['a'.repeat(64)],
  };
  const decode = (node: unknown) => decodeTree(Buffer.from(JSON.stringify({ nodes: [node] })), 'tree 9');

  it('accepts nodes with only the fields every type needs, and extra fields it does not know', () => {
    expect(decode({ name: 'x', type: 'dir', mode: 0, mtime: 0 }).nodes).toHaveLength(1);
    expect(decode({ ...good, future: { any: 'thing' } }).nodes).toHaveLength(1);
    expect(decode({ ...good, name: '../escape' }).nodes[0]?.name).toBe('../escape'); // restore refuses it
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['name missing', { name: undefined }, 'an entry without a name'],
    ['name a number', { name: 7 }, 'an entry without a name'],
    ['mode a string', { mode: '644' }, 'an entry with invalid permissions'],
    ['mode above 0o7777', { mode: 0o10000 }, 'an entry with invalid permissions'],
    ['mode fractional', { mode: 1.5 }, 'an entry with invalid permissions'],
    ['mtime missing', { mtime: undefined }, 'an entry with an invalid time or inode'],
    ['ctime a string', { ctime: 'x' }, 'an entry with an invalid time or inode'],
    ['inode null', { inode: null }, 'an entry with an invalid time or inode'],
    ['size negative', { size: -1 }, 'a file entry with invalid content'],
    ['content a string', { content: 'a'.repeat(64) }, 'a file entry with invalid content'],
    ['content id not hex', { content: ['zz'] }, 'a file entry with invalid content'],
    ['subtree a number', { type: 'dir', subtree: 5 }, 'a folder entry with an invalid subtree'],
    ['target an object', { type: 'symlink', target: {} }, 'a symlink entry with an invalid target'],
  ];
  for (const [label, change, message] of cases) {
    it(`refuses a node with ${label}`, () => {
      expect(() => decode({ ...good, ...change })).toThrow(`tree 9 has ${message}`);
    });
  }

  it('refuses an array where a node belongs', () => {
    expect(() => decode([good])).toThrow('tree 9 has a malformed entry');
  });
});
