/**
 * Starts the engine's worker threads from JavaScript (the bundles in dist/cli, or tsc's output in
 * dist/src): the worker file next to the caller's own, with `.js` for `.ts`. Or, when the engine
 * runs from its TypeScript sources (tests, tsx), through a small bootstrap that registers tsx
 * inside the worker first. Each worker module calls `keepYoungGenerationSmallInWorker` first
 * (young-generation.ts).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { youngGenerationKeptSmall } from './young-generation.js';

/** `moduleUrl`: the URL of the worker module written as `.ts` next to its caller, e.g. new URL('./x-worker.ts', import.meta.url). */
export function startWorker(moduleUrl: URL, workerData: Record<string, unknown>): Worker {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const data = { ...workerData, keepYoungGenerationSmall: youngGenerationKeptSmall() };
  if (fromSource) {
    return new Worker(new URL('./worker-dev.mjs', import.meta.url), {
      workerData: { ...data, script: fileURLToPath(moduleUrl) },
    });
  }
  return new Worker(new URL(moduleUrl.href.replace(/\.ts$/, '.js')), { workerData: data });
}
