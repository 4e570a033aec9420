/**
 * The encoding worker pool must work when the engine runs from its TypeScript source (tests,
 * `tsx`), not only from the compiled dist/: blobs above the inline limit (64 KiB) go to workers.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SealPool } from '../../src/engine/backup/seal-pool.js';
import { blobId } from '../../src/engine/crypto/ids.js';
import { decodeBlob } from '../../src/engine/format/blob-codec.js';
import { seededBytes } from './helpers.js';

describe('SealPool from TypeScript source', () => {
  it('encodes a 1 MiB blob on a worker thread when loaded from src/*.ts', async () => {
    const dataKey = randomBytes(32);
    const idKey = randomBytes(32);
    const pool = new SealPool(dataKey, 1);
    try {
      const plain = seededBytes('seal pool', 1024 * 1024);
      const copy = Buffer.from(plain); // the pool may take the buffer's memory
      const stored = await pool.encode(plain);
      expect(decodeBlob(dataKey, idKey, stored, blobId(idKey, copy)).equals(copy)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
