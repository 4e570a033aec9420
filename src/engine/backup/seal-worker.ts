/**
 * Worker thread body: compresses and encrypts blobs for the backup pipeline (blob-codec's
 * `encodeBlob`), so both cores work while the main thread reads, chunks and hashes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeBlob } from '../format/blob-codec.js';

interface Job {
  job: number;
  plain: Uint8Array;
}

const dataKey = Buffer.from(workerData.dataKey as Uint8Array);
const port = parentPort;
if (!port) throw new Error('seal-worker must run as a worker thread');

port.on('message', ({ job, plain }: Job) => {
  try {
    const stored = encodeBlob(dataKey, plain);
    // A fresh Buffer from seal owns its memory only if it is not pooled; copy small ones.
    const own =
      stored.byteOffset === 0 && stored.byteLength === stored.buffer.byteLength ? stored : Buffer.from(stored);
    port.postMessage({ job, stored: own }, [own.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ job, error: err instanceof Error ? err.message : String(err) });
  }
});
