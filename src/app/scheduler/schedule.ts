/**
 * Backup schedules of one source: what they look like, how they are validated, and when they
 * next fire. Pure functions of dates; the Scheduler (scheduler.ts) decides what to run.
 *
 * Times of a `daily` schedule and fields of a `cron` expression are in the local time zone of
 * the process (process.env.TZ), which is what a person setting "every day at 02:00" means.
 */
import { Cron } from 'croner';
import { CairnError } from '../../engine/errors.js';

export type Schedule =
  | { kind: 'interval'; minutes: number }
  | { kind: 'daily'; times: string[] /* "HH:MM", local time */ }
  | { kind: 'cron'; expression: string };

/** No schedule may fire more often than this: a backup every few seconds only burns the disk. */
export const MIN_INTERVAL_MINUTES = 5;

const MINUTE_MS = 60_000;
const TIME_PATTERN = /^(\d{1,2}):(\d{2})$/;
/** How many upcoming runs of a cron expression are checked against MIN_INTERVAL_MINUTES. */
const CRON_GAP_SAMPLE = 50;

function invalid(message: string): CairnError {
  return new CairnError('invalid-argument', message);
}

/** Parses "HH:MM" (24-hour clock, "9:05" also accepted) into hours and minutes, or undefined. */
function parseTime(text: string): { hours: number; minutes: number } | undefined {
  const match = TIME_PATTERN.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return undefined;
  return { hours, minutes };
}

/** Parses a cron expression with croner (5 fields, or 6 with seconds first, or @nicknames). */
function parseCron(expression: string): Cron {
  try {
    // Without a callback croner only parses; nothing is scheduled.
    return new Cron(expression);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, '') : String(err);
    throw invalid(`"${expression}" is not a valid cron expression: ${detail}`);
  }
}

/**
 * Throws a CairnError ('invalid-argument') with a message fit for a user when `schedule` cannot
 * be used: intervals under 5 minutes, malformed or missing daily times, cron expressions croner
 * rejects, that never match a date, or that fire more often than every 5 minutes.
 */
export function validateSchedule(schedule: Schedule, now: Date = new Date()): void {
  const value = schedule as unknown;
  if (typeof value !== 'object' || value === null) throw invalid('a schedule is required');
  switch (schedule.kind) {
    case 'interval': {
      const { minutes } = schedule;
      if (typeof minutes !== 'number' || !Number.isInteger(minutes)) {
        throw invalid('the interval of a schedule must be a whole number of minutes');
      }
      if (minutes < MIN_INTERVAL_MINUTES) {
        throw invalid(`the interval of a schedule must be at least ${MIN_INTERVAL_MINUTES} minutes (got ${minutes})`);
      }
      return;
    }
    case 'daily': {
      const { times } = schedule;
      if (!Array.isArray(times) || times.length === 0) {
        throw invalid('a daily schedule needs at least one time of day ("HH:MM")');
      }
      for (const time of times) {
        if (typeof time !== 'string' || parseTime(time) === undefined) {
          throw invalid(`"${String(time)}" is not a time of day; use HH:MM on a 24-hour clock, e.g. "02:30"`);
        }
      }
      return;
    }
    case 'cron': {
      const { expression } = schedule;
      if (typeof expression !== 'string' || expression.trim() === '') {
        throw invalid('a cron schedule needs an expression, e.g. "0 2 * * *"');
      }
      const runs = parseCron(expression).nextRuns(CRON_GAP_SAMPLE, now);
      if (runs.length === 0) throw invalid(`the cron expression "${expression}" never matches a date`);
      for (let i = 1; i < runs.length; i++) {
        if (runs[i]!.getTime() - runs[i - 1]!.getTime() < MIN_INTERVAL_MINUTES * MINUTE_MS) {
          throw invalid(
            `the cron expression "${expression}" runs more often than every ${MIN_INTERVAL_MINUTES} minutes`,
          );
        }
      }
      return;
    }
    default:
      throw invalid(`unknown schedule kind "${String((value as { kind?: unknown }).kind)}"`);
  }
}

/** The first listed local time of day strictly after `after`. */
function nextDaily(times: string[], after: Date): Date {
  let best: Date | undefined;
  // Two days always contain the next listed time; the third covers a DST shift eating one.
  for (let dayOffset = 0; dayOffset <= 2; dayOffset++) {
    for (const text of times) {
      const time = parseTime(text);
      if (!time) throw invalid(`"${text}" is not a time of day; use HH:MM on a 24-hour clock, e.g. "02:30"`);
      const candidate = new Date(after.getTime());
      candidate.setDate(candidate.getDate() + dayOffset);
      candidate.setHours(time.hours, time.minutes, 0, 0);
      if (candidate.getTime() > after.getTime() && (!best || candidate.getTime() < best.getTime())) best = candidate;
    }
    if (best) return best;
  }
  throw invalid('a daily schedule needs at least one time of day ("HH:MM")');
}

/**
 * When `schedule` next fires.
 * - interval: `lastRun` + N minutes (which may lie before `after` when a run was missed), or
 *   `after` itself when the source never ran;
 * - daily: the first listed local time strictly after `after`;
 * - cron: croner's next match strictly after `after`.
 * Throws a CairnError when the schedule is invalid or a cron expression never fires again.
 */
export function nextRun(schedule: Schedule, after: Date, lastRun?: Date): Date {
  switch (schedule.kind) {
    case 'interval':
      return lastRun ? new Date(lastRun.getTime() + schedule.minutes * MINUTE_MS) : new Date(after.getTime());
    case 'daily':
      return nextDaily(schedule.times, after);
    case 'cron': {
      const next = parseCron(schedule.expression).nextRun(after);
      if (!next)
        throw invalid(`the cron expression "${schedule.expression}" never matches a date after ${after.toISOString()}`);
      return next;
    }
  }
}

/**
 * True when a scheduled time fell after `lastRun` and at or before `now`, i.e. a run was missed
 * (machine asleep or off, app closed) and one catch-up run is owed. A source that never ran has
 * nothing to catch up.
 */
export function missedRun(schedule: Schedule, lastRun: Date | undefined, now: Date): boolean {
  if (!lastRun) return false;
  return nextRun(schedule, lastRun, lastRun).getTime() <= now.getTime();
}
