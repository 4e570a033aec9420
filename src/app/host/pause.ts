/**
 * Pausing scheduled backups: sets or clears `pausedUntil` on the chosen sources in the catalog
 * (every source, those of one repository, or a list), after checking that the pause ends in the
 * future and within a year. The caller refreshes the scheduler, which holds back every run of a
 * paused source until the pause ends (a slot missed meanwhile runs once then). Manual backups
 * ("Back up now") are not affected.
 */

import { CairnError } from '../../engine/errors.js';
import type { Catalog, SourceRecord } from '../catalog/catalog.js';

/** The longest pause: beyond that a person means "turn the schedule off", which is a different act. */
export const MAX_PAUSE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PauseRequest {
  /** ISO 8601 time the pause ends; null resumes. */
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
      `a pause can last at most ${MAX_PAUSE_DAYS} days; to stop scheduled backups for longer, remove the schedule`,
    );
  }
  return new Date(ms).toISOString();
}

/** Sets (or clears) the pause of the chosen sources and returns them as updated. */
export function pauseSources(catalog: Catalog, request: PauseRequest, now = new Date()): SourceRecord[] {
  const end = request.until === null ? null : pauseEnd(request.until, now);
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
  return sources.map((s) => catalog.updateSource(s.id, { pausedUntil: end }));
}

/** A source's pause as the contract shows it: the end time while it lies ahead, else null. */
export function activePause(pausedUntil: string | null, now = new Date()): string | null {
  if (!pausedUntil) return null;
  const ms = Date.parse(pausedUntil);
  return Number.isNaN(ms) || ms <= now.getTime() ? null : pausedUntil;
}
