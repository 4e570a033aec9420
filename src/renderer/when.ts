/** How the renderer words times ahead ("in 35 minutes"), calendar times, speeds and shares. */

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "now", "in 5 minutes", "in 3 hours", "in 2 days" (a time already past reads "now"). */
export function formatIn(iso: string, now: Date): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  if (!Number.isFinite(seconds)) return 'at an unknown time';
  if (seconds < 60) return 'now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${plural(minutes, 'minute')}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${plural(hours, 'hour')}`;
  return `in ${plural(Math.round(hours / 24), 'day')}`;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/**
 * A calendar time in the person's locale, the one absolute format of the app: "Tue 8 Dec 2026,
 * 01:20" (en-GB), "Tue, Dec 8, 2026, 01:20 AM" (en-US). Every absolute time on screen goes through here.
 */
export function formatDateTime(iso: string | number): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return DATE_TIME.format(date);
}

/** 0.973 → "97%"; never rounds a share below 1 up to 100%. */
export function formatShare(share: number): string {
  const percent = Math.floor(share * 100);
  return `${share < 1 ? Math.min(percent, 99) : 100}%`;
}

/** A `<input type="datetime-local">` value for a Date, in local time: "2026-11-26T21:05". */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
