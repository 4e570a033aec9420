import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import { MAX_FAILURES, sliceSize, VerificationTracker, verificationSettingKey } from './verification.js';

const DAY = 24 * 60 * 60 * 1000;
const START = Date.parse('2025-01-01T03:00:00.000Z');
const day = (n: number) => new Date(START + n * DAY);
const packIds = (count: number) => Array.from({ length: count }, (_, i) => i.toString(16).padStart(4, '0').repeat(16));

let tmp: string;
let catalog: Catalog;
let tracker: VerificationTracker;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-verification-'));
  catalog = Catalog.open(tmp);
  tracker = new VerificationTracker(catalog);
});
afterEach(async () => {
  catalog.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('sliceSize', () => {
  it('reads enough packs per run to cover all within the window, at least one', () => {
    expect(sliceSize(0, 30, 1)).toBe(0);
    expect(sliceSize(1, 30, 1)).toBe(1);
    expect(sliceSize(30, 30, 1)).toBe(1);
    expect(sliceSize(31, 30, 1)).toBe(2);
    expect(sliceSize(100, 30, 1)).toBe(4);
    expect(sliceSize(100, 30, 2)).toBe(2);
    expect(sliceSize(100, 7, 1)).toBe(15);
  });
});

describe('VerificationTracker', () => {
  it.each([
    [1, 30, 1],
    [7, 30, 1],
    [45, 30, 1],
    [100, 30, 1],
    [100, 7, 2],
    [301, 10, 3],
  ])('covers %i packs within a %i-day window at %i check(s) a day', (count, windowDays, checksPerDay) => {
    const all = packIds(count);
    const runs = windowDays * checksPerDay;
    const readAt = new Map<string, number[]>();
    // Two windows of simulated checks, every pack found intact.
    for (let run = 0; run < 2 * runs; run++) {
      const now = new Date(START + (run * DAY) / checksPerDay);
      const slice = tracker.planSlice('r', all, { windowDays, checksPerDay, now });
      expect(slice).toHaveLength(sliceSize(count, windowDays, checksPerDay));
      expect(new Set(slice).size).toBe(slice.length);
      for (const id of slice) readAt.set(id, [...(readAt.get(id) ?? []), run]);
      tracker.record('r', slice, [], now);
      if (run === runs - 1) {
        // By the end of the first window every pack has been read once.
        expect(readAt.size).toBe(count);
        const coverage = tracker.coverage('r', all, { windowDays, now });
        expect(coverage.verifiedShare).toBe(1);
        expect(coverage.neverVerified).toBe(0);
      }
    }
    // In steady state no pack waits longer than the window between two reads.
    for (const runsRead of readAt.values()) {
      for (let i = 1; i < runsRead.length; i++)
        expect((runsRead[i] as number) - (runsRead[i - 1] as number)).toBeLessThanOrEqual(runs);
    }
  });

  it('plans never-verified packs first, then the ones verified longest ago', () => {
    const [a, b, c, d, e] = packIds(5) as [string, string, string, string, string];
    tracker.record('r', [c], [], day(0));
    tracker.record('r', [a], [], day(1));
    tracker.record('r', [e], [], day(2));
    // windowDays 1 → all five at once, in order.
    expect(tracker.planSlice('r', [a, b, c, d, e], { windowDays: 1, now: day(3) })).toEqual([b, d, c, a, e]);
    expect(tracker.planSlice('r', [e, d, c, b, a], { windowDays: 3, now: day(3) })).toEqual([b, d]);
    tracker.record('r', [b, d], [], day(3));
    expect(tracker.planSlice('r', [a, b, c, d, e], { windowDays: 3, now: day(4) })).toEqual([c, a]);
  });

  it('reports the share verified within the window and the oldest stale verification', () => {
    const all = packIds(10);
    const empty = tracker.coverage('r', all, { now: day(0) });
    expect(empty).toEqual({
      windowDays: 30,
      verifiedShare: 0,
      packsTotal: 10,
      packsVerified: 0,
      oldestUnverifiedSince: null,
      neverVerified: 10,
      lastFailure: null,
    });
    tracker.record('r', all.slice(0, 2), [], day(0));
    tracker.record('r', all.slice(2, 3), [], day(5));
    tracker.record('r', all.slice(3, 9), [], day(20));
    const now = day(32);
    const coverage = tracker.coverage('r', all, { windowDays: 30, now });
    expect(coverage.packsVerified).toBe(7);
    expect(coverage.verifiedShare).toBeCloseTo(0.7);
    expect(coverage.neverVerified).toBe(1);
    expect(coverage.oldestUnverifiedSince).toBe(day(0).toISOString());
    const wider = tracker.coverage('r', all, { windowDays: 40, now });
    expect(wider.packsVerified).toBe(9);
    expect(wider.oldestUnverifiedSince).toBeNull();
    expect(tracker.coverage('r', [], { now }).verifiedShare).toBe(1);
    // Other repositories are kept apart.
    expect(tracker.coverage('other', all, { now }).neverVerified).toBe(10);
  });

  it('records failures, keeps the last ones, and does not count damaged packs as verified', () => {
    const [good, bad] = packIds(2) as [string, string];
    tracker.record('r', [good], [{ object: `pack ${bad.slice(0, 12)}`, message: 'damaged' }], day(0));
    const coverage = tracker.coverage('r', [good, bad], { now: day(0) });
    expect(coverage.packsVerified).toBe(1);
    expect(coverage.lastFailure).toEqual({
      at: day(0).toISOString(),
      problems: [{ object: `pack ${bad.slice(0, 12)}`, message: 'damaged' }],
    });
    // The damaged pack stays first in line.
    expect(tracker.planSlice('r', [good, bad], { now: day(1) })).toEqual([bad]);
    // A pack verified earlier and found damaged later loses its verification.
    tracker.record('r', [bad], [], day(1));
    expect(tracker.coverage('r', [good, bad], { now: day(1) }).packsVerified).toBe(2);
    tracker.record('r', [], [{ object: `pack ${good.slice(0, 12)}`, message: 'damaged' }], day(1));
    expect(tracker.coverage('r', [good, bad], { now: day(1) }).packsVerified).toBe(1);
    expect(tracker.planSlice('r', [good, bad], { now: day(2) })).toEqual([good]);
    for (let i = 1; i <= MAX_FAILURES + 5; i++)
      tracker.record('r', [], [{ object: 'pack x', message: `failure ${i}` }], day(i));
    const failures = tracker.failures('r');
    expect(failures).toHaveLength(MAX_FAILURES);
    expect(failures[0]?.problems[0]?.message).toBe('failure 6');
    expect(tracker.coverage('r', [good, bad], { now: day(30) }).lastFailure?.problems[0]?.message).toBe(
      `failure ${MAX_FAILURES + 5}`,
    );
    // A successful verification keeps the failure history.
    tracker.record('r', [good, bad], [], day(31));
    expect(tracker.failures('r')).toHaveLength(MAX_FAILURES);
  });

  it('forgets packs that no longer exist', () => {
    const all = packIds(4);
    tracker.record('r', all, [], day(0));
    const stored = () =>
      Object.keys(catalog.getSetting<{ packs: object }>(verificationSettingKey('r'), { packs: {} }).packs);
    expect(stored()).toHaveLength(4);
    const remaining = all.slice(2);
    const coverage = tracker.coverage('r', remaining, { now: day(1) });
    expect(coverage.packsTotal).toBe(2);
    expect(coverage.verifiedShare).toBe(1);
    expect(stored().sort()).toEqual([...remaining].sort());
    tracker.record('r', [], [], day(2), [remaining[0] as string]);
    expect(stored()).toEqual([remaining[0]]);
    // A pack that reappears (same id) is treated as never verified.
    expect(tracker.coverage('r', all, { now: day(3) }).neverVerified).toBe(3);
  });

  it('ignores a malformed stored record and refuses a non-positive window', () => {
    catalog.setSetting(verificationSettingKey('r'), { packs: { a: 'not a date', b: 5 }, failures: 'x' });
    expect(tracker.coverage('r', ['a', 'b'], { now: day(0) }).neverVerified).toBe(2);
    expect(() => tracker.planSlice('r', ['a'], { windowDays: 0, now: day(0) })).toThrow(/windowDays/);
  });
});
