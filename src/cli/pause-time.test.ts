// Local times are read in the process's zone; pinned so the cases mean the same everywhere (no
// module reads the zone at import time, so setting it here is early enough).
process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import { formatLocal, pauseForEnd, pauseUntilEnd } from './pause-time.js';

// Thursday 26 November 2026, 12:00 in Berlin (UTC+1).
const now = new Date('2026-11-26T11:00:00Z');

describe('cairn pause --for', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(pauseForEnd('30m', now)).toBe('2026-11-26T11:30:00.000Z');
    expect(pauseForEnd('1h', now)).toBe('2026-11-26T12:00:00.000Z');
    expect(pauseForEnd('4H', now)).toBe('2026-11-26T15:00:00.000Z');
    expect(pauseForEnd('1d', now)).toBe('2026-11-27T11:00:00.000Z');
    expect(pauseForEnd('1w', now)).toBe('2026-12-03T11:00:00.000Z');
    expect(pauseForEnd('36h', now)).toBe('2026-11-27T23:00:00.000Z');
  });

  it('refuses anything else, saying what it takes', () => {
    for (const bad of ['', '0h', '1', 'h', '1.5h', '1y', '-1h', '1h30m', 'an hour']) {
      expect(() => pauseForEnd(bad, now), bad).toThrow(/--for takes a duration such as 30m, 1h/);
    }
  });
});

describe('cairn pause --until', () => {
  it('reads a clock time as the next time the clock shows it', () => {
    expect(pauseUntilEnd('14:30', now)).toBe('2026-11-26T13:30:00.000Z');
    // 09:00 has passed today: tomorrow's.
    expect(pauseUntilEnd('09:00', now)).toBe('2026-11-27T08:00:00.000Z');
    expect(pauseUntilEnd('12:00', now)).toBe('2026-11-27T11:00:00.000Z');
  });

  it('reads tomorrow as 08:00, a local date and time, and ISO 8601 with an offset', () => {
    expect(pauseUntilEnd('tomorrow', now)).toBe('2026-11-27T07:00:00.000Z');
    expect(pauseUntilEnd('2026-12-01 08:00', now)).toBe('2026-12-01T07:00:00.000Z');
    expect(pauseUntilEnd('2026-12-01T08:00:30', now)).toBe('2026-12-01T07:00:30.000Z');
    expect(pauseUntilEnd('2026-12-01T08:00:00Z', now)).toBe('2026-12-01T08:00:00.000Z');
    expect(pauseUntilEnd('2026-12-01T08:00:00+05:00', now)).toBe('2026-12-01T03:00:00.000Z');
  });

  it('refuses what is not a time, or a day that does not exist', () => {
    for (const bad of ['soon', '25:00', '14:60', '2026-02-30 08:00', '2026-12-01', '1/12/2026 08:00', '']) {
      expect(() => pauseUntilEnd(bad, now), bad).toThrow(/--until takes a time such as 14:30, tomorrow/);
    }
  });

  it('prints an end in local time', () => {
    expect(formatLocal('2026-12-01T07:00:00.000Z')).toBe('2026-12-01 08:00');
  });
});
