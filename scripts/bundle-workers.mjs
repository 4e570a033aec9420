/**
 * Makes each engine worker in a compiled dist/ one self-contained file: its compiled module is
 * replaced in place by an esbuild bundle of it and the engine modules it imports (packages,
 * native addons and Node's own modules stay imports). The workers are started by path
 * (`new URL('./seal-worker.ts', import.meta.url)`, see src/engine/util/workers.ts), so nothing
 * else changes.
 *
 * Why: a worker thread starts with a fresh V8 isolate and ES module loader, and loading its ~10
 * engine modules one by one was on the critical path of every backup (256 MiB benchmark tree,
 * 8 alternating reps: 2.62 -> 2.52 s; docs/performance.md).
 *
 * Usage: `node scripts/bundle-workers.mjs [DIST]` (default dist/), or import `bundleWorkers`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Every worker entry of the engine, relative to dist/. */
export const WORKER_ENTRIES = ['src/engine/backup/seal-worker.js', 'src/engine/restore/restore-worker.js'];

/** Bundles each worker entry under `distDir` in place; throws when one is missing or fails. */
export async function bundleWorkers(distDir) {
  for (const entry of WORKER_ENTRIES) {
    const file = path.join(distDir, entry);
    if (!existsSync(file)) throw new Error(`bundle-workers: ${file} is missing (compile with tsc first)`);
    await build({
      entryPoints: [file],
      outfile: file,
      allowOverwrite: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  await bundleWorkers(path.resolve(process.argv[2] ?? path.join(root, 'dist')));
}
