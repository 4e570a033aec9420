#!/usr/bin/env node
/**
 * `npm run fuzz`: the long fuzzing run over every parser of repository bytes (test/fuzz/targets.ts;
 * `npm test` runs the same targets briefly in test/fuzz/parsers.test.ts).
 *
 *   npm run fuzz -- [--seed N] [--runs TOTAL] [--target TEXT] [--jobs N]
 *
 * --runs is the total number of inputs (default 1,000,000), shared equally among the targets;
 * --target keeps the targets whose name contains TEXT; --seed (default: random, printed) makes
 * the run repeatable; --jobs processes run targets side by side (default 2, one per core here).
 * Each process runs under a 512 MiB heap limit, and one that prints no progress for HANG_SECONDS
 * is killed and reported as a hang. Prints a summary per target (inputs, accepted, refused,
 * slowest input, largest single allocation) with the seed and duration; exits 1 on any finding.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HANG_SECONDS = 60;
const HEAP_MB = 512;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '1000000' },
    target: { type: 'string' },
    jobs: { type: 'string', default: '2' },
  },
});
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const total = Number(values.runs);
const jobs = Math.max(1, Number(values.jobs));
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(total) || total < 1) {
  console.error('usage: npm run fuzz -- [--seed N] [--runs TOTAL] [--target TEXT] [--jobs N]');
  process.exit(2);
}

/** The target names, from the targets module itself (so this list never goes out of date). */
async function targetNames() {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "import('./test/fuzz/targets.ts').then((m) => console.log(JSON.stringify(m.TARGETS.map((t) => t.name))))",
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  for await (const chunk of child.stdout) out += chunk;
  return JSON.parse(out);
}

/** Runs targets `indexes` in one child process; resolves to their results (a hang or crash becomes a finding). */
function runChild(indexes, perTarget, names) {
  return new Promise((resolve) => {
    const args = [
      `--max-old-space-size=${HEAP_MB}`,
      '--import',
      'tsx',
      'test/fuzz/run.ts',
      '--seed',
      String(seed),
      '--runs',
      String(perTarget),
      '--targets',
      indexes.join(','),
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const results = new Map();
    let current = indexes[0];
    let lastRuns = 0;
    let stderr = '';
    let timer;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stderr += `no progress for ${HANG_SECONDS} s after ${lastRuns} inputs: killed\n`;
        child.kill('SIGKILL');
      }, HANG_SECONDS * 1000);
    };
    watch();
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      watch();
      const event = JSON.parse(line);
      if (event.type === 'progress') {
        current = event.target;
        lastRuns = event.runs;
        return;
      }
      results.set(event.target, event);
      current = indexes[indexes.indexOf(event.target) + 1];
      lastRuns = 0;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (current !== undefined && !results.has(current)) {
        const why = stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${code ?? signal}`;
        results.set(current, {
          target: current,
          name: names[current],
          runs: lastRuns,
          finding: { message: `the fuzzing process stopped (${why})`, seed: seed + current },
        });
      }
      resolve([...results.values()]);
    });
  });
}

const MiB = 1024 * 1024;
const format = (n) => n.toLocaleString('en-US');

const started = Date.now();
const names = await targetNames();
const chosen = names
  .map((name, i) => ({ name, i }))
  .filter(({ name }) => !values.target || name.includes(values.target));
if (chosen.length === 0) {
  console.error(`no fuzz target matches "${values.target}"; targets: ${names.join('; ')}`);
  process.exit(2);
}
const perTarget = Math.ceil(total / chosen.length);
console.log(`fuzzing ${chosen.length} targets, ${format(perTarget)} inputs each, seed ${seed}, ${jobs} processes`);
// Round-robin, so the slow targets (sealing, zstd) spread over the processes.
const groups = Array.from({ length: jobs }, (_, j) => chosen.filter((_, k) => k % jobs === j).map(({ i }) => i));
const results = (await Promise.all(groups.filter((g) => g.length > 0).map((g) => runChild(g, perTarget, names))))
  .flat()
  .sort((a, b) => a.target - b.target);
const seconds = (Date.now() - started) / 1000;

console.log('');
console.log(
  'target                                                     inputs   accepted    refused  slowest  largest alloc',
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(55).slice(0, 55)} ${format(r.runs).padStart(9)} ${format(r.accepted ?? 0).padStart(10)} ${format(r.refused ?? 0).padStart(10)} ${`${(r.slowestMs ?? 0).toFixed(1)} ms`.padStart(8)} ${`${((r.largestAllocation ?? 0) / MiB).toFixed(2)} MiB`.padStart(14)}`,
  );
}
const inputs = results.reduce((n, r) => n + r.runs, 0);
const peak = Math.max(...results.map((r) => r.peakRss ?? 0));
const findings = results.filter((r) => r.finding);
console.log('');
console.log(
  `${format(inputs)} inputs in ${seconds.toFixed(1)} s (${format(Math.round(inputs / seconds))}/s), seed ${seed}, peak RSS ${Math.round(peak / MiB)} MiB per process, ${new Date().toISOString().slice(0, 10)}`,
);
for (const r of findings) {
  console.log(`\nFINDING in ${r.name}: ${r.finding.message}`);
  if (r.finding.counterexample) console.log(`  input: ${r.finding.counterexample.slice(0, 2000)}`);
  console.log(
    `  replay: npm run fuzz -- --seed ${seed} --target "${r.name}" (fast-check seed ${r.finding.seed}, path ${r.finding.path ?? '-'})`,
  );
}
console.log(findings.length === 0 ? '\nno findings' : `\n${findings.length} finding(s)`);
process.exit(findings.length === 0 ? 0 : 1);
