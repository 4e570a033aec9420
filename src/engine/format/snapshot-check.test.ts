/**
 * Tests for parseSnapshot: what every writer produces passes (a backup's, an erased copy's, a
 * repaired copy's), and a document with any field of the wrong type is refused by name.
 */
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import type { Snapshot } from './snapshot.js';
import { parseSnapshot } from './snapshot-check.js';

const ID = 'c'.repeat(64);
const snapshot: Snapshot = {
  version: 1,
  time: '2026-11-26T12:00:00.000Z',
  hostname: 'host',
  username: 'user',
  paths: ['/home/user'],
  tags: ['daily'],
  tree: ID,
  parent: ID,
  summary: {
    filesNew: 1,
    filesChanged: 0,
    filesUnchanged: 0,
    dirs: 1,
    bytesNew: 10,
    bytesChanged: 0,
    bytesUnchanged: 0,
    dataAdded: 10,
    dataAddedStored: 40,
    totalFiles: 1,
    totalBytes: 10,
    durationMs: 5,
  },
  partial: false,
  warnings: [],
  program: 'cairn 0.1.0',
};

describe('parseSnapshot', () => {
  it('returns the document of a backup, an erased copy and a repaired copy unchanged', () => {
    expect(parseSnapshot(snapshot, 's')).toBe(snapshot);
    const { parent: _parent, ...first } = snapshot;
    expect(parseSnapshot(first, 's')).toBe(first);
    const erased = { ...snapshot, erasures: [{ request: 'r1', original: ID, time: snapshot.time }] };
    expect(parseSnapshot(erased, 's')).toBe(erased);
    const repaired = {
      ...snapshot,
      repaired: { original: ID, time: snapshot.time, removedFiles: 2, emptiedFolders: 0 },
    };
    expect(parseSnapshot(repaired, 's')).toBe(repaired);
  });

  it('refuses what is not a document', () => {
    for (const value of [null, 5, 'x', [snapshot]]) {
      expect(() => parseSnapshot(value, 'snapshot 1')).toThrow('snapshot 1 is not a snapshot document');
    }
  });

  const cases: [string, unknown][] = [
    ['time', 5],
    ['time', 'yesterday'],
    ['hostname', null],
    ['username', undefined],
    ['paths', '/home'],
    ['paths', [1]],
    ['tags', {}],
    ['tree', 'abc'],
    ['parent', 'C'.repeat(64)],
    ['summary', null],
    ['summary', { filesNew: 'many' }],
    ['partial', 'no'],
    ['warnings', [null]],
    ['program', 1],
    ['erasures', [{ request: 'r', original: 'x', time: snapshot.time }]],
    ['erasures', {}],
    ['repaired', { original: ID, time: snapshot.time, removedFiles: -1, emptiedFolders: 0 }],
  ];
  for (const [field, value] of cases) {
    it(`refuses a "${field}" of ${JSON.stringify(value) ?? 'undefined'}, naming the field`, () => {
      const doc = { ...snapshot, [field]: value };
      expect(() => parseSnapshot(doc, 'snapshot 2')).toThrow(IntegrityError);
      expect(() => parseSnapshot(doc, 'snapshot 2')).toThrow(
        `snapshot 2 is malformed: its "${field}" field is missing or invalid`,
      );
    });
  }
});
