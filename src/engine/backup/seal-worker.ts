/**
 * Worker thread body of the backup pipeline (see seal-pool.ts). Two kinds of job:
 *
 * - `encode`: `{ job, data, lengths }` holds plaintext blobs back to back; the reply
 *   `{ job, kind: 'encoded', data, lengths, spare }` holds the encoded blobs (zstd + AES-256-GCM)
 *   and gives the plaintext batch's memory back as `spare`.
 * - `file`: `{ job, path }` — reads a large file itself, cuts it with FastCDC, names each chunk
 *   by its keyed id, and encodes the chunks that are neither in the repository's index (the
 *   shared sorted id list from `known`) nor encoded by this worker before. It replies
 *   `{ job, kind: 'chunk', id, rawLength, stored? }` per chunk, in file order, then
 *   `{ job, kind: 'done', size }`, or `{ job, kind: 'error', … }`.
 *
 * Flow control: `control[0]` counts encoded bytes handed to the main thread and not yet taken
 * into a pack; above the credit limit (set by the pool) the worker waits, so memory stays
 * bounded. `control[1]` set means abort. Buffers are transferred, never copied, across the
 * thread boundary.
 */
import { closeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { type ChunkerParams, chunkFdSync, gearTable } from '../chunker/fastcdc.js';
import { GearScanner } from '../chunker/gear-scan.js';
import { ENVELOPE_OVERHEAD, sealInto } from '../crypto/aead.js';
import { blobId } from '../crypto/ids.js';
import { encodeBatch, frameParts } from '../format/blob-codec.js';
import { openForBackup } from '../util/open-noatime.js';
import { releaseAfterJob } from '../util/release-memory.js';
import { keepYoungGenerationSmallInWorker } from '../util/young-generation.js';

keepYoungGenerationSmallInWorker();

const CREDIT_LIMIT = workerData.creditLimit as number;

const dataKey = Buffer.from(workerData.dataKey as Uint8Array);
const idKey = Buffer.from(workerData.idKey as Uint8Array);
const chunker = workerData.chunker as ChunkerParams;
const control = new Int32Array(workerData.control as SharedArrayBuffer);
const port = parentPort;
if (!port) throw new Error('seal-worker must run as a worker thread');

let known: Buffer<ArrayBufferLike> = Buffer.alloc(0);
/** The cut search, with the one read buffer for every file this worker chunks. */
const scanner = new GearScanner(chunker, gearTable(workerData.chunkerSeed as Uint8Array));
const encodedHere = new Set<string>();

type Message =
  | { type: 'encode'; job: number; data: Uint8Array; lengths: number[] }
  | { type: 'file'; job: number; path: string | Uint8Array }
  | { type: 'known'; ids: SharedArrayBuffer };

port.on('message', (msg: Message) => {
  if (msg.type === 'known') known = Buffer.from(msg.ids);
  else if (msg.type === 'encode') encodeJob(msg.job, msg.data, msg.lengths);
  else fileJob(msg.job, msg.path);
});

function encodeJob(job: number, data: Uint8Array, lengths: number[]): void {
  try {
    const encoded = encodeBatch(dataKey, data, lengths);
    // The plaintext batch goes back too, for the pool to fill again (no new buffer per batch).
    port?.postMessage({ job, kind: 'encoded', data: encoded.stored, lengths: encoded.lengths, spare: data }, [
      encoded.stored.buffer as ArrayBuffer,
      data.buffer as ArrayBuffer,
    ]);
  } catch (err) {
    port?.postMessage({ job, kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

function fileJob(job: number, path: string | Uint8Array): void {
  let fd: number | undefined;
  try {
    // A path of bytes (a name that is not UTF-8) arrives as a Uint8Array.
    fd = openForBackup(typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength));
    let size = 0;
    for (const chunk of chunkFdSync(fd, scanner)) {
      if (Atomics.load(control, 1) !== 0) {
        port?.postMessage({ job, kind: 'error', name: 'AbortError', message: 'the backup was cancelled' });
        return;
      }
      size += chunk.length;
      const id = blobId(idKey, chunk);
      if (isKnown(id) || encodedHere.has(id)) {
        port?.postMessage({ job, kind: 'chunk', id, rawLength: chunk.length });
        continue;
      }
      encodedHere.add(id);
      const stored = encodeChunk(chunk);
      Atomics.add(control, 0, stored.length);
      port?.postMessage({ job, kind: 'chunk', id, rawLength: chunk.length, stored }, [stored.buffer as ArrayBuffer]);
      for (let v = Atomics.load(control, 0); v > CREDIT_LIMIT; v = Atomics.load(control, 0)) {
        Atomics.wait(control, 0, v, 1000);
      }
    }
    port?.postMessage({ job, kind: 'done', size });
    releaseAfterJob(size);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    port?.postMessage({ job, kind: 'error', code: e?.code, message: e?.message ?? String(err) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Binary search of a hex id in the sorted list of 32-byte ids. */
function isKnown(hexId: string): boolean {
  if (known.length === 0) return false;
  const target = Buffer.from(hexId, 'hex');
  let lo = 0;
  let hi = known.length / 32 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = target.compare(known, mid * 32, mid * 32 + 32);
    if (c === 0) return true;
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return false;
}

/**
 * A chunk's stored blob in a buffer that owns its whole ArrayBuffer, so it can be transferred;
 * sized exactly (one allocation, no copy of the encrypted bytes).
 */
function encodeChunk(chunk: Uint8Array): Buffer {
  const parts = frameParts(chunk);
  const out = Buffer.allocUnsafeSlow(parts[0].length + parts[1].length + ENVELOPE_OVERHEAD);
  sealInto(out, 0, dataKey, parts, 'blob');
  return out;
}
