/**
 * Retention buckets — the calendar period a recovery point falls in, for the hourly, daily,
 * weekly, monthly and yearly rules. All periods are computed in UTC so a policy gives the same
 * answer on every machine whatever its time zone (restic uses the snapshot's own zone).
 */

export type BucketRule = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** ISO 8601 week-numbering year and week (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(t: Date): { year: number; week: number } {
  const dayFromMonday = (t.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() - dayFromMonday + 3));
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const dayOfYear = Math.round((thursday.getTime() - jan1) / 86_400_000);
  return { year, week: Math.floor(dayOfYear / 7) + 1 };
}

/** The bucket key of `t` for a rule: "YYYY-MM-DD-HH", "YYYY-MM-DD", "YYYY-Www", "YYYY-MM" or "YYYY". */
export function bucketKey(rule: BucketRule, t: Date): string {
  const y = pad(t.getUTCFullYear(), 4);
  const m = pad(t.getUTCMonth() + 1);
  const d = pad(t.getUTCDate());
  switch (rule) {
    case 'hourly':
      return `${y}-${m}-${d}-${pad(t.getUTCHours())}`;
    case 'daily':
      return `${y}-${m}-${d}`;
    case 'weekly': {
      const w = isoWeek(t);
      return `${pad(w.year, 4)}-W${pad(w.week)}`;
    }
    case 'monthly':
      return `${y}-${m}`;
    case 'yearly':
      return y;
  }
}
