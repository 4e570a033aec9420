/**
 * Retention durations — the calendar spans a `within` rule uses, written like "2y5m7d3h"
 * (years, months, days, hours; the same notation as restic's `--keep-within`). Owns parsing,
 * the canonical text form, and stepping a time back by a duration in UTC calendar arithmetic.
 */

import { CairnError } from '../../engine/errors.js';

export interface RetentionDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

const UNITS = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;
type UnitLetter = keyof typeof UNITS;

/** Largest number accepted for one unit; far beyond any real retention span. */
const MAX_COMPONENT = 100_000;

function invalid(text: string, why: string): CairnError {
  return new CairnError(
    'invalid-argument',
    `invalid duration "${text}": ${why} (write numbers followed by y, m, d or h, for example "1y6m" or "7d12h")`,
  );
}

/** Parses "2y5m7d3h"-style text. Units (lower case) may appear in any order, each at most once; the total must be non-zero. */
export function parseDuration(text: string): RetentionDuration {
  if (typeof text !== 'string') throw invalid(String(text), 'a duration must be text');
  const trimmed = text.trim();
  if (trimmed === '') throw invalid(text, 'it is empty');
  const result: RetentionDuration = { years: 0, months: 0, days: 0, hours: 0 };
  const seen = new Set<string>();
  const token = /(\d+)([a-zA-Z]?)/y;
  let pos = 0;
  while (pos < trimmed.length) {
    token.lastIndex = pos;
    const match = token.exec(trimmed);
    if (!match) {
      const ch = trimmed[pos];
      if (ch === '-') throw invalid(text, 'negative numbers are not allowed');
      throw invalid(text, `expected a number at "${trimmed.slice(pos)}"`);
    }
    const digits = match[1] ?? '';
    const unit = match[2] ?? '';
    if (unit === '') {
      const next = trimmed[pos + digits.length];
      if (next === '.' || next === ',') throw invalid(text, 'only whole numbers are allowed');
      throw invalid(text, `no unit after the number ${digits}`);
    }
    if (!(unit in UNITS)) throw invalid(text, `unknown unit "${unit}" after the number ${digits}`);
    if (seen.has(unit)) throw invalid(text, `the unit "${unit}" appears more than once`);
    seen.add(unit);
    const value = Number(digits);
    if (value > MAX_COMPONENT) throw invalid(text, `${digits}${unit} is too large`);
    result[UNITS[unit as UnitLetter]] = value;
    pos = token.lastIndex;
  }
  if (result.years + result.months + result.days + result.hours === 0) {
    throw invalid(text, 'it must be longer than zero');
  }
  return result;
}

/** Canonical text form, e.g. { years: 1, months: 2 } → "1y2m". */
export function formatDuration(d: RetentionDuration): string {
  const parts: string[] = [];
  if (d.years) parts.push(`${d.years}y`);
  if (d.months) parts.push(`${d.months}m`);
  if (d.days) parts.push(`${d.days}d`);
  if (d.hours) parts.push(`${d.hours}h`);
  return parts.join('') || '0h';
}

/**
 * The instant `d` before `from`, in UTC calendar arithmetic like Go's `AddDate` (which restic
 * uses): years, months and days are subtracted together and the result normalised, so
 * 31 March minus 1 month is 3 March (there is no 31 February); hours are then subtracted as
 * exact hours.
 */
export function subtractDuration(from: Date, d: RetentionDuration): Date {
  const out = new Date(0);
  out.setUTCFullYear(from.getUTCFullYear() - d.years, from.getUTCMonth() - d.months, from.getUTCDate() - d.days);
  out.setUTCHours(from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds());
  return new Date(out.getTime() - d.hours * 3_600_000);
}
