/**
 * The incident register by hand (GDPR Art. 33, 34), as `cairn incident open|close` and the app
 * (`incidents.open`/`close`) do it: opening one with what is known (its 72-hour clock runs from
 * when the user became aware of it), and closing one with the measures taken and the notification
 * status. Integrity failures open incidents on their own elsewhere (check, verification, opening
 * a repository). Both are audited by the register itself.
 */

import { CairnError } from '../../engine/errors.js';
import type { IncidentView, NotificationStatus, PrivacyRecords } from '../privacy/index.js';

export { type IncidentView, NOTIFICATION_STATUSES, type NotificationStatus } from '../privacy/index.js';

export interface ManualIncident {
  title: string;
  /** The repository it concerns, if one. */
  repositoryId?: string | null;
  finding?: string;
  /** When the user became aware of it (default: now). */
  awareAt?: Date;
  dataCategories?: string[];
  measures?: string[];
  /** The data was encrypted under keys that stayed secret (default true). */
  encryptedUnderSecretKeys?: boolean;
}

/** Opens an incident by hand (a new one each time: manual incidents are never merged). */
export function openIncidentByHand(records: PrivacyRecords, input: ManualIncident): IncidentView {
  if (input.awareAt && Number.isNaN(input.awareAt.getTime())) {
    throw new CairnError('invalid-argument', 'the time the incident became known is not a date and time');
  }
  return records.incidents.open({
    kind: 'manual',
    title: input.title,
    repositoryId: input.repositoryId ?? null,
    finding: input.finding,
    awareAt: input.awareAt,
    dataCategories: input.dataCategories,
    measures: input.measures,
    encryptedUnderSecretKeys: input.encryptedUnderSecretKeys,
  }).incident;
}

/** Closes an incident; measures must be recorded by then (given now or before). */
export function closeIncident(
  records: PrivacyRecords,
  id: string,
  change: { measures?: string[]; notification?: NotificationStatus; encryptedUnderSecretKeys?: boolean },
): IncidentView {
  return records.incidents.update(id, {
    measures: change.measures ?? [],
    notification: change.notification,
    encryptedUnderSecretKeys: change.encryptedUnderSecretKeys,
    close: true,
  });
}
