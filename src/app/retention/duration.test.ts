import { describe, expect, it } from 'vitest';
import { CairnError } from '../../engine/errors.js';
import { formatDuration, parseDuration, subtractDuration } from './duration.js';

function parseError(text: string): CairnError {
  try {
    parseDuration(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('invalid-argument');
    return err as CairnError;
  }
  throw new Error(`parseDuration(${JSON.stringify(text)}) did not throw`);
}

describe('parseDuration', () => {
  it('reads every unit, in any order, with surrounding spaces', () => {
    expect(parseDuration('2y5m7d3h')).toEqual({ years: 2, months: 5, days: 7, hours: 3 });
    expect(parseDuration('30d')).toEqual({ years: 0, months: 0, days: 30, hours: 0 });
    expect(parseDuration(' 12h1y ')).toEqual({ years: 1, months: 0, days: 0, hours: 12 });
    expect(parseDuration('0y1m')).toEqual({ years: 0, months: 1, days: 0, hours: 0 });
  });

  it('refuses malformed text with a message naming the problem', () => {
    expect(parseError('').message).toMatch(/invalid duration "": it is empty/);
    expect(parseError('   ').message).toMatch(/it is empty/);
    expect(parseError('7').message).toMatch(/no unit after the number 7/);
    expect(parseError('d').message).toMatch(/expected a number at "d"/);
    expect(parseError('7x').message).toMatch(/unknown unit "x" after the number 7/);
    expect(parseError('7D').message).toMatch(/unknown unit "D"/);
    expect(parseError('-3d').message).toMatch(/negative numbers are not allowed/);
    expect(parseError('3d2d').message).toMatch(/the unit "d" appears more than once/);
    expect(parseError('1.5d').message).toMatch(/only whole numbers are allowed/);
    expect(parseError('0d').message).toMatch(/longer than zero/);
    expect(parseError('0y0h').message).toMatch(/longer than zero/);
    expect(parseError('999999y').message).toMatch(/999999y is too large/);
    expect(parseError('7 d').message).toMatch(/no unit after the number 7/);
  });
});

describe('formatDuration', () => {
  it('writes the canonical form', () => {
    expect(formatDuration(parseDuration('3h7d5m2y'))).toBe('2y5m7d3h');
    expect(formatDuration(parseDuration('0y2m'))).toBe('2m');
  });
});

describe('subtractDuration', () => {
  const iso = (t: Date) => t.toISOString();
  it('steps back calendar units together, then hours, in UTC', () => {
    const from = new Date('2027-01-10T09:15:00Z');
    expect(iso(subtractDuration(from, parseDuration('30d')))).toBe('2026-12-11T09:15:00.000Z');
    expect(iso(subtractDuration(from, parseDuration('1y2m')))).toBe('2025-11-10T09:15:00.000Z');
    expect(iso(subtractDuration(from, parseDuration('10h')))).toBe('2027-01-09T23:15:00.000Z');
  });

  it('normalises impossible dates the way Go AddDate does', () => {
    expect(iso(subtractDuration(new Date('2027-03-31T12:00:00Z'), parseDuration('1m')))).toBe(
      '2027-03-03T12:00:00.000Z',
    );
    expect(iso(subtractDuration(new Date('2024-02-29T00:00:00Z'), parseDuration('1y')))).toBe(
      '2023-03-01T00:00:00.000Z',
    );
  });

  it('handles spans reaching before year 100 without two-digit-year surprises', () => {
    expect(subtractDuration(new Date('2027-01-10T00:00:00Z'), parseDuration('2000y')).getUTCFullYear()).toBe(27);
  });
});
