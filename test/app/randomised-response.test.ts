/**
 * Randomised response for usage statistics, driven by injected randomness so every assertion is
 * deterministic: the exact probabilities over every possible draw (the true bucket kept 3 times in
 * e^ε + k − 1, each other bucket once), the frequencies of one true value over many seeded reports,
 * and the receiver's estimator recovering a known distribution from many randomised reports.
 */
import { describe, expect, it } from 'vitest';
import {
  EPSILON,
  estimateShares,
  flipProbability,
  keepProbability,
  ODDS,
  randomise,
} from '../../src/app/privacy/randomised-response.js';
import { COUNT_BUCKETS, SIZE_BUCKETS, USAGE_PRIVACY } from '../../src/app/privacy/usage-payload.js';
import { seededRandomInt } from '../support/seeded-random.js';

describe('randomised response', () => {
  it('has ε = ln 3 per counter: the true bucket is exactly 3 times as likely as any other', () => {
    expect(EPSILON).toBeCloseTo(Math.log(3), 12);
    for (const k of [COUNT_BUCKETS.length, SIZE_BUCKETS.length]) {
      expect(keepProbability(k) / flipProbability(k)).toBeCloseTo(ODDS, 12);
      expect(keepProbability(k) + (k - 1) * flipProbability(k)).toBeCloseTo(1, 12);
    }
    expect(keepProbability(5)).toBeCloseTo(3 / 7, 12);
    expect(keepProbability(7)).toBeCloseTo(1 / 3, 12);
    expect(USAGE_PRIVACY.epsilonPerReport).toBeCloseTo(3 * Math.log(3), 12);
  });

  it('over every possible draw, keeps the true bucket e^ε times and gives each other bucket once', () => {
    for (const domain of [COUNT_BUCKETS, SIZE_BUCKETS]) {
      const space = ODDS + domain.length - 1;
      for (const truth of domain) {
        const outcomes = new Map<string, number>();
        for (let draw = 0; draw < space; draw++) {
          const reported = randomise(truth, domain, (max) => {
            expect(max).toBe(space);
            return draw;
          });
          outcomes.set(reported, (outcomes.get(reported) ?? 0) + 1);
        }
        // The true bucket: 3 of the 3 + k − 1 draws; not the true bucket: the other k − 1.
        expect(outcomes.get(truth)).toBe(ODDS);
        for (const other of domain.filter((d) => d !== truth)) expect(outcomes.get(other)).toBe(1);
      }
    }
  });

  it('a single report is not the true bucket with probability 4/7 (counts) — measured over seeded draws', () => {
    const random = seededRandomInt(42);
    const n = 70_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const r = randomise('6-20', COUNT_BUCKETS, random);
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    expect(1 - (counts.get('6-20') ?? 0) / n).toBeCloseTo(4 / 7, 2);
    for (const other of COUNT_BUCKETS.filter((b) => b !== '6-20')) {
      expect(Math.abs((counts.get(other) ?? 0) / n - 1 / 7)).toBeLessThan(0.006);
    }
  });

  it("the receiver's estimator recovers the true distribution from many randomised reports", () => {
    const truth: Record<(typeof SIZE_BUCKETS)[number], number> = {
      none: 0.1,
      '<1MiB': 0.05,
      '1-100MiB': 0.3,
      '100MiB-1GiB': 0.25,
      '1-10GiB': 0.2,
      '10-100GiB': 0.08,
      '>=100GiB': 0.02,
    };
    const n = 60_000;
    const population = SIZE_BUCKETS.flatMap((b) => Array<string>(Math.round(truth[b] * n)).fill(b));
    const random = seededRandomInt(7);
    const reports = population.map((v) => randomise(v, SIZE_BUCKETS, random));
    // The raw reports are far from the truth (that is the point)…
    const raw = reports.filter((r) => r === '1-100MiB').length / reports.length;
    expect(Math.abs(raw - truth['1-100MiB'])).toBeGreaterThan(0.05);
    // …the estimate is close to it.
    const estimate = estimateShares(reports as (typeof SIZE_BUCKETS)[number][], SIZE_BUCKETS);
    for (const b of SIZE_BUCKETS) expect(Math.abs(estimate[b] - truth[b])).toBeLessThan(0.025);
  });

  it('refuses a value outside the buckets', () => {
    expect(() => randomise('7', COUNT_BUCKETS as readonly string[])).toThrow(/not one of/);
  });
});
