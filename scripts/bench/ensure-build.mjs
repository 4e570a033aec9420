/**
 * Makes sure dist/ holds a build of the current sources before a benchmark: runs `npm run build`
 * when dist/cli/index.js (the bundled command line) is missing or older than any source file the
 * build compiles.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The folders tsconfig.build.json compiles (its "include"), or ["src"] when it cannot be read. */
function buildInputs(root) {
  try {
    const config = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
    if (Array.isArray(config.include) && config.include.length > 0) return config.include;
  } catch {
    // fall through to the whole source tree
  }
  return ['src'];
}

/** Newest modification time (ms) among the non-test TypeScript files under `dir`; 0 if none. */
function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(m|c)?tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Why dist/ needs a (re)build, or null when it is up to date. */
export function staleReason(root) {
  const entry = path.join(root, 'dist', 'cli', 'index.js');
  if (!existsSync(entry)) return 'dist/cli/index.js is missing';
  const built = statSync(entry).mtimeMs;
  const configs = ['tsconfig.json', 'tsconfig.build.json'].map((f) => path.join(root, f)).filter((f) => existsSync(f));
  const newest = Math.max(
    ...buildInputs(root).map((dir) => newestSource(path.join(root, dir))),
    ...configs.map((f) => statSync(f).mtimeMs),
  );
  return newest > built ? 'sources changed since the last build' : null;
}

/** Runs `npm run build` if needed; throws with a user-facing message when the build fails. */
export function ensureBuilt(root, log) {
  const reason = staleReason(root);
  if (!reason) {
    log('build: dist/ is up to date');
    return;
  }
  log(`build: ${reason}; running npm run build`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.error) throw new Error(`could not run npm run build: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`npm run build failed (exit ${result.status ?? result.signal}); fix the errors above and rerun`);
  }
}
