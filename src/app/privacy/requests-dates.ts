/**
 * The calendar rules of the requests register (GDPR Art. 12(3)): a request is answered within one
 * month of receipt, extendable by two further months (three in all). A month is counted as the
 * EU counts periods (Regulation 1182/71, Art. 3(2)(c)): it ends on the same day of the month it
 * ends in, or on that month's last day when it has no such day — received 31 January, due 28 (or
 * 29) February; received 30 November, extended, due 28 (or 29) February. Dates are calendar dates
 * (YYYY-MM-DD) in the computer's local time: a deadline is a day, not an instant.
 */
import { CairnError } from '../../engine/errors.js';

export const ANSWER_WITHIN_MONTHS = 1;
export const EXTENDED_MONTHS = 3;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Parses a calendar date; anything else (or a day that does not exist) is a clear error. */
export function parseDate(text: string, what = 'the date'): { year: number; month: number; day: number } {
  const m = DATE.exec(text.trim());
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  if (!m || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new CairnError(
      'invalid-argument',
      `${what} "${text}" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31`,
    );
  }
  return { year, month, day };
}

/** `date` plus `months` calendar months, clamped to the last day of the month it lands in. */
export function addMonths(date: string, months: number): string {
  const { year, month, day } = parseDate(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const mo = (index % 12) + 1;
  return `${pad(y, 4)}-${pad(mo)}-${pad(Math.min(day, daysInMonth(y, mo)))}`;
}

/** The local calendar date of an instant. */
export function localDate(at: Date): string {
  return `${pad(at.getFullYear(), 4)}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const a = parseDate(from);
  const b = parseDate(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}
