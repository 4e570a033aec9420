import { describe, expect, it } from 'vitest';
import { bucketKey, isoWeek } from './buckets.js';

/** Independent ISO week: count whole weeks from the Monday of the week holding 4 January. */
function referenceIsoWeek(t: Date): { year: number; week: number } {
  const day = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  const weekOneMonday = (year: number) => {
    const jan4 = Date.UTC(year, 0, 4);
    return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
  };
  for (const year of [t.getUTCFullYear() + 1, t.getUTCFullYear(), t.getUTCFullYear() - 1]) {
    const start = weekOneMonday(year);
    if (day >= start) return { year, week: Math.floor((day - start) / (7 * 86_400_000)) + 1 };
  }
  throw new Error('unreachable');
}

describe('isoWeek', () => {
  it('places the year-boundary weeks correctly', () => {
    expect(isoWeek(new Date('2026-12-28T00:30:00Z'))).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(new Date('2027-01-03T22:00:00Z'))).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(new Date('2027-01-04T00:00:00Z'))).toEqual({ year: 2027, week: 1 });
    expect(isoWeek(new Date('2025-12-30T10:00:00Z'))).toEqual({ year: 2026, week: 1 });
    expect(isoWeek(new Date('2024-12-30T08:00:00Z'))).toEqual({ year: 2025, week: 1 });
    expect(isoWeek(new Date('2021-01-03T12:00:00Z'))).toEqual({ year: 2020, week: 53 });
  });

  it('agrees with an independent computation for every day of 1999–2041', () => {
    const mismatches: string[] = [];
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2042, 0, 1); t += 86_400_000) {
      const d = new Date(t + 13 * 3_600_000);
      const a = isoWeek(d);
      const b = referenceIsoWeek(d);
      if (a.year !== b.year || a.week !== b.week) mismatches.push(d.toISOString());
    }
    expect(mismatches).toEqual([]);
  });
});

describe('bucketKey', () => {
  it('uses UTC periods', () => {
    const t = new Date('2026-12-31T23:59:00-02:00'); // 2027-01-01T01:59Z
    expect(bucketKey('hourly', t)).toBe('2027-01-01-01');
    expect(bucketKey('daily', t)).toBe('2027-01-01');
    expect(bucketKey('weekly', t)).toBe('2026-W53');
    expect(bucketKey('monthly', t)).toBe('2027-01');
    expect(bucketKey('yearly', t)).toBe('2027');
  });
});
