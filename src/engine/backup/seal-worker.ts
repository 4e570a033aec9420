/**
 * Worker thread body: encodes blobs (blob-codec's `encodeBlob`: zstd + AES-256-GCM) for the
 * backup pipeline, so both cores work while the main thread reads, chunks and hashes.
 *
 * Messages: `{ job, data, lengths }` — `data` holds one or more plaintext blobs back to back,
 * `lengths` their sizes. Reply: `{ job, data, lengths }` with the encoded blobs back to back, or
 * `{ job, error }`. Buffers are transferred, never copied, across the thread boundary.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeBlob } from '../format/blob-codec.js';

interface Job {
  job: number;
  data: Uint8Array;
  lengths: number[];
}

const dataKey = Buffer.from(workerData.dataKey as Uint8Array);
const port = parentPort;
if (!port) throw new Error('seal-worker must run as a worker thread');

port.on('message', ({ job, data, lengths }: Job) => {
  try {
    const encoded: Buffer[] = [];
    let at = 0;
    let total = 0;
    for (const length of lengths) {
      const blob = encodeBlob(dataKey, data.subarray(at, at + length));
      at += length;
      total += blob.length;
      encoded.push(blob);
    }
    const out =
      encoded.length === 1 && isWhole(encoded[0] as Buffer) ? (encoded[0] as Buffer) : concatOwned(encoded, total);
    port.postMessage({ job, data: out, lengths: encoded.map((b) => b.length) }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ job, error: err instanceof Error ? err.message : String(err) });
  }
});

function isWhole(b: Buffer): boolean {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
}

function concatOwned(parts: Buffer[], total: number): Buffer {
  const out = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
