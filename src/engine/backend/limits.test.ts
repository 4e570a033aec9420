/**
 * Tests for the size caps: each is at least what a writer of the format can produce (a pack
 * written by the real PackWriter in the worst case fills largestPack exactly), and the messages
 * name the object, its size and the cap.
 */
import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK_MAX_SIZE } from '../chunker/fastcdc.js';
import { BLOB_OVERHEAD } from '../format/blob-codec.js';
import { PackWriter, type SavedPack } from '../repo/pack-writer.js';
import {
  assertWithinCap,
  DOCUMENT_PLAIN_CAPS,
  formatBytes,
  largestPack,
  MAX_BLOB_PLAIN,
  MAX_DATA_BLOB_PLAIN,
  MAX_INDEX_PLAIN,
  MAX_JSON_CHARS,
  MAX_PACK_SIZE_SETTING,
  MAX_TREE_PLAIN,
  OBJECT_SIZE_CAPS,
  TREE_PACK_TARGET,
} from './limits.js';
import { MemoryBackend } from './memory.js';
import { BackendError } from './types.js';

const MiB = 1024 * 1024;

describe('size caps', () => {
  it('take the longest JSON text this runtime can hold as one string', () => {
    expect(MAX_JSON_CHARS).toBe(constants.MAX_STRING_LENGTH);
    expect(MAX_INDEX_PLAIN).toBe(MAX_JSON_CHARS);
    expect(MAX_TREE_PLAIN).toBeGreaterThanOrEqual(3 * MAX_JSON_CHARS);
  });

  it('let data blobs be as large as the largest chunk, and blobs as large as the largest tree', () => {
    expect(MAX_DATA_BLOB_PLAIN).toBe(MAX_CHUNK_MAX_SIZE);
    expect(MAX_BLOB_PLAIN).toBe(MAX_TREE_PLAIN);
  });

  it('make largestPack the size of the worst pack the real PackWriter writes', async () => {
    const backend = new MemoryBackend();
    const target = 30 * 100 + 1;
    const saved: SavedPack[] = [];
    const writer = new PackWriter(backend, Buffer.alloc(32, 1), target, (p) => saved.push(p));
    // 100 of the smallest stored blobs (an empty plaintext: BLOB_OVERHEAD bytes) stay below the
    // target; the next, largest blob closes the pack.
    const id = (i: number) => i.toString(16).padStart(64, '0');
    for (let i = 0; i < 100; i++) await writer.add('data', id(i), Buffer.alloc(BLOB_OVERHEAD), 0);
    await writer.add('data', id(100), Buffer.alloc(5000), 4970);
    await writer.flush();
    expect(saved.map((p) => p.size)).toEqual([largestPack(target, 5000)]);
    expect((await backend.stat({ kind: 'data', id: saved[0]?.id as string })).size).toBe(largestPack(target, 5000));
  });

  it('cap data objects at the largest data pack or tree pack a writer can make', () => {
    expect(OBJECT_SIZE_CAPS.data).toBe(
      Math.max(
        largestPack(MAX_PACK_SIZE_SETTING, MAX_DATA_BLOB_PLAIN + BLOB_OVERHEAD),
        largestPack(TREE_PACK_TARGET, MAX_TREE_PLAIN + BLOB_OVERHEAD),
      ),
    );
    // A raw frame of the largest plaintext is the largest stored document of each kind.
    expect(OBJECT_SIZE_CAPS.snapshots).toBe(DOCUMENT_PLAIN_CAPS.snapshot + BLOB_OVERHEAD);
    expect(OBJECT_SIZE_CAPS.index).toBe(DOCUMENT_PLAIN_CAPS.index + BLOB_OVERHEAD);
    expect(OBJECT_SIZE_CAPS.locks).toBe(DOCUMENT_PLAIN_CAPS.lock + BLOB_OVERHEAD);
    expect(OBJECT_SIZE_CAPS.config).toBe(DOCUMENT_PLAIN_CAPS.config + BLOB_OVERHEAD);
  });

  it('refuse one byte above the cap with a message naming the object, the size and the cap', () => {
    const ref = { kind: 'snapshots' as const, id: 'ab'.repeat(32) };
    expect(() => assertWithinCap(ref, OBJECT_SIZE_CAPS.snapshots)).not.toThrow();
    let error: unknown;
    try {
      assertWithinCap(ref, OBJECT_SIZE_CAPS.snapshots + 1);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).message).toBe(
      `snapshots object ${ref.id} is 64 MiB (${64 * MiB + 31} bytes), more than the 64 MiB (${64 * MiB + 30} bytes) a snapshots object can be: it is damaged or was not written by Cairn`,
    );
    expect(() => assertWithinCap(ref, 2 ** 40, true)).toThrow(/would be read up to 1024 GiB/);
  });

  it('format sizes for people', () => {
    expect(formatBytes(12)).toBe('12 bytes');
    expect(formatBytes(64 * 1024)).toBe('64 KiB (65536 bytes)');
    expect(formatBytes(1.5 * 1024 * MiB)).toBe('1.5 GiB (1610612736 bytes)');
  });
});
