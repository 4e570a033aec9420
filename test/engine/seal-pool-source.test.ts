/**
 * The backup worker pool must work when the engine runs from its TypeScript source (tests,
 * `tsx`), not only from the compiled dist/. Also covers the file jobs: a worker reads, chunks,
 * names and encodes a large file, skipping chunks the index already has.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileChunk, SealPool, type WorkerKeys } from '../../src/engine/backup/seal-pool.js';
import { chunkBuffer, gearTable } from '../../src/engine/chunker/fastcdc.js';
import { blobId } from '../../src/engine/crypto/ids.js';
import { decodeBlob } from '../../src/engine/format/blob-codec.js';
import { makeTempDir, removeDir, seededBytes } from './helpers.js';

const CHUNKER = { minSize: 64 * 1024, avgSize: 256 * 1024, maxSize: 1024 * 1024 };

function keys(): WorkerKeys {
  return { dataKey: randomBytes(32), idKey: randomBytes(32), chunkerSeed: randomBytes(32), chunker: CHUNKER };
}

describe('SealPool from TypeScript source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('seal-pool');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('encodes a 1 MiB blob on a worker thread when loaded from src/*.ts', async () => {
    const k = keys();
    const pool = new SealPool(k, 1);
    try {
      const plain = seededBytes('seal pool', 1024 * 1024);
      const copy = Buffer.from(plain); // the pool may take the buffer's memory
      const stored = await pool.encode(plain);
      expect(decodeBlob(k.dataKey, k.idKey, stored, blobId(k.idKey, copy)).equals(copy)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('copies a blob into its batch at once, and shares waiting batches with the calling thread', async () => {
    const k = keys();
    const pool = new SealPool(k, 1);
    try {
      // Far more batches than a worker holds: the rest wait in the pool for helpOnce.
      const blobs = Array.from({ length: 40 }, (_, i) => seededBytes(`batch ${i}`, 700 * 1024));
      const reused = Buffer.alloc(700 * 1024);
      const pending = blobs.map((blob) => {
        blob.copy(reused);
        const done = pool.encode(reused);
        reused.fill(0); // the pool copied the bytes: changing the caller's buffer changes nothing
        return done;
      });
      expect(pool.waiting).toBe(true);
      let helped = 0;
      while (pool.helpOnce()) helped++;
      expect(helped).toBeGreaterThan(0);
      expect(pool.waiting).toBe(false);
      const stored = await Promise.all(pending);
      for (const [i, blob] of blobs.entries()) {
        expect(
          decodeBlob(k.dataKey, k.idKey, stored[i] as Buffer, blobId(k.idKey, blob)).equals(blob),
          `blob ${i}`,
        ).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });

  it('backs up a large file on a worker: chunks in order, known chunks not encoded again', async () => {
    const k = keys();
    const data = seededBytes('file job', 5 * 1024 * 1024 + 123);
    const file = path.join(dir, 'large.bin');
    await fs.writeFile(file, data);
    const expected = Array.from(chunkBuffer(data, CHUNKER, gearTable(k.chunkerSeed)), (c) => Buffer.from(c));
    const knownId = blobId(k.idKey, expected[1] as Buffer);
    const pool = new SealPool(k, 2);
    try {
      pool.setKnownIds([knownId]);
      const chunks: FileChunk[] = [];
      let released = 0;
      const size = await pool.processFile(file, (chunk, release) => {
        chunks.push(chunk);
        release();
        released++;
      });
      expect(size).toBe(data.length);
      expect(released).toBe(expected.length);
      expect(chunks.map((c) => c.id)).toEqual(expected.map((c) => blobId(k.idKey, c)));
      expect(chunks[1]?.stored).toBeUndefined();
      for (const [i, c] of chunks.entries()) {
        if (i === 1) continue;
        const plain = decodeBlob(k.dataKey, k.idKey, c.stored as Buffer, c.id);
        expect(plain.equals(expected[i] as Buffer)).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });

  it('rejects a file job for a missing file with its errno code', async () => {
    const pool = new SealPool(keys(), 1);
    try {
      await expect(pool.processFile(path.join(dir, 'missing'), () => undefined)).rejects.toMatchObject({
        code: 'ENOENT',
      });
    } finally {
      await pool.close();
    }
  });
});
