/**
 * The short fuzz run inside `npm test`: every target of targets.ts (each parser of repository
 * bytes, and the round trips of valid structures) on a few hundred generated inputs, with the
 * properties `checkInput` enforces. `npm run fuzz` runs the same targets on a million inputs.
 * The seed is fixed so a failure here reproduces; FUZZ_SEED picks another.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInput, emptyStats, TARGETS, trackAllocations, untrackAllocations } from './targets.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const RUNS = 300;

beforeAll(trackAllocations);
afterAll(untrackAllocations);

describe('fuzzing the parsers of repository bytes', () => {
  for (const [i, target] of TARGETS.entries()) {
    it(`${target.name}: ${RUNS} inputs keep every property`, () => {
      const stats = emptyStats();
      fc.assert(
        fc.property(target.input, (input) => checkInput(target, input, stats)),
        { seed: SEED + i, numRuns: RUNS },
      );
      expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
      // A target whose every input is refused (or accepted) exercises only one side of its parser.
      if (target.phase === 'round trip') expect(stats.accepted).toBe(stats.runs);
      else expect(stats.refused).toBeGreaterThan(0);
    });
  }
});
