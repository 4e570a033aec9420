/**
 * Redacting entries of the keyed audit trail (../audit-trail.ts): entries written before
 * erased paths were hashed name the path in their details. Each such entry's details are
 * replaced, every hash and mac from the first changed entry on is recomputed under the trail's
 * key, the head file rewritten, and a last entry `audit.redacted` records which entries changed,
 * the head hash before and the macs the rewritten entries had (`macsBefore`, from `from` on), so
 * the rewrite is itself on the record and the heads anchored in repositories before it still
 * match (../audit-anchors.ts). A trail that does not verify is left alone: rewriting it would
 * hide the damage `cairn audit verify` reports.
 */
import { describeError } from '../../../engine/errors.js';
import { type AuditDetails, type AuditEntry, type AuditTrail, GENESIS } from '../audit-trail.js';
import { readIfExists, withFileLock, writeFileAtomic } from '../files.js';

export interface RedactionOutcome {
  /** Sequence numbers of the entries whose details were replaced. */
  redacted: number[];
  /** What went wrong (the trail does not verify, so nothing was redacted; or its record is missing), else null. */
  problem: string | null;
}

/**
 * Replaces the details of every entry for which `replace` returns new details, then appends
 * `audit.redacted` with `reason`. Nothing changes when no entry needs it.
 */
export function redactAuditEntries(
  trail: AuditTrail,
  replace: (entry: AuditEntry) => AuditDetails | undefined,
  reason: string,
): RedactionOutcome {
  const needed = trail.entries().some((e) => replace(e) !== undefined);
  if (!needed) return { redacted: [], problem: null };
  const verified = trail.verify();
  if (!verified.ok) {
    return { redacted: [], problem: `the audit trail does not verify (${verified.problem?.message ?? 'unknown'})` };
  }
  let headBefore = '';
  let from = 0;
  const macsBefore: string[] = [];
  const redacted = withFileLock(trail.dir, 'audit', () => {
    const text = readIfExists(trail.file) ?? '';
    const entries = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as AuditEntry);
    headBefore = entries.at(-1)?.hash ?? '';
    const changed: number[] = [];
    let prev: { hash: string; mac: string } | undefined;
    for (let i = 0; i < entries.length; i++) {
      let entry = entries[i] as AuditEntry;
      const details = replace(entry);
      if (details !== undefined) {
        entry.details = JSON.parse(JSON.stringify(details)) as AuditDetails;
        if (changed.length === 0) from = entry.seq;
        changed.push(entry.seq);
      }
      if (changed.length > 0) {
        macsBefore.push(entry.mac);
        if (prev !== undefined) entry.prev = prev.hash;
        entry = trail.seal(entry, prev?.mac ?? GENESIS);
        entries[i] = entry;
      }
      prev = { hash: entry.hash, mac: entry.mac };
    }
    if (changed.length === 0) return changed;
    writeFileAtomic(trail.file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    trail.writeHead(entries.at(-1) as AuditEntry);
    return changed;
  });
  if (redacted.length > 0) {
    try {
      trail.append('audit.redacted', { entries: redacted, reason, headBefore, from, macsBefore });
    } catch (err) {
      // The rewrite stands and verifies; only its own record is missing, which the caller reports.
      return {
        redacted,
        problem: `the entries were redacted but "audit.redacted" could not be added: ${describeError(err)}`,
      };
    }
  }
  return { redacted, problem: null };
}
