/**
 * A pool of worker threads that encode blobs (zstd + AES-256-GCM). Chunks are transferred, not
 * copied, to the workers. Small blobs are encoded on the calling thread, where a message round
 * trip would cost more than the work.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodeBlob } from '../format/blob-codec.js';

const INLINE_LIMIT = 64 * 1024;

interface Pending {
  resolve: (stored: Buffer) => void;
  reject: (err: Error) => void;
}

export class SealPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly load: number[] = [];
  private nextJob = 0;
  private failure?: Error;
  private closing = false;

  constructor(
    private readonly dataKey: Buffer,
    private readonly size = Math.max(1, Math.min(4, os.availableParallelism())),
  ) {}

  /** Workers start on the first large blob, so a backup with nothing new to store starts none. */
  private start(): void {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith('.ts');
    const script = new URL(fromSource ? './seal-worker.ts' : './seal-worker.js', import.meta.url);
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(script, {
        workerData: { dataKey: this.dataKey },
        execArgv: fromSource ? ['--import', 'tsx'] : [],
      });
      worker.on('message', (msg: { job: number; stored?: Uint8Array; error?: string }) => {
        const p = this.pending.get(msg.job);
        if (!p) return;
        this.pending.delete(msg.job);
        this.load[i] = (this.load[i] ?? 1) - 1;
        if (msg.stored) p.resolve(Buffer.from(msg.stored.buffer, msg.stored.byteOffset, msg.stored.byteLength));
        else p.reject(new Error(`encoding a blob failed: ${msg.error}`));
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

  /** Encodes a blob; `plain` must not be used by the caller afterwards (its memory may move to a worker). */
  encode(plain: Uint8Array): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (plain.length <= INLINE_LIMIT || this.size === 0) {
      return Promise.resolve(encodeBlob(this.dataKey, plain));
    }
    if (this.workers.length === 0) this.start();
    let chosen = 0;
    for (let i = 1; i < this.load.length; i++) if ((this.load[i] ?? 0) < (this.load[chosen] ?? 0)) chosen = i;
    const worker = this.workers[chosen] as Worker;
    this.load[chosen] = (this.load[chosen] ?? 0) + 1;
    const job = this.nextJob++;
    const owned =
      plain.byteOffset === 0 && plain.byteLength === plain.buffer.byteLength && plain.buffer instanceof ArrayBuffer;
    const message = owned ? plain : new Uint8Array(plain);
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      worker.postMessage({ job, plain: message }, [message.buffer as ArrayBuffer]);
    });
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
