/**
 * One fuzzing process of `npm run fuzz` (scripts/fuzz.mjs starts it under tsx with a heap limit
 * and watches it): runs the named targets of targets.ts for the given number of inputs each and
 * writes one JSON line per event to stdout, which the parent reads: `progress` every
 * PROGRESS_EVERY inputs (so a parser that hangs shows as silence), then `result` per target with
 * its counts, slowest input, largest allocation, peak RSS and, on a finding, fast-check's
 * counterexample and the seed and path that replay it.
 *
 *   node --import tsx test/fuzz/run.ts --seed 42 --runs 50000 --targets 0,3,7
 */
import fc from 'fast-check';
import { checkInput, emptyStats, TARGETS, trackAllocations } from './targets.js';

const PROGRESS_EVERY = 5000;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const seed = Number(option('seed') ?? 0);
const runs = Number(option('runs') ?? 1000);
const chosen = (option('targets') ?? TARGETS.map((_, i) => i).join(',')).split(',').map(Number);

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

trackAllocations();
let peakRss = process.memoryUsage().rss;
for (const i of chosen) {
  const target = TARGETS[i];
  if (!target) throw new Error(`no fuzz target ${i}`);
  const stats = emptyStats();
  const started = performance.now();
  const details = fc.check(
    fc.property(target.input, (input) => {
      checkInput(target, input, stats);
      if (stats.runs % PROGRESS_EVERY === 0) {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        emit({ type: 'progress', target: i, runs: stats.runs });
      }
    }),
    // Each target has its own seed, so one target's run replays without the others.
    { seed: seed + i, numRuns: runs },
  );
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  emit({
    type: 'result',
    target: i,
    name: target.name,
    phase: target.phase,
    seconds: (performance.now() - started) / 1000,
    ...stats,
    peakRss,
    finding: details.failed
      ? {
          message:
            details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
          counterexample: fc.stringify(details.counterexample),
          seed: details.seed,
          path: details.counterexamplePath,
        }
      : undefined,
  });
}
