/**
 * Giving and withdrawing consent (GDPR Art. 7) as `cairn consent give|withdraw` and the app
 * (`consent.set`) do it: the change goes to the consent ledger (and so the audit trail) with the
 * notice version it was given under, and its effects follow at once — withdrawing usage
 * statistics deletes everything not yet sent; withdrawing the backup purpose stops scheduled
 * backups (the app and `cairn serve` read the ledger before each one) and offers erasure, while
 * the recovery points already stored stay until they are erased.
 */

import type { Actor } from '../privacy/audit-trail.js';
import type { ConsentRecord, ConsentState, PrivacyRecords } from '../privacy/index.js';
import { noticeFor, type Purpose } from '../privacy/notices.js';

export type { ConsentRecord, ConsentState } from '../privacy/index.js';
export { isPurpose, noticeFor, PURPOSES, type Purpose } from '../privacy/notices.js';

export interface ConsentChange {
  record: ConsentRecord;
  state: ConsentState;
  /** The notice the consent was given or withdrawn under. */
  notice: ReturnType<typeof noticeFor>;
  /** Usage statistics not yet sent were deleted. */
  usageDiscarded: boolean;
  /** The backup purpose was withdrawn: scheduled backups stop, and erasure is offered. */
  offerErasure: boolean;
}

/** Gives or withdraws one purpose (throws CairnError 'invalid-argument' for an unknown one). */
export function setConsent(records: PrivacyRecords, purpose: Purpose, given: boolean, via: Actor): ConsentChange {
  const record = records.consent.set(purpose, given, via);
  const usageDiscarded = purpose === 'usage-statistics' && !given;
  if (usageDiscarded) records.usage.discard();
  return {
    record,
    state: records.consent.state(purpose),
    notice: noticeFor(purpose),
    usageDiscarded,
    offerErasure: purpose === 'backup' && !given,
  };
}
