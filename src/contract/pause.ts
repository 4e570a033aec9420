/**
 * The pause of scheduled backups in the contract: how `app.status` reports it, the choices of how
 * long to pause (the same, worded the same, in the tray, the Dashboard and the CLI) and when each
 * one ends. "Until I resume" is the explicit value `'resumed'` that `sources.pause` takes and the
 * catalog keeps as such, never a far-off date that someone would see and that would one day lapse.
 * Imports only zod: both sides use it.
 */
import { z } from 'zod';

/**
 * Scheduled backups held back, as the catalog has it: until a time (the pause that ends last), or
 * until someone resumes them (`until: null`); `folders` says whether every folder is paused.
 */
export const PauseState = z.object({ until: z.string().nullable(), folders: z.enum(['all', 'some']) });

/** The `until` of `sources.pause` that holds scheduled backups until someone resumes them. */
export const PAUSE_UNTIL_RESUMED = 'resumed';

export const PAUSE_CHOICES = [
  { id: '1h', label: 'For 1 hour' },
  { id: '4h', label: 'For 4 hours' },
  { id: 'tomorrow', label: 'Until tomorrow 08:00' },
  { id: '1w', label: 'For 1 week' },
  { id: 'resumed', label: 'Until I resume' },
] as const;

export type PauseChoice = (typeof PAUSE_CHOICES)[number]['id'];

const HOUR_MS = 3_600_000;

/**
 * The `until` to give `sources.pause` for a choice made at `now`: an ISO time (tomorrow is 08:00
 * local time the next day), or `'resumed'`.
 */
export function pauseUntilFor(choice: PauseChoice, now: Date): string {
  switch (choice) {
    case '1h':
      return new Date(now.getTime() + HOUR_MS).toISOString();
    case '4h':
      return new Date(now.getTime() + 4 * HOUR_MS).toISOString();
    case '1w':
      return new Date(now.getTime() + 7 * 24 * HOUR_MS).toISOString();
    case 'tomorrow': {
      const end = new Date(now);
      end.setDate(end.getDate() + 1);
      end.setHours(8, 0, 0, 0);
      return end.toISOString();
    }
    case 'resumed':
      return PAUSE_UNTIL_RESUMED;
  }
}
