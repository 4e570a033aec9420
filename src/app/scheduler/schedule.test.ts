// Daily times and cron fields are local time; the tests pin the zone to UTC so they mean the same
// everywhere (no module reads the zone at import time, so setting it here is early enough).
process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { CairnError } from '../../engine/errors.js';
import { missedRun, nextRun, type Schedule, validateSchedule } from './schedule.js';

const at = (iso: string): Date => new Date(iso);

function validationMessage(schedule: Schedule): string {
  try {
    validateSchedule(schedule, at('2024-03-01T12:00:00Z'));
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('invalid-argument');
    return (err as Error).message;
  }
  throw new Error('expected the schedule to be rejected');
}

describe('validateSchedule', () => {
  it('accepts valid schedules of every kind', () => {
    expect(() => validateSchedule({ kind: 'interval', minutes: 5 })).not.toThrow();
    expect(() => validateSchedule({ kind: 'daily', times: ['02:30', '9:05', '23:59', '00:00'] })).not.toThrow();
    expect(() => validateSchedule({ kind: 'cron', expression: '*/15 * * * *' })).not.toThrow();
    expect(() => validateSchedule({ kind: 'cron', expression: '@daily' })).not.toThrow();
  });

  it('rejects intervals under 5 minutes or not whole', () => {
    expect(validationMessage({ kind: 'interval', minutes: 4 })).toMatch(/at least 5 minutes \(got 4\)/);
    expect(validationMessage({ kind: 'interval', minutes: 7.5 })).toMatch(/whole number of minutes/);
    expect(validationMessage({ kind: 'interval', minutes: Number.NaN })).toMatch(/whole number/);
  });

  it('rejects daily schedules without times or with malformed times', () => {
    expect(validationMessage({ kind: 'daily', times: [] })).toMatch(/at least one time of day/);
    expect(validationMessage({ kind: 'daily', times: ['02:30', '24:00'] })).toMatch(/"24:00" is not a time of day/);
    expect(validationMessage({ kind: 'daily', times: ['12:60'] })).toMatch(/"12:60"/);
    expect(validationMessage({ kind: 'daily', times: ['noon'] })).toMatch(/HH:MM/);
  });

  it('rejects cron expressions croner cannot parse, that never fire, or that fire too often', () => {
    expect(validationMessage({ kind: 'cron', expression: 'every day' })).toMatch(
      /"every day" is not a valid cron expression: .*five or six/,
    );
    expect(validationMessage({ kind: 'cron', expression: '61 * * * *' })).toMatch(/minute: 61/);
    expect(validationMessage({ kind: 'cron', expression: '0 0 30 2 *' })).toMatch(/never matches a date/);
    expect(validationMessage({ kind: 'cron', expression: '* * * * *' })).toMatch(/more often than every 5 minutes/);
    expect(validationMessage({ kind: 'cron', expression: '0,2 * * * *' })).toMatch(/more often/);
    expect(validationMessage({ kind: 'cron', expression: '  ' })).toMatch(/needs an expression/);
  });

  it('rejects unknown kinds', () => {
    expect(validationMessage({ kind: 'weekly' } as unknown as Schedule)).toMatch(/unknown schedule kind "weekly"/);
  });
});

describe('nextRun', () => {
  it('interval: lastRun + N minutes, or `after` when never run', () => {
    const s: Schedule = { kind: 'interval', minutes: 90 };
    expect(nextRun(s, at('2024-03-01T12:00:00Z'), at('2024-03-01T11:00:00Z'))).toEqual(at('2024-03-01T12:30:00Z'));
    expect(nextRun(s, at('2024-03-01T12:00:00Z'))).toEqual(at('2024-03-01T12:00:00Z'));
    // A missed slot lies in the past; the caller decides to catch up.
    expect(nextRun(s, at('2024-03-02T00:00:00Z'), at('2024-03-01T11:00:00Z'))).toEqual(at('2024-03-01T12:30:00Z'));
  });

  it('daily: the next listed local time strictly after `after`, in any listed order', () => {
    const s: Schedule = { kind: 'daily', times: ['18:00', '02:30'] };
    expect(nextRun(s, at('2024-03-01T01:00:00Z'))).toEqual(at('2024-03-01T02:30:00Z'));
    expect(nextRun(s, at('2024-03-01T02:30:00Z'))).toEqual(at('2024-03-01T18:00:00Z'));
    expect(nextRun(s, at('2024-03-01T18:00:00.001Z'))).toEqual(at('2024-03-02T02:30:00Z'));
    // Across a month end.
    expect(nextRun(s, at('2024-02-29T19:00:00Z'))).toEqual(at('2024-03-01T02:30:00Z'));
  });

  it('cron: croner’s next match strictly after `after`', () => {
    const s: Schedule = { kind: 'cron', expression: '0 */6 * * *' };
    expect(nextRun(s, at('2024-03-01T05:59:59Z'))).toEqual(at('2024-03-01T06:00:00Z'));
    expect(nextRun(s, at('2024-03-01T06:00:00Z'))).toEqual(at('2024-03-01T12:00:00Z'));
    expect(nextRun({ kind: 'cron', expression: '30 2 * * 1' }, at('2024-03-01T00:00:00Z'))).toEqual(
      at('2024-03-04T02:30:00Z'), // 2024-03-01 is a Friday; the next Monday is the 4th
    );
  });
});

describe('missedRun', () => {
  const daily: Schedule = { kind: 'daily', times: ['02:00'] };

  it('is true when a slot fell between lastRun and now', () => {
    expect(missedRun(daily, at('2024-03-01T02:00:00Z'), at('2024-03-02T08:00:00Z'))).toBe(true);
    expect(missedRun(daily, at('2024-03-01T02:00:00Z'), at('2024-03-02T02:00:00Z'))).toBe(true);
    expect(missedRun({ kind: 'interval', minutes: 60 }, at('2024-03-01T10:00:00Z'), at('2024-03-01T11:00:00Z'))).toBe(
      true,
    );
    expect(
      missedRun({ kind: 'cron', expression: '0 * * * *' }, at('2024-03-01T10:00:00Z'), at('2024-03-01T11:30:00Z')),
    ).toBe(true);
  });

  it('is false when no slot passed, or when the source never ran', () => {
    expect(missedRun(daily, at('2024-03-01T02:00:00Z'), at('2024-03-02T01:59:59Z'))).toBe(false);
    expect(missedRun({ kind: 'interval', minutes: 60 }, at('2024-03-01T10:00:00Z'), at('2024-03-01T10:59:00Z'))).toBe(
      false,
    );
    expect(missedRun(daily, undefined, at('2024-03-02T08:00:00Z'))).toBe(false);
  });
});
