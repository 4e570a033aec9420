/**
 * The axes of the growth chart: round byte values for the size axis (in the binary units the app
 * words sizes in: 0, 200 MiB, 400 MiB…, never 187.3 MiB), and labels for the recovery points
 * along the time axis that tell them apart (times of day when they all fall on one day, dates
 * otherwise, a date with its time where a day holds several points).
 */
import { formatBytes } from '../../contract/units.js';

const UNITS = [1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4, 1024 ** 5];

/** About `count` round values from 0 up to at least `max`, each with its words. */
export function byteTicks(max: number, count = 4): { value: number; label: string }[] {
  const top = Math.max(1, max);
  // The unit that `top` is at least one of (bytes, KiB, MiB…), then a step of 1, 2 or 5 × 10ⁿ of it.
  const unit = [...UNITS].reverse().find((u) => top >= u) ?? 1;
  const raw = top / unit / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude * unit;
  const ticks: { value: number; label: string }[] = [];
  for (let value = 0; ticks.length === 0 || ticks.at(-1)!.value < top; value += step) {
    ticks.push({ value, label: value === 0 ? '0' : roundLabel(value, unit) });
  }
  return ticks;
}

/** "200 MiB", "1.5 GiB": a tick's words without the trailing zeros formatBytes keeps. */
function roundLabel(value: number, unit: number): string {
  if (unit === 1) return formatBytes(value);
  const name = formatBytes(unit).split(' ')[1];
  const inUnit = value / unit;
  if (inUnit >= 1024) return formatBytes(value);
  return `${Number(inUnit.toFixed(2))} ${name}`;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const TIME_SECONDS = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const DATE = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const DATE_YEAR = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

function dayOf(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

/**
 * A label for each point (oldest first) that tells it apart from its neighbours: its time when
 * all are on one day; else its date, with the year when they span years, and with the time too
 * when another point shares its day; with seconds where two would still read the same, and
 * numbered where even those are equal.
 */
export function pointLabels(times: readonly string[]): string[] {
  const dates = times.map((t) => new Date(t));
  const days = dates.map(dayOf);
  const oneDay = new Set(days).size === 1;
  const years = new Set(dates.map((d) => d.getFullYear())).size > 1;
  const label = (date: Date, i: number, time: Intl.DateTimeFormat) => {
    if (Number.isNaN(date.getTime())) return times[i] ?? '';
    if (oneDay) return time.format(date);
    const day = (years ? DATE_YEAR : DATE).format(date);
    const shared = days.filter((d) => d === days[i]).length > 1;
    return shared ? `${day}, ${time.format(date)}` : day;
  };
  const labels = dates.map((date, i) => label(date, i, TIME));
  const finer = labels.map((text, i) =>
    labels.indexOf(text) !== labels.lastIndexOf(text) ? label(dates[i] as Date, i, TIME_SECONDS) : text,
  );
  // Points of the same second (a script's backups) are numbered: "10:02:05 (2)".
  const seen = new Map<string, number>();
  return finer.map((text) => {
    const n = (seen.get(text) ?? 0) + 1;
    seen.set(text, n);
    return n === 1 ? text : `${text} (${n})`;
  });
}

/**
 * Which of `count` points get a label under the axis, so that labels `minGap` apart fit in
 * `width`: always the first and the last, and evenly spaced ones between.
 */
export function labelledIndexes(count: number, width: number, minGap: number): number[] {
  if (count <= 0) return [];
  if (count === 1) return [0];
  const fit = Math.max(2, Math.floor(width / minGap));
  if (count <= fit) return Array.from({ length: count }, (_, i) => i);
  const every = (count - 1) / (fit - 1);
  return [...new Set(Array.from({ length: fit }, (_, k) => Math.round(k * every)))];
}
