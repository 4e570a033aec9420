/**
 * A pool of worker threads that encode blobs (zstd + AES-256-GCM) for backups.
 *
 * Large chunks go to a worker one by one, transferred without copying. Small blobs (most files
 * are small) are gathered into batches of up to BATCH_BYTES and sent together, so the message
 * cost is paid once per batch; a batch also leaves at the next turn of the event loop, so no
 * blob waits for company that never comes. Workers start on first use.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const SMALL_BLOB = 256 * 1024;
const BATCH_BYTES = 1024 * 1024;
const BATCH_COUNT = 256;

interface Pending {
  resolve: (stored: Buffer[]) => void;
  reject: (err: Error) => void;
  worker: number;
}

interface Batch {
  blobs: Uint8Array[];
  bytes: number;
  waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[];
}

export class SealPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly load: number[] = [];
  private nextJob = 0;
  private failure?: Error;
  private closing = false;
  private batch?: Batch;

  constructor(
    private readonly dataKey: Buffer,
    private readonly size = Math.max(1, Math.min(4, os.availableParallelism())),
  ) {}

  /** Encodes a blob. The caller must not touch `plain` afterwards (its memory may move to a worker). */
  encode(plain: Uint8Array): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (plain.length >= SMALL_BLOB) {
      const owned =
        plain.byteOffset === 0 && plain.byteLength === plain.buffer.byteLength && plain.buffer instanceof ArrayBuffer;
      return this.dispatch(owned ? plain : new Uint8Array(plain), [plain.length]).then((out) => out[0] as Buffer);
    }
    return new Promise<Buffer>((resolve, reject) => {
      if (!this.batch) {
        this.batch = { blobs: [], bytes: 0, waiters: [] };
        setImmediate(() => this.sendBatch());
      }
      const batch = this.batch;
      batch.blobs.push(plain);
      batch.bytes += plain.length;
      batch.waiters.push({ resolve, reject });
      if (batch.bytes >= BATCH_BYTES || batch.blobs.length >= BATCH_COUNT) this.sendBatch();
    });
  }

  private sendBatch(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    const data = new Uint8Array(batch.bytes);
    let at = 0;
    for (const b of batch.blobs) {
      data.set(b, at);
      at += b.length;
    }
    this.dispatch(
      data,
      batch.blobs.map((b) => b.length),
    ).then(
      (out) => {
        for (const [i, w] of batch.waiters.entries()) w.resolve(out[i] as Buffer);
      },
      (err: Error) => {
        for (const w of batch.waiters) w.reject(err);
      },
    );
  }

  private dispatch(data: Uint8Array, lengths: number[]): Promise<Buffer[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) this.start();
    let chosen = 0;
    for (let i = 1; i < this.load.length; i++) if ((this.load[i] ?? 0) < (this.load[chosen] ?? 0)) chosen = i;
    this.load[chosen] = (this.load[chosen] ?? 0) + 1;
    const job = this.nextJob++;
    return new Promise<Buffer[]>((resolve, reject) => {
      this.pending.set(job, { resolve, reject, worker: chosen });
      (this.workers[chosen] as Worker).postMessage({ job, data, lengths }, [data.buffer as ArrayBuffer]);
    });
  }

  private start(): void {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith('.ts');
    // From TypeScript sources (tests), a small bootstrap registers tsx inside the worker first.
    const script = new URL(fromSource ? './seal-worker-dev.mjs' : './seal-worker.js', import.meta.url);
    const workerScript = fileURLToPath(new URL('./seal-worker.ts', import.meta.url));
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(script, { workerData: { dataKey: this.dataKey, script: workerScript } });
      worker.on('message', (msg: { job: number; data?: Uint8Array; lengths?: number[]; error?: string }) => {
        const p = this.pending.get(msg.job);
        if (!p) return;
        this.pending.delete(msg.job);
        this.load[i] = (this.load[i] ?? 1) - 1;
        if (!msg.data || !msg.lengths) {
          p.reject(new Error(`encoding a blob failed: ${msg.error}`));
          return;
        }
        const whole = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
        const out: Buffer[] = [];
        let at = 0;
        for (const length of msg.lengths) {
          out.push(whole.subarray(at, at + length));
          at += length;
        }
        p.resolve(out);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing)
          this.fail(new Error(`an encoding worker stopped unexpectedly (exit code ${code})`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
