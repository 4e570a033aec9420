/**
 * Keeps V8's young generation small in a process that runs the engine's pipelines.
 *
 * V8 grows a thread's young generation (where new objects live until they survive two
 * collections) up to 2 x 16 MiB whenever many objects survive, and a backup or a restore keeps
 * thousands of small objects alive for a while (pending writes, tree nodes, promises), so every
 * thread's young generation soon reaches its maximum and stays there. Growth factor 1 keeps it at
 * its initial size. Measured on the 1 GiB benchmark (docs/performance.md): peak RSS of a backup
 * 352-381 -> 308-324 MiB and of a restore 388-399 -> 289-329 MiB, for ~0.3 s more collection
 * work on the main thread, at the same speed.
 *
 * The flag is process-wide and takes effect from the call on, so the process entries call this
 * first. Starting a worker thread sets V8's flags again and undoes it (measured: the main
 * thread's young generation then grows to 32 MiB), so `startWorker` passes the request on and
 * each worker module calls `keepYoungGenerationSmallInWorker` first.
 */
import v8 from 'node:v8';
import { workerData } from 'node:worker_threads';

const FLAG = '--semi-space-growth-factor=1';
let requested = false;

export function keepYoungGenerationSmall(): void {
  requested = true;
  v8.setFlagsFromString(FLAG);
}

/** Whether this process asked for a small young generation (startWorker passes it on). */
export function youngGenerationKeptSmall(): boolean {
  return requested;
}

/** In a worker started by `startWorker`: sets the flag again if the process asked for it. */
export function keepYoungGenerationSmallInWorker(): void {
  if ((workerData as { keepYoungGenerationSmall?: boolean } | null)?.keepYoungGenerationSmall) {
    keepYoungGenerationSmall();
  }
}
