/**
 * What backing up, restoring and checking write to the privacy records besides audit entries
 * (those go through `appendAudit` of ./repository-records.ts, the records port all services
 * share): the anonymous usage counters, and incidents for the problems a check found. As with
 * every record, a failure to write one never fails the use case (the backup, restore or check
 * did happen): it is reported through the port's `warn`.
 */
import { describeError } from '../../engine/errors.js';
import { type IncidentView, openIncidentsForProblems } from '../privacy/incidents.js';
import type { PrivacyRecords } from '../privacy/index.js';
import type { RepositoryRecords } from './repository-records.js';

export type { IncidentView };

/** Counts a finished operation for the usage statistics (kept locally, sent only with consent). */
export function countUsage(records: RepositoryRecords, count: (usage: PrivacyRecords['usage']) => void): void {
  try {
    count(records.privacy().usage);
  } catch (err) {
    records.warn(`could not update the privacy records (usage statistics): ${describeError(err)}`);
  }
}

/**
 * Opens (or extends, one per kind) incidents for the problems a check or verification found;
 * returns them, or none when the register cannot be written.
 */
export function recordIntegrityProblems(
  records: RepositoryRecords,
  repository: { id: string; label: string },
  problems: { object: string; message: string }[],
  source: string,
): IncidentView[] {
  if (problems.length === 0) return [];
  try {
    const opened = openIncidentsForProblems(records.privacy().incidents, repository, problems, source);
    records.incidentsChanged?.();
    return opened;
  } catch (err) {
    records.warn(`could not update the privacy records (incident register): ${describeError(err)}`);
    return [];
  }
}
