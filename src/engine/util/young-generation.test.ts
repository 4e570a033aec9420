/**
 * keepYoungGenerationSmall must stop V8 from growing the young generation in the process that
 * calls it: many surviving objects grow it to 2 x 16 MiB otherwise. Runs in child processes,
 * because the flag changes the whole process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const moduleUrl = new URL('./young-generation.ts', import.meta.url).href;
const workersUrl = new URL('./workers.ts', import.meta.url).href;

/**
 * The largest young generation (MiB) a child reaches while keeping 400,000 small objects alive;
 * with `withWorker`, after starting a worker thread the way the engine does (its module calls
 * keepYoungGenerationSmallInWorker first, then says it is ready).
 */
function peakYoungGenerationMiB(tuned: boolean, withWorker = false): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-young-'));
  const workerFile = path.join(dir, 'worker.mjs');
  writeFileSync(
    workerFile,
    `import { parentPort } from 'node:worker_threads';
    import { keepYoungGenerationSmallInWorker } from ${JSON.stringify(moduleUrl)};
    keepYoungGenerationSmallInWorker();
    parentPort.postMessage('ready');`,
  );
  const script = `
    import v8 from 'node:v8';
    import { once } from 'node:events';
    import { pathToFileURL } from 'node:url';
    import { keepYoungGenerationSmall } from ${JSON.stringify(moduleUrl)};
    import { startWorker } from ${JSON.stringify(workersUrl)};
    if (${tuned}) keepYoungGenerationSmall();
    let worker;
    if (${withWorker}) {
      worker = startWorker(pathToFileURL(${JSON.stringify(workerFile)}), {});
      await once(worker, 'message');
    }
    const kept = [];
    let peak = 0;
    for (let i = 0; i < 400000; i++) {
      kept.push({ i, name: 'entry ' + i });
      if (i % 1000 === 0) {
        const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
        peak = Math.max(peak, space.space_size);
      }
    }
    process.stdout.write(String(peak / 1048576));
    await worker?.terminate();
  `;
  try {
    const file = path.join(dir, 'child.mjs');
    writeFileSync(file, script);
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      encoding: 'utf8',
    });
    return Number(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('keepYoungGenerationSmall', () => {
  it('keeps the young generation at a few MiB where V8 would grow it', () => {
    const untuned = peakYoungGenerationMiB(false);
    const tuned = peakYoungGenerationMiB(true);
    expect(untuned).toBeGreaterThanOrEqual(16);
    expect(tuned).toBeLessThanOrEqual(8);
  });

  it('still holds after the engine starts a worker thread (which sets V8 flags again)', () => {
    expect(peakYoungGenerationMiB(true, true)).toBeLessThanOrEqual(8);
  });
});
