/**
 * A private build of the `cairn` command line, for the tests that run what ships (the CLI suite,
 * the torture run and its test): compiled with the project's build config (tsconfig.build.json)
 * and bundled as `npm run build` does (scripts/bundle-cli.mjs), into a folder of its own beside a
 * copy of bin/cairn.mjs and package.json, with node_modules linked. `npm run build` deletes and
 * rewrites the shared dist/, so a long run on it would break, and be broken by, any build at the
 * same time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { bundleCli } from './bundle-cli.mjs';

/** Builds into `dir` (created); returns the path of the `cairn` entry script to run with node. */
export async function buildPrivateCli(root, dir) {
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`compiling the CLI failed:\n${build.stdout}\n${build.stderr}`);
  await fs.copyFile(path.join(root, 'bin', 'cairn.mjs'), path.join(dir, 'bin', 'cairn.mjs'));
  await fs.copyFile(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  await fs.symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  await bundleCli(path.join(dir, 'dist'));
  return path.join(dir, 'bin', 'cairn.mjs');
}
