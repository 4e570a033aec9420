/**
 * How the repository services (opening, creating, keys) reach the privacy records
 * (src/app/privacy): the caller hands over its records and how it reports a record that could not
 * be written. Such a failure never fails the operation, which did happen; it is reported instead
 * (the CLI prints a warning, the app writes to its log). The CLI opens the records only when a
 * service first needs them, so a command that records nothing creates nothing.
 */
import { describeError } from '../../engine/errors.js';
import type { AuditDetails } from '../privacy/audit-trail.js';
import { classifyOpenFailure, openIncidentForOpenFailure } from '../privacy/incidents.js';
import type { PrivacyRecords } from '../privacy/index.js';

export interface RepositoryRecords {
  /** The privacy records (audit trail, incidents, regions, consent), opened on first use. */
  privacy(): PrivacyRecords;
  /** Reports a record that could not be written. */
  warn(message: string): void;
  /** Told after an incident was opened or extended (the app tells its windows). */
  incidentsChanged?(): void;
}

/** Appends an audit entry; a failure is reported, not thrown. */
export function appendAudit(records: RepositoryRecords, action: string, details: AuditDetails): void {
  try {
    records.privacy().audit.append(action, details);
  } catch (err) {
    records.warn(`the audit trail entry ${action} could not be written: ${describeError(err)}`);
  }
}

/** Opening a repository failed: opens (or extends) an incident when it was an integrity failure. */
export function recordOpenFailure(
  records: RepositoryRecords,
  repository: { id: string | null; label: string; location: string },
  err: unknown,
): void {
  // A wrong password or a missing repository is no incident; the records are not even opened.
  if (!classifyOpenFailure(err)) return;
  try {
    if (openIncidentForOpenFailure(records.privacy().incidents, repository, err)) records.incidentsChanged?.();
  } catch (e) {
    records.warn(`could not record the incident: ${describeError(e)}`);
  }
}
