/**
 * What one weekly usage report holds, and nothing more: the ISO week (no finer time), the app's
 * major.minor version, the operating-system family, and three counters, each as one bucket of a
 * small fixed set — backups and restores that week, and the largest backup's size. No identifier
 * of the installation, the user or the computer exists in it. Before sending, every counter goes
 * through randomised response (randomised-response.ts, ε = ln 3 each), so a single report does not
 * tell its real buckets. The buckets and ε are documented in docs/privacy.md.
 */
import {
  defaultRandomInt,
  EPSILON,
  flipProbability,
  keepProbability,
  ODDS,
  type RandomInt,
  randomise,
} from './randomised-response.js';

export const COUNT_BUCKETS = ['0', '1-5', '6-20', '21-100', '>100'] as const;
export type CountBucket = (typeof COUNT_BUCKETS)[number];

export const SIZE_BUCKETS = ['none', '<1MiB', '1-100MiB', '100MiB-1GiB', '1-10GiB', '10-100GiB', '>=100GiB'] as const;
export type SizeBucket = (typeof SIZE_BUCKETS)[number];

/** Each counter and the buckets it reports in. */
export const COUNTERS = { backups: COUNT_BUCKETS, restores: COUNT_BUCKETS, largestBackup: SIZE_BUCKETS } as const;
export type CounterName = keyof typeof COUNTERS;

export type OsFamily = 'windows' | 'macos' | 'linux' | 'other';

export interface UsagePayload {
  schema: 2;
  /** ISO 8601 week, UTC: "2026-W49". */
  week: string;
  /** major.minor only. */
  appVersion: string;
  osFamily: OsFamily;
  backups: CountBucket;
  restores: CountBucket;
  largestBackup: SizeBucket;
}

/** One week's counts as kept on this computer (never sent as they are). */
export interface WeekCounters {
  week: string;
  backups: number;
  restores: number;
  /** The largest backup of the week in bytes, or null when none ran. */
  largestBackupBytes: number | null;
}

const COUNT_LIMITS: [CountBucket, number][] = [
  ['0', 0],
  ['1-5', 5],
  ['6-20', 20],
  ['21-100', 100],
];

export function countBucket(n: number): CountBucket {
  for (const [name, limit] of COUNT_LIMITS) if (n <= limit) return name;
  return '>100';
}

const SIZE_LIMITS: [SizeBucket, number][] = [
  ['<1MiB', 2 ** 20],
  ['1-100MiB', 100 * 2 ** 20],
  ['100MiB-1GiB', 2 ** 30],
  ['1-10GiB', 10 * 2 ** 30],
  ['10-100GiB', 100 * 2 ** 30],
];

export function sizeBucket(bytes: number | null): SizeBucket {
  if (bytes === null) return 'none';
  for (const [name, limit] of SIZE_LIMITS) if (bytes < limit) return name;
  return '>=100GiB';
}

export function osFamily(platform: NodeJS.Platform = process.platform): OsFamily {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  if (platform === 'linux') return 'linux';
  return 'other';
}

/** "1.4.2-beta.1" → "1.4"; anything else → "unknown". */
export function coarseVersion(version: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}` : 'unknown';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The ISO 8601 week of `date` in UTC, e.g. "2026-W49" (weeks start on Monday). */
export function isoWeek(date: Date): string {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * DAY_MS); // the week belongs to its Thursday's year
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

export function isWeek(value: unknown): value is string {
  return typeof value === 'string' && WEEK_PATTERN.test(value);
}

/** The moment `week` ends: the next Monday, 00:00 UTC. */
export function weekEnd(week: string): Date {
  const m = WEEK_PATTERN.exec(week);
  if (!m) throw new Error(`"${week}" is not an ISO week`);
  const jan4 = Date.UTC(Number(m[1]), 0, 4); // always in week 1
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  return new Date(mondayOfWeek1 + Number(m[2]) * 7 * DAY_MS);
}

/** The report of one week with the true buckets (what the Privacy screen shows as "before randomising"). */
export function truePayload(counters: WeekCounters, appVersion: string, os: OsFamily = osFamily()): UsagePayload {
  return {
    schema: 2,
    week: counters.week,
    appVersion: coarseVersion(appVersion),
    osFamily: os,
    backups: countBucket(counters.backups),
    restores: countBucket(counters.restores),
    largestBackup: sizeBucket(counters.largestBackupBytes),
  };
}

/** The report as sent: every counter through randomised response; week, version and OS as they are. */
export function randomisedPayload(payload: UsagePayload, randomInt: RandomInt = defaultRandomInt): UsagePayload {
  return {
    ...payload,
    backups: randomise(payload.backups, COUNT_BUCKETS, randomInt),
    restores: randomise(payload.restores, COUNT_BUCKETS, randomInt),
    largestBackup: randomise(payload.largestBackup, SIZE_BUCKETS, randomInt),
  };
}

export interface UsagePrivacy {
  mechanism: string;
  /** ε of each counter (ln 3). */
  epsilonPerCounter: number;
  /** ε of a whole report: the counters' ε added up. */
  epsilonPerReport: number;
  /** Per counter: the chance the true bucket is sent, and the chance of each other bucket. */
  counters: Record<CounterName, { buckets: readonly string[]; keep: number; eachOther: number }>;
}

function counterPrivacy(buckets: readonly string[]) {
  return { buckets, keep: keepProbability(buckets.length), eachOther: flipProbability(buckets.length) };
}

/** How the counters are randomised, for the Privacy screen, the CLI and the records. */
export const USAGE_PRIVACY: UsagePrivacy = {
  mechanism: `k-ary randomised response, e^ε = ${ODDS} for every counter`,
  epsilonPerCounter: EPSILON,
  epsilonPerReport: EPSILON * Object.keys(COUNTERS).length,
  counters: {
    backups: counterPrivacy(COUNT_BUCKETS),
    restores: counterPrivacy(COUNT_BUCKETS),
    largestBackup: counterPrivacy(SIZE_BUCKETS),
  },
};
