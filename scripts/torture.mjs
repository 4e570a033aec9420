#!/usr/bin/env node
/**
 * `npm run torture`: kills real `cairn` processes with SIGKILL at seeded moments and checks after
 * each kill that the repository is whole, every recovery point restores, the password works and
 * the next operation completes (scripts/torture/core.mjs). Prints a summary; exits 1 on a failure,
 * naming the seed and the step that reproduce it, and keeps the work folder for inspection.
 *
 * Usage: npm run torture -- [--seed N] [--kills N] [--scale full|short] [--keep] [--verbose]
 *   --seed    the run's seed (default: a random one, printed)
 *   --kills   processes to kill (default 200)
 *   --scale   size of the backed-up tree: full (default) or short (the one `npm test` uses)
 *   --keep    keep the work folder (repository, source, app data) even when all went well
 *   --verbose print every step
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTorture } from './torture/core.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function usage(message) {
  process.stderr.write(
    `torture: ${message}\nusage: npm run torture -- [--seed N] [--kills N] [--scale full|short] [--keep] [--verbose]\n`,
  );
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      seed: { type: 'string' },
      kills: { type: 'string' },
      scale: { type: 'string' },
      keep: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
  }));
} catch (err) {
  usage(err.message);
}
const whole = (name, text, fallback) => {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) usage(`--${name} must be a whole number (got "${text}")`);
  return Number(text);
};
const seed = whole('seed', values.seed, Math.floor(Math.random() * 2 ** 31));
const kills = whole('kills', values.kills, 200);
const scale = values.scale ?? 'full';
if (scale !== 'full' && scale !== 'short') usage(`--scale must be full or short (got "${scale}")`);

console.log(`torture: seed ${seed}, ${kills} kills, ${scale} tree (node ${process.version}, ${process.platform})`);
const summary = await runTorture({
  root: ROOT,
  seed,
  kills,
  scale,
  keep: values.keep,
  log: values.verbose ? (line) => console.log(`  ${line}`) : undefined,
});

const byKind = (counts) =>
  Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
console.log(`
seed:                 ${summary.seed}
kills:                ${summary.kills} (${byKind(summary.killsByKind)})
ended before the kill: ${byKind(summary.finishedBeforeKill)}
operations:           ${byKind(summary.operations)}
cairn processes:      ${Object.values(summary.processes).reduce((a, b) => a + b, 0)} (${byKind(summary.processes)})
verifications:        ${summary.verifications}
stale lock files met: ${summary.staleLocksSeen} (none may block the next operation)
steps:                ${summary.steps}
duration:             ${(summary.durationMs / 1000).toFixed(1)} s
failures:             ${summary.failures.length}`);
for (const f of summary.failures) {
  console.log(`\nFAILURE at ${f.message}`);
  console.log(`reproduce: npm run torture -- --seed ${summary.seed} --kills ${summary.kills + 1} --scale ${scale}`);
}
if (summary.workDir) console.log(`work folder kept: ${summary.workDir}`);
process.exitCode = summary.failures.length > 0 ? 1 : 0;
