/**
 * Frees the memory of large dead buffers in the pipelines' worker threads soon after a job.
 *
 * A worker receives whole packs (restore) and makes megabyte-sized buffers per chunk. V8 frees a
 * buffer's memory only when a collection finds its small JavaScript object dead, and it
 * schedules collections by the size of its own heap, which on these threads stays tiny: a
 * buffer that lived through the job's young-generation collections waits for a full one that
 * rarely comes, so dead packs pile up (measured: ~100 MiB on a 1 GiB restore). After every
 * RELEASE_EVERY bytes of jobs, `releaseAfterJob` runs a full collection at the next turn of the
 * event loop, when the job's buffers are no longer referenced; on these small heaps it takes a
 * few milliseconds. Where the runtime refuses to expose the collector, this does nothing.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

const RELEASE_EVERY = 32 * 1024 * 1024;

let collect: (() => void) | undefined | null = null;
let sinceLast = 0;
let scheduled = false;

function collector(): (() => void) | undefined {
  if (collect === null) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('gc');
      collect = typeof gc === 'function' ? (gc as () => void) : undefined;
    } catch {
      collect = undefined;
    }
  }
  return collect;
}

/** Call when a job that held `bytes` of buffers has finished. */
export function releaseAfterJob(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < RELEASE_EVERY || scheduled) return;
  sinceLast = 0;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    collector()?.();
  });
}
