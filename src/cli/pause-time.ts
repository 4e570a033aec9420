/**
 * How `cairn pause` reads when a pause ends: `--for` a duration (30m, 1h, 4h, 1d, 1w, or any whole
 * number of minutes, hours, days or weeks) and `--until` a time (14:30 meaning the next time the
 * clock shows it, "tomorrow" meaning 08:00 as in the tray and the Dashboard, a local date and time,
 * or ISO 8601 with its offset), and how it prints one, in local time. Whether the end is in the
 * future and within the longest pause is the shared rule's call (src/app/host/pause.ts).
 */
import { CairnError } from '../app/errors.js';
import { pauseUntilFor } from '../contract/pause.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** The end of a pause of `text` (e.g. "4h") from `now`, as an ISO time. */
export function pauseForEnd(text: string, now: Date): string {
  const match = /^(\d{1,6})([mhdw])$/i.exec(text.trim());
  const unit = match ? UNIT_MS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) === 0) {
    throw new CairnError(
      'invalid-argument',
      `--for takes a duration such as 30m, 1h, 4h, 1d or 1w: a whole number and m, h, d or w (got "${text}")`,
    );
  }
  return new Date(now.getTime() + Number(match[1]) * unit).toISOString();
}

/** A local date and time from its parts, or undefined when a part is out of range (31 February). */
function localTime(y: number, mo: number, d: number, h: number, mi: number, s: number): Date | undefined {
  const date = new Date(y, mo - 1, d, h, mi, s);
  const same =
    date.getFullYear() === y &&
    date.getMonth() === mo - 1 &&
    date.getDate() === d &&
    date.getHours() === h &&
    date.getMinutes() === mi;
  return same ? date : undefined;
}

/** The end of a pause `--until text` from `now`, as an ISO time. */
export function pauseUntilEnd(text: string, now: Date): string {
  const value = text.trim();
  if (value.toLowerCase() === 'tomorrow') return pauseUntilFor('tomorrow', now);
  const clock = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (clock) {
    const today = localTime(
      now.getFullYear(),
      now.getMonth() + 1,
      now.getDate(),
      Number(clock[1]),
      Number(clock[2]),
      0,
    );
    if (today) {
      // A time of day already past today means tomorrow's.
      if (today.getTime() <= now.getTime()) today.setDate(today.getDate() + 1);
      return today.toISOString();
    }
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (local) {
    const [y, mo, d, h, mi, s] = local.slice(1).map((part) => Number(part ?? 0));
    const date = localTime(y ?? 0, mo ?? 0, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
    if (date) return date.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw new CairnError(
    'invalid-argument',
    `--until takes a time such as 14:30, tomorrow, "2026-12-01 08:00" or 2026-12-01T08:00:00Z (got "${text}")`,
  );
}

/** "2026-11-26 14:30" in local time. */
export function formatLocal(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
