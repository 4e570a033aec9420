import { describe, expect, it } from 'vitest';
import { byteTicks, labelledIndexes, pointLabels } from './chart-axes.js';

const MiB = 1024 ** 2;

describe('byteTicks', () => {
  it('gives round values in binary units from 0 up to at least the largest', () => {
    expect(byteTicks(750 * MiB).map((t) => t.label)).toEqual(['0', '200 MiB', '400 MiB', '600 MiB', '800 MiB']);
    expect(byteTicks(1.9 * MiB).map((t) => t.label)).toEqual(['0', '0.5 MiB', '1 MiB', '1.5 MiB', '2 MiB']);
    expect(byteTicks(3000).map((t) => t.label)).toEqual(['0', '1 KiB', '2 KiB', '3 KiB']);
  });

  it('reaches the largest value and starts at zero', () => {
    for (const max of [1, 999, 4096, 123_456_789, 5.5 * 1024 ** 4]) {
      const ticks = byteTicks(max);
      expect(ticks[0]?.value).toBe(0);
      expect(ticks.at(-1)?.value).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(7);
    }
  });
});

describe('pointLabels', () => {
  it('tells points of one day apart by their time', () => {
    const labels = pointLabels(['2026-12-08T09:00:00', '2026-12-08T13:30:00']);
    expect(labels[0]).not.toBe(labels[1]);
    expect(labels[1]).toMatch(/13:30|1:30/);
  });

  it('adds seconds where two points fall in one minute', () => {
    const labels = pointLabels(['2026-12-08T09:00:05', '2026-12-08T09:00:40', '2026-12-08T10:00:00']);
    expect(new Set(labels).size).toBe(3);
    expect(labels[0]).toMatch(/05/);
    expect(labels[2]).not.toMatch(/:00:00/);
  });

  it('numbers points of the same second', () => {
    const labels = pointLabels(['2026-12-08T09:00:05.100', '2026-12-08T09:00:05.900', '2026-12-08T09:00:05.950']);
    expect(new Set(labels).size).toBe(3);
    expect(labels[1]).toBe(`${labels[0]} (2)`);
  });

  it('uses dates across days, adding the time where a day holds two points', () => {
    const labels = pointLabels(['2026-12-01T09:00:00', '2026-12-05T09:00:00', '2026-12-05T18:00:00']);
    expect(new Set(labels).size).toBe(3);
    expect(labels[0]).not.toMatch(/09:00|9:00/);
    expect(labels[1]).toMatch(/09:00|9:00/);
  });
});

describe('labelledIndexes', () => {
  it('labels every point that fits, else the first, the last and evenly spaced ones', () => {
    expect(labelledIndexes(3, 600, 80)).toEqual([0, 1, 2]);
    const many = labelledIndexes(30, 600, 80);
    expect(many[0]).toBe(0);
    expect(many.at(-1)).toBe(29);
    expect(many.length).toBe(7);
    expect(labelledIndexes(1, 600, 80)).toEqual([0]);
  });
});
