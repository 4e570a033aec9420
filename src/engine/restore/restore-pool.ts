/**
 * Worker threads that decode blobs and write them into restored files, one whole pack per job,
 * so decryption, decompression, verification and writing use both cores while the main thread
 * reads the next packs.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/workers.js';
import type { PackWrite } from './restore-worker.js';

export type { PackWrite };

export class RestorePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly jobs = new Map<
    number,
    { resolve: (e: { index: number; message: string }[]) => void; reject: (e: Error) => void; worker: number }
  >();
  private nextJob = 0;
  private closing = false;

  constructor(
    private readonly keys: { dataKey: Buffer; idKey: Buffer },
    readonly size = Math.max(1, Math.min(4, os.availableParallelism())),
  ) {}

  /**
   * Writes the given blobs of a pack; resolves to the failed writes. `pack` is the pack's bytes
   * (at least up to the end of the last blob written); their memory moves to the worker.
   */
  writePack(pack: Buffer, writes: PackWrite[]): Promise<{ index: number; message: string }[]> {
    if (this.workers.length === 0) this.start();
    let chosen = 0;
    for (let i = 1; i < this.load.length; i++) if ((this.load[i] ?? 0) < (this.load[chosen] ?? 0)) chosen = i;
    this.load[chosen] = (this.load[chosen] ?? 0) + 1;
    const job = this.nextJob++;
    const worker = this.workers[chosen] as Worker;
    return new Promise((resolve, reject) => {
      this.jobs.set(job, { resolve, reject, worker: chosen });
      const owned = pack.byteOffset === 0 && pack.byteLength === pack.buffer.byteLength ? pack : Buffer.from(pack);
      worker.postMessage({ job, pack: owned, writes }, [owned.buffer as ArrayBuffer]);
    });
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = startWorker(new URL('./restore-worker.ts', import.meta.url), { ...this.keys });
      worker.on('message', ({ job, errors }: { job: number; errors: { index: number; message: string }[] }) => {
        const j = this.jobs.get(job);
        if (!j) return;
        this.jobs.delete(job);
        this.load[i] = (this.load[i] ?? 1) - 1;
        j.resolve(errors);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing)
          this.fail(new Error(`a restore worker stopped unexpectedly (exit code ${code})`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  private fail(err: Error): void {
    for (const j of this.jobs.values()) j.reject(err);
    this.jobs.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
