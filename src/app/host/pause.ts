/**
 * Pausing scheduled backups, the rules the app (`sources.pause`) and `cairn pause` share: sets or
 * clears the pause of the chosen sources in the catalog (every source, those of one repository, or
 * a list), either until a time in the future and within a year, or until someone resumes them,
 * which the catalog keeps as such; and reads back a source's pause and the app's pause as they
 * hold now (a pause whose time has passed is none). The process that runs the scheduler refreshes
 * it after a change, and picks up a change made by another process (scheduled-backups.ts).
 * Manual backups ("Back up now") are not affected.
 */

import type { z } from 'zod';
import { PAUSE_UNTIL_RESUMED, type PauseState } from '../../contract/pause.js';
import { CairnError } from '../../engine/errors.js';
import type { Catalog, SourceRecord } from '../catalog/catalog.js';

/** The longest timed pause: beyond that a person means "until I resume" or "turn the schedule off". */
export const MAX_PAUSE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PauseRequest {
  /** ISO 8601 time the pause ends; 'resumed' pauses until resumed; null resumes. */
  until: string | null;
  repositoryId?: string | undefined;
  sourceIds?: number[] | undefined;
}

/** The time a pause ends, normalised to UTC ISO; throws 'invalid-argument' when it cannot be used. */
export function pauseEnd(until: string, now: Date): string {
  const ms = Date.parse(until);
  if (Number.isNaN(ms)) throw new CairnError('invalid-argument', `"${until}" is not a date and time`);
  if (ms <= now.getTime()) {
    throw new CairnError('invalid-argument', 'the pause must end in the future; choose a later time');
  }
  if (ms - now.getTime() > MAX_PAUSE_DAYS * DAY_MS) {
    throw new CairnError(
      'invalid-argument',
      `a pause can last at most ${MAX_PAUSE_DAYS} days; to hold scheduled backups longer, pause them until you resume them`,
    );
  }
  return new Date(ms).toISOString();
}

/** What the catalog keeps for a requested `until`, checked first. */
function pauseFields(until: string | null, now: Date): Pick<SourceRecord, 'pausedUntil' | 'pausedUntilResumed'> {
  if (until === null) return { pausedUntil: null, pausedUntilResumed: false };
  if (until === PAUSE_UNTIL_RESUMED) return { pausedUntil: null, pausedUntilResumed: true };
  return { pausedUntil: pauseEnd(until, now), pausedUntilResumed: false };
}

/** Sets (or clears) the pause of the chosen sources and returns them as updated. */
export function pauseSources(catalog: Catalog, request: PauseRequest, now = new Date()): SourceRecord[] {
  const fields = pauseFields(request.until, now);
  if (request.repositoryId !== undefined && !catalog.getRepository(request.repositoryId)) {
    throw new CairnError('not-found', `there is no repository ${request.repositoryId} in this app`);
  }
  let sources = catalog.listSources(request.repositoryId);
  if (request.sourceIds) {
    const missing = request.sourceIds.filter((id) => !sources.some((s) => s.id === id));
    if (missing.length > 0) throw new CairnError('not-found', `there is no source ${missing.join(', ')}`);
    const wanted = new Set(request.sourceIds);
    sources = sources.filter((s) => wanted.has(s.id));
  }
  if (sources.length === 0) {
    throw new CairnError('invalid-argument', 'there are no folders whose backups could be paused: add one first');
  }
  return sources.map((s) => catalog.updateSource(s.id, fields));
}

/** A timed pause as the contract shows it: the end time while it lies ahead, else null. */
export function activePause(pausedUntil: string | null, now = new Date()): string | null {
  if (!pausedUntil) return null;
  const ms = Date.parse(pausedUntil);
  return Number.isNaN(ms) || ms <= now.getTime() ? null : pausedUntil;
}

/** A source's pause as it holds at `now`: its end time, 'resumed', or null (none, or it has ended). */
export function sourcePause(
  source: Pick<SourceRecord, 'pausedUntil' | 'pausedUntilResumed'>,
  now = new Date(),
): string | null {
  return source.pausedUntilResumed ? PAUSE_UNTIL_RESUMED : activePause(source.pausedUntil, now);
}

/**
 * The app's pause (`app.status`): null when no source is paused; else until the pause that ends
 * last (null when one lasts until resumed), and whether every source is paused or only some.
 */
export function pauseSummary(sources: SourceRecord[], now = new Date()): z.output<typeof PauseState> | null {
  const pauses = sources.map((s) => sourcePause(s, now)).filter((p): p is string => p !== null);
  if (pauses.length === 0) return null;
  const until = pauses.includes(PAUSE_UNTIL_RESUMED) ? null : (pauses.sort().at(-1) ?? null);
  return { until, folders: pauses.length === sources.length ? 'all' : 'some' };
}
