/**
 * The worker threads of the backup pipeline, so both cores work while the main thread walks.
 *
 * - Small blobs (most files are small) are read and named on the main thread and copied into a
 *   batch of up to BATCH_BYTES, to be encoded (zstd + AES-256-GCM) by a worker: one message per
 *   batch; a batch also closes at the next turn of the event loop, so no blob waits for company.
 *   Each worker holds at most WORKER_QUEUE jobs; further batches wait here, where the main
 *   thread encodes them itself (`helpOnce`) instead of idling while the workers are busy.
 * - Large files are handed over whole (`processFile`): a worker reads, chunks, names and
 *   encodes them, skipping chunks the index already has (`setKnownIds`), and streams the chunks
 *   back in order. Encoded bytes not yet taken into a pack are capped per worker (CREDIT_LIMIT)
 *   through a shared counter, which the caller lowers with the `release` callback.
 * Workers start on first use; `abort` stops file jobs at their next chunk.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { ChunkerParams } from '../chunker/fastcdc.js';
import { encodeBatch } from '../format/blob-codec.js';
import { startWorker } from '../util/workers.js';

const BATCH_BYTES = 1024 * 1024;
const BATCH_COUNT = 256;
/**
 * Jobs a worker holds at most: enough that it never runs dry while the main thread is busy,
 * even when the batches are small. Further batches wait in the pool.
 */
const WORKER_QUEUE = 16;
/** Batch buffers kept for reuse: enough for the batches in flight, so batches rarely allocate. */
const MAX_SPARES = 8;
/**
 * Encoded bytes a worker may hand over before they are in a pack; then it waits. Since packs
 * stream to their file, the main thread takes chunks in at once: 16 MiB measured as fast as
 * 24 MiB (8 and 12 too) for ~20 MiB less peak memory on the 1 GiB benchmark.
 */
const CREDIT_LIMIT = 16 * 1024 * 1024;

export interface WorkerKeys {
  dataKey: Buffer;
  idKey: Buffer;
  chunkerSeed: Buffer;
  chunker: ChunkerParams;
}

export interface FileChunk {
  id: string;
  rawLength: number;
  /** Present when the worker encoded the chunk (it was not in the index). */
  stored?: Buffer;
}

type Reply =
  | { job: number; kind: 'encoded'; data: Uint8Array; lengths: number[]; spare?: Uint8Array }
  | { job: number; kind: 'chunk'; id: string; rawLength: number; stored?: Uint8Array }
  | { job: number; kind: 'done'; size: number }
  | { job: number; kind: 'error'; message: string; code?: string; name?: string };

interface Job {
  worker: number;
  onReply: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/** Blobs copied back to back into one buffer that is transferred to a worker whole. */
interface Batch {
  data: Buffer;
  bytes: number;
  lengths: number[];
  waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[];
}

export class SealPool {
  private readonly workers: Worker[] = [];
  private readonly controls: Int32Array[] = [];
  private readonly jobs = new Map<number, Job>();
  private readonly load: number[] = [];
  private nextJob = 0;
  private failure?: Error;
  private closing = false;
  private batch?: Batch;
  /** Closed batches not yet handed to a worker. */
  private readonly queued: Batch[] = [];
  /** Batch buffers whose blobs are encoded, ready to be filled again. */
  private readonly spares: Buffer[] = [];
  private knownIds?: SharedArrayBuffer;
  private knownSource?: () => Iterable<string>;

  /**
   * `size` defaults to one worker less than the cores (at least one): the main thread is busy
   * too, and on 2 cores one worker measured as fast as two with ~100 MiB less memory.
   */
  constructor(
    private readonly keys: WorkerKeys,
    private readonly size = Math.max(1, Math.min(4, os.availableParallelism() - 1)),
  ) {}

  /**
   * The ids the repository already stores, so file jobs skip encoding them. Given as a function,
   * the list is built when the first large file is handed over: a backup that reads no large
   * file (a journal backup of a few changes) does not pay for sorting and sharing every id.
   */
  setKnownIds(ids: Iterable<string> | (() => Iterable<string>)): void {
    if (typeof ids === 'function') {
      this.knownSource = ids;
      this.knownIds = undefined;
      return;
    }
    this.knownSource = undefined;
    this.shareKnownIds(ids);
  }

  private shareKnownIds(ids: Iterable<string>): void {
    const sorted = [...ids].sort();
    const shared = new SharedArrayBuffer(sorted.length * 32);
    const view = Buffer.from(shared);
    for (const [i, id] of sorted.entries()) view.write(id, i * 32, 32, 'hex');
    this.knownIds = shared;
    for (const w of this.workers) w.postMessage({ type: 'known', ids: shared });
  }

  /** Whether a worker thread has been started (the first job starts them). */
  get started(): boolean {
    return this.workers.length > 0;
  }

  /**
   * Encodes a small blob in a batch. `plain` is copied into the batch before this returns, so
   * the caller may reuse its buffer at once.
   */
  encode(plain: Uint8Array): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.batch && this.batch.bytes + plain.length > this.batch.data.length) this.closeBatch();
    if (!this.batch) {
      const fresh: Batch = {
        data: this.batchBuffer(plain.length),
        bytes: 0,
        lengths: [],
        waiters: [],
      };
      this.batch = fresh;
      setImmediate(() => {
        if (this.batch === fresh) this.closeBatch();
      });
    }
    const batch = this.batch;
    batch.data.set(plain, batch.bytes);
    batch.bytes += plain.length;
    batch.lengths.push(plain.length);
    const done = new Promise<Buffer>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (batch.bytes >= BATCH_BYTES || batch.lengths.length >= BATCH_COUNT) this.closeBatch();
    return done;
  }

  /** Whether batches wait that the calling thread could encode itself (see `helpOnce`). */
  get waiting(): boolean {
    return this.queued.length > 0;
  }

  /**
   * Encodes one waiting batch on the calling thread; false when none waits. The main thread
   * calls this instead of idling while the workers are busy, so both cores stay in use.
   */
  helpOnce(): boolean {
    // A worker past half its credit waits on this thread to pack its chunks: do that first.
    for (const c of this.controls) if (Atomics.load(c, 0) > CREDIT_LIMIT / 2) return false;
    const batch = this.queued.shift();
    if (!batch) return false;
    this.encodeHere(batch);
    return true;
  }

  /**
   * Backs up one large file on a worker. `onChunk` is called for every chunk in file order;
   * it must call `release()` once a stored chunk is in a pack (or dropped). Resolves to the
   * number of bytes read; rejects with the file error (with its errno `code`) or an AbortError.
   */
  processFile(path: string | Buffer, onChunk: (chunk: FileChunk, release: () => void) => void): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.knownSource) {
      const source = this.knownSource;
      this.knownSource = undefined;
      this.shareKnownIds(source());
    }
    return new Promise<number>((resolve, reject) => {
      const worker = this.dispatch({ type: 'file', path }, undefined, {
        reject,
        onReply: (reply) => {
          if (reply.kind === 'chunk') {
            const stored = reply.stored
              ? Buffer.from(reply.stored.buffer, reply.stored.byteOffset, reply.stored.byteLength)
              : undefined;
            const control = this.controls[worker] as Int32Array;
            let released = !stored;
            const release = () => {
              if (released || !stored) return;
              released = true;
              Atomics.sub(control, 0, stored.length);
              Atomics.notify(control, 0);
            };
            onChunk({ id: reply.id, rawLength: reply.rawLength, ...(stored ? { stored } : {}) }, release);
            return false;
          }
          if (reply.kind === 'done') resolve(reply.size);
          else if (reply.kind === 'error') reject(workerError(reply));
          else reject(new Error('unexpected reply to a file job'));
          return true;
        },
      });
    });
  }

  /** Asks file jobs to stop at their next chunk. */
  abort(): void {
    for (const c of this.controls) Atomics.store(c, 1, 1);
  }

  /** Ends the batch being filled: it waits in `queued` until a worker is free for it. */
  private closeBatch(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    this.queued.push(batch);
    this.pump();
  }

  /**
   * Hands waiting batches to workers, keeping at most WORKER_QUEUE jobs on each: the rest wait
   * here, where the main thread can take them over (`helpOnce`) rather than wait behind a
   * worker's long file job.
   */
  private pump(): void {
    while (this.queued.length > 0) {
      if (this.workers.length > 0 && Math.min(...this.load) >= WORKER_QUEUE) return;
      this.sendBatch(this.queued.shift() as Batch);
    }
  }

  /** Encodes a batch on the calling thread. */
  private encodeHere(batch: Batch): void {
    if (this.failure) {
      for (const w of batch.waiters) w.reject(this.failure);
      return;
    }
    try {
      const encoded = encodeBatch(this.keys.dataKey, batch.data.subarray(0, batch.bytes), batch.lengths);
      resolveBatch(batch, encoded.stored, encoded.lengths);
    } catch (err) {
      for (const w of batch.waiters) w.reject(err as Error);
    }
    this.keepSpare(batch.data);
  }

  /** A buffer for a new batch: a spare one when it is large enough. */
  private batchBuffer(atLeast: number): Buffer {
    if (atLeast <= BATCH_BYTES && this.spares.length > 0) return this.spares.pop() as Buffer;
    return Buffer.allocUnsafeSlow(Math.max(BATCH_BYTES, atLeast));
  }

  /** Keeps a batch buffer that has been encoded, to fill again (a few, of the usual size). */
  private keepSpare(buffer: Buffer): void {
    if (buffer.length === BATCH_BYTES && this.spares.length < MAX_SPARES) this.spares.push(buffer);
  }

  private sendBatch(batch: Batch): void {
    const data = batch.data.subarray(0, batch.bytes);
    const fail = (err: Error) => {
      for (const w of batch.waiters) w.reject(err);
    };
    if (this.failure) {
      fail(this.failure);
      return;
    }
    this.dispatch({ type: 'encode', data, lengths: batch.lengths }, [data.buffer as ArrayBuffer], {
      reject: fail,
      onReply: (reply) => {
        if (reply.kind !== 'encoded') {
          fail(reply.kind === 'error' ? workerError(reply) : new Error('unexpected reply to an encode job'));
          return true;
        }
        if (reply.spare) this.keepSpare(Buffer.from(reply.spare.buffer));
        resolveBatch(
          batch,
          Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength),
          reply.lengths,
        );
        return true;
      },
    });
  }

  /** Sends a job to the least loaded worker; `onReply` returns true on the job's last reply. */
  private dispatch(
    message: Record<string, unknown>,
    transfer: ArrayBuffer[] | undefined,
    handlers: { onReply: (reply: Reply) => boolean | undefined; reject: (err: Error) => void },
  ): number {
    if (this.workers.length === 0) this.start();
    let chosen = 0;
    for (let i = 1; i < this.load.length; i++) if ((this.load[i] ?? 0) < (this.load[chosen] ?? 0)) chosen = i;
    this.load[chosen] = (this.load[chosen] ?? 0) + 1;
    const job = this.nextJob++;
    this.jobs.set(job, {
      worker: chosen,
      reject: handlers.reject,
      onReply: (reply) => {
        if (handlers.onReply(reply)) this.finish(job);
      },
    });
    (this.workers[chosen] as Worker).postMessage({ ...message, job }, transfer ?? []);
    return chosen;
  }

  private finish(job: number): void {
    const j = this.jobs.get(job);
    if (!j) return;
    this.jobs.delete(job);
    this.load[j.worker] = (this.load[j.worker] ?? 1) - 1;
    this.pump();
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const control = new SharedArrayBuffer(8);
      const worker = startWorker(new URL('./seal-worker.ts', import.meta.url), {
        ...this.keys,
        control,
        creditLimit: CREDIT_LIMIT,
      });
      worker.on('message', (reply: Reply) => this.jobs.get(reply.job)?.onReply(reply));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing)
          this.fail(new Error(`a backup worker stopped unexpectedly (exit code ${code})`));
      });
      if (this.knownIds) worker.postMessage({ type: 'known', ids: this.knownIds });
      this.workers.push(worker);
      this.controls.push(new Int32Array(control));
      this.load.push(0);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const j of this.jobs.values()) j.reject(err);
    this.jobs.clear();
    for (const batch of this.queued.splice(0)) for (const w of batch.waiters) w.reject(err);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.abort();
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Hands each waiter of `batch` its stored blob: `stored` holds them back to back. */
function resolveBatch(batch: Batch, stored: Buffer, lengths: readonly number[]): void {
  let pos = 0;
  for (const [i, w] of batch.waiters.entries()) {
    const length = lengths[i] as number;
    w.resolve(stored.subarray(pos, pos + length));
    pos += length;
  }
}

function workerError(reply: { message: string; code?: string; name?: string }): Error {
  const err = new Error(reply.message) as NodeJS.ErrnoException;
  if (reply.code) err.code = reply.code;
  if (reply.name) err.name = reply.name;
  return err;
}
