/** A source's schedule as form fields (text) and back, with the errors people can fix inline. */
import type { z } from 'zod';
import type { Schedule } from '../../contract/schemas.js';

export type ScheduleValue = z.output<typeof Schedule>;
export type ScheduleKind = 'none' | 'interval' | 'daily' | 'cron';

export interface ScheduleFields {
  kind: ScheduleKind;
  every: string;
  unit: 'minutes' | 'hours';
  times: string;
  expression: string;
}

export function fieldsFromSchedule(schedule: ScheduleValue | null): ScheduleFields {
  const base: ScheduleFields = { kind: 'none', every: '1', unit: 'hours', times: '02:00', expression: '0 2 * * *' };
  if (!schedule) return base;
  if (schedule.kind === 'interval') {
    const hours = schedule.minutes % 60 === 0;
    return {
      ...base,
      kind: 'interval',
      every: String(hours ? schedule.minutes / 60 : schedule.minutes),
      unit: hours ? 'hours' : 'minutes',
    };
  }
  if (schedule.kind === 'daily') return { ...base, kind: 'daily', times: schedule.times.join(', ') };
  return { ...base, kind: 'cron', expression: schedule.expression };
}

export function scheduleFromFields(fields: ScheduleFields): { schedule: ScheduleValue | null; error: string | null } {
  switch (fields.kind) {
    case 'none':
      return { schedule: null, error: null };
    case 'interval': {
      const every = fields.every.trim();
      if (!/^\d+$/.test(every) || Number(every) === 0) {
        return { schedule: null, error: 'Enter a whole number greater than 0.' };
      }
      const minutes = Number(every) * (fields.unit === 'hours' ? 60 : 1);
      if (minutes < 5) return { schedule: null, error: 'Backups can run at most every 5 minutes.' };
      return { schedule: { kind: 'interval', minutes }, error: null };
    }
    case 'daily': {
      const times = fields.times
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      if (times.length === 0) return { schedule: null, error: 'Enter at least one time of day, such as 02:30.' };
      return { schedule: { kind: 'daily', times }, error: null };
    }
    case 'cron': {
      const expression = fields.expression.trim();
      if (expression === '') return { schedule: null, error: 'Enter a cron expression, such as 0 2 * * *.' };
      return { schedule: { kind: 'cron', expression }, error: null };
    }
  }
}
