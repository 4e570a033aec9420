/**
 * Worker thread body of restore (see restore-pool.ts): receives the bytes of one pack (up to the
 * end of the last blob it needs), read through the backend by the main thread, and the list of
 * its blobs to write; authenticates, decompresses and id-checks each blob
 * and writes it at its offset into the named (temporary) file, creating the file if it does not exist yet;
 * a file whose data all lies in this pack also gets its mode and mtime here, on the open file, and
 * is renamed to its real name. Replies
 * `{ job, errors }` with one message per write that failed (by index), so the main thread can
 * fail exactly the affected files.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  futimesSync,
  openSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeBlobReusing } from '../format/blob-codec.js';
import { releaseAfterJob } from '../util/release-memory.js';
import { keepYoungGenerationSmallInWorker } from '../util/young-generation.js';

keepYoungGenerationSmallInWorker();

export interface PackWrite {
  id: string;
  offset: number;
  length: number;
  /** Plaintext bytes, as the index records them. */
  rawLength: number;
  file: string;
  fileOffset: number;
  /**
   * Set on the last write of a file whose data is all in this pack: its final mode, times (seconds),
   * size and name, given to it here once it is complete.
   */
  finish?: { mode: number; atime: number; mtime: number; size: number; dest: string };
}

/**
 * Runs of zeros at least this long, aligned to it, are not written but left as holes: a sparse
 * file (or one full of zeros) takes the room of its data only. Far larger than a file system block,
 * so a file with scattered zeros is not cut into fragments.
 */
const HOLE = 64 * 1024;
const ZEROS = Buffer.alloc(HOLE);

/** Writes `plain` at `offset`, skipping the aligned HOLE-sized runs of zeros (the file is new, so they read as zeros). */
function writeSparse(fd: number, plain: Buffer, offset: number): void {
  let start = 0;
  let at = 0;
  const flush = (end: number) => {
    let done = start;
    while (done < end) done += writeSync(fd, plain, done, end - done, offset + done);
  };
  for (; at + HOLE <= plain.length; at += HOLE) {
    if (!plain.subarray(at, at + HOLE).equals(ZEROS)) continue;
    flush(at);
    start = at + HOLE;
  }
  flush(plain.length);
}

const OPEN_FLAGS = constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

const dataKey = Buffer.from(workerData.dataKey as Uint8Array);
const idKey = Buffer.from(workerData.idKey as Uint8Array);
const port = parentPort;
if (!port) throw new Error('restore-worker must run as a worker thread');

type PackJob = { job: number; pack: Uint8Array; writes: PackWrite[] };

port.on('message', (msg: PackJob) => {
  const data = Buffer.from(msg.pack.buffer, msg.pack.byteOffset, msg.pack.byteLength);
  const { job, writes } = msg;
  const errors: { index: number; message: string }[] = [];
  const fds = new Map<string, number>();
  const failedFiles = new Set<string>();
  const finishes: number[] = [];
  const complete: number[] = [];
  try {
    for (const [index, w] of writes.entries()) {
      try {
        if (w.offset + w.length > data.length)
          throw new Error(`blob ${w.id.slice(0, 12)} lies beyond the end of its pack`);
        const stored = data.subarray(w.offset, w.offset + w.length);
        const plain = decodeBlobReusing(dataKey, idKey, stored, w.id, w.rawLength);
        let fd = fds.get(w.file);
        if (fd === undefined) {
          // The first write creates the file (the main thread chose a fresh random name);
          // O_NOFOLLOW: never write through a symlink put in its place.
          fd = openSync(w.file, OPEN_FLAGS, 0o600);
          fds.set(w.file, fd);
        }
        writeSparse(fd, plain, w.fileOffset);
        if (w.finish) finishes.push(index);
      } catch (err) {
        failedFiles.add(w.file);
        errors.push({ index, message: err instanceof Error ? err.message : String(err) });
      }
    }
    // After every write of the job: writing would change the mtime again.
    for (const index of finishes) {
      const w = writes[index] as PackWrite;
      const fd = fds.get(w.file);
      if (fd === undefined || failedFiles.has(w.file) || !w.finish) continue;
      try {
        // Zeros left as a hole at the end set no size: the size does.
        if (fstatSync(fd).size !== w.finish.size) ftruncateSync(fd, w.finish.size);
        fchmodSync(fd, w.finish.mode);
        futimesSync(fd, w.finish.atime, w.finish.mtime);
        complete.push(index);
      } catch (err) {
        errors.push({ index, message: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  // Into place under the real name, as the main thread does for the other files.
  for (const index of complete) {
    const w = writes[index] as PackWrite;
    try {
      renameSync(w.file, (w.finish as NonNullable<PackWrite['finish']>).dest);
    } catch (err) {
      errors.push({ index, message: err instanceof Error ? err.message : String(err) });
    }
  }
  port.postMessage({ job, errors });
  releaseAfterJob(data.length);
});
