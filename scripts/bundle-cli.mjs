/**
 * Bundles the compiled command line (tsc's output in dist/src) into dist/cli/: `index.js`, the
 * `cairn` command with the engine, the server and the packages they use in one file, and beside
 * it one file per engine worker (`seal-worker.js`, `restore-worker.js`), which the engine starts
 * by path next to its own code (`new URL('./seal-worker.ts', import.meta.url)`, see
 * src/engine/util/workers.ts). Only better-sqlite3 stays an import (its native addon is found
 * through its package); @node-rs/argon2, zstd-napi, ssh2 (native parts) and the AWS SDK (CommonJS,
 * ~100 ms to load) are loaded with `createRequire` at run time, the last two only when a remote
 * location is used.
 * Modules that a command imports lazily stay lazy inside the bundle, so every command still
 * runs only the code it needs.
 *
 * Why: Node 20 loads ES modules one by one (resolve, read, compile, link), and a backup loaded
 * ~110 of ours on the main thread and ~10 more in each worker's fresh isolate. One file each
 * measured 0.2-0.3 CPU-seconds less for the same backup (256 MiB benchmark tree, alternating
 * builds: 2.65 -> 2.50 s; docs/performance.md).
 *
 * Usage: `node scripts/bundle-cli.mjs [DIST]` (default dist/), or import `bundleCli`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The entry points under dist/: the command line, then every worker the engine starts. */
const ENTRIES = ['src/cli/index.js', 'src/engine/backup/seal-worker.js', 'src/engine/restore/restore-worker.js'];

/** Writes dist/cli/ from the compiled entries under `distDir`; throws when one is missing or fails. */
export async function bundleCli(distDir) {
  const entryPoints = ENTRIES.map((entry) => path.join(distDir, entry));
  for (const file of entryPoints) {
    if (!existsSync(file)) throw new Error(`bundle-cli: ${file} is missing (compile with tsc first)`);
  }
  await build({
    entryPoints,
    outdir: path.join(distDir, 'cli'),
    entryNames: '[name]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  await bundleCli(path.resolve(process.argv[2] ?? path.join(root, 'dist')));
}
