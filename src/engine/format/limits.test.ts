/**
 * Tests for the size caps: each is at least what a writer of the format can produce (a pack
 * written by the real PackWriter in the worst case fills largestPack exactly), and the
 * repository's backend (capped-backend.ts) refuses above them with a message naming the object,
 * its size and the cap.
 */
import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../backend/memory.js';
import { formatBytes } from '../backend/size-limit.js';
import { BackendError } from '../backend/types.js';
import { MAX_CHUNK_MAX_SIZE } from '../chunker/fastcdc.js';
import { withSizeCaps } from '../repo/capped-backend.js';
import { PackWriter, type SavedPack } from '../repo/pack-writer.js';
import { BLOB_OVERHEAD } from './blob-codec.js';
import {
  DOCUMENT_PLAIN_CAPS,
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

  it('are applied by the repository backend: one byte above is refused, naming the object, size and cap', async () => {
    const backend = withSizeCaps(new MemoryBackend());
    const ref = { kind: 'locks' as const, id: 'ab'.repeat(32) };
    await backend.save(ref, Buffer.alloc(OBJECT_SIZE_CAPS.locks));
    expect((await backend.load(ref)).length).toBe(OBJECT_SIZE_CAPS.locks);
    await backend.save(ref, Buffer.alloc(OBJECT_SIZE_CAPS.locks + 1), { overwrite: true });
    let error: unknown;
    try {
      await backend.load(ref);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).code).toBe('invalid-object');
    expect((error as BackendError).message).toBe(
      `locks object ${ref.id} is 64 KiB (${64 * 1024 + 31} bytes), more than the 64 KiB (${64 * 1024 + 30} bytes) a locks object can be: it is damaged or was not written by Cairn`,
    );
    await expect(backend.load(ref, { offset: OBJECT_SIZE_CAPS.locks - 1, length: 2 })).rejects.toThrow(
      /would be read up to 64 KiB/,
    );
    // A smaller limit given by the caller still holds.
    await expect(backend.load(ref, undefined, { maxLength: 10 })).rejects.toThrow(/more than the 10 bytes/);
  });

  it('format sizes for people', () => {
    expect(formatBytes(12)).toBe('12 bytes');
    expect(formatBytes(64 * 1024)).toBe('64 KiB (65536 bytes)');
    expect(formatBytes(1.5 * 1024 * MiB)).toBe('1.5 GiB (1610612736 bytes)');
  });
});
