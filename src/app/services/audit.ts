/**
 * The audit trail (GDPR Art. 5(2)) as `cairn audit list|verify` and the app (`audit.list`/`verify`)
 * read it: entries newest first, paged back by sequence number, and the verification of its hash
 * chain and head anchor, which names the first edited, removed, reordered or truncated entry
 * (docs/privacy.md says what that proves and what it does not).
 */

import type { AuditEntry, AuditVerifyResult, PrivacyRecords } from '../privacy/index.js';

export type { AuditEntry, AuditVerifyResult } from '../privacy/index.js';

/** Newest first; `before` pages back (entries with a smaller seq). */
export function listAuditEntries(
  records: PrivacyRecords,
  page: { limit?: number; before?: number } = {},
): AuditEntry[] {
  return records.audit.list(page);
}

/** Recomputes every hash and link and compares the end of the chain with the head anchor. */
export function verifyAuditTrail(records: PrivacyRecords): AuditVerifyResult {
  return records.audit.verify();
}
