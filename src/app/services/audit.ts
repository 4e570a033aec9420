/**
 * The audit trail (GDPR Art. 5(2)) as `cairn audit list|verify` and the app (`audit.list`/`verify`)
 * read it: entries newest first, paged back by sequence number, and the verification of its keyed
 * chain and head file, then of the heads anchored in the given (unlocked) repositories, which names
 * the first edited, forged, removed, reordered, truncated, deleted or recomputed entry
 * (docs/privacy.md says what that proves and what it does not).
 */

import { type AnchorCheck, type AnchorRepository, checkAnchor } from '../privacy/audit-anchors.js';
import type { AuditEntry, AuditVerifyResult, PrivacyRecords } from '../privacy/index.js';

export type { AnchorCheck, AnchorRepository } from '../privacy/audit-anchors.js';
export type { AuditEntry, AuditVerifyResult } from '../privacy/index.js';

export interface AuditVerification extends AuditVerifyResult {
  /** When this check ran (ISO time). */
  checkedAt: string;
  /** Where the chain's key is kept. */
  keyLocation: string;
  /** One per repository compared: its newest anchor of this trail and what the comparison found. */
  anchors: AnchorCheck[];
}

/** Newest first; `before` pages back (entries with a smaller seq). */
export function listAuditEntries(
  records: PrivacyRecords,
  page: { limit?: number; before?: number } = {},
): AuditEntry[] {
  return records.audit.list(page);
}

/**
 * Recomputes every hash, mac and link, compares the end of the chain with the head file, then
 * compares the trail with the newest anchor in each repository (all of them, so the answer says
 * what each one found). The first problem, the chain's own before any anchor's, decides.
 */
export async function verifyAuditTrail(
  records: PrivacyRecords,
  repositories: AnchorRepository[] = [],
  now: () => Date = () => new Date(),
): Promise<AuditVerification> {
  const local = records.audit.verify();
  const anchors: AnchorCheck[] = [];
  for (const repo of repositories) anchors.push(await checkAnchor(records.audit, repo));
  const problem = local.problem ?? anchors.find((a) => a.problem)?.problem ?? null;
  return {
    ...local,
    ok: problem === null,
    problem,
    checkedAt: now().toISOString(),
    keyLocation: records.audit.keyLocation(),
    anchors,
  };
}
