/**
 * The consent ledger (GDPR Art. 7): an append-only JSON-lines file `consent.jsonl`, one record per
 * change — purpose, the version and SHA-256 of the notice text shown, given or withdrawn, when,
 * and how (app or CLI). The current state of a purpose is its last record. Optional purposes are
 * off until given; the backup purpose counts as given unless it was withdrawn (setting up a
 * backup is the user's instruction, recorded by the set-up itself). Every change is also an
 * audit-trail entry.
 */
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import type { Actor, AuditTrail } from './audit-trail.js';
import { appendDurable, readIfExists, withFileLock } from './files.js';
import { isPurpose, isRecordedPurpose, noticeFor, PURPOSES, type Purpose, type RetiredPurpose } from './notices.js';

export const CONSENT_FILE = 'consent.jsonl';

export interface ConsentRecord {
  purpose: Purpose;
  noticeVersion: number;
  noticeSha256: string;
  given: boolean;
  at: string;
  via: Actor;
}

/** A record as the ledger holds it: also those of a purpose since retired (kept readable). */
export interface LedgerRecord extends Omit<ConsentRecord, 'purpose'> {
  purpose: Purpose | RetiredPurpose;
}

export interface ConsentState {
  purpose: Purpose;
  title: string;
  required: boolean;
  given: boolean;
  /** The last record, or null when the user was never asked (the default then applies). */
  last: ConsentRecord | null;
  notice: { version: number; sha256: string; text: string };
}

export class ConsentLedger {
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly audit: AuditTrail,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, CONSENT_FILE);
  }

  /** Every record, oldest first, retired purposes included. */
  records(): LedgerRecord[] {
    const text = readIfExists(this.file) ?? '';
    const out: LedgerRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as LedgerRecord;
        if (isRecordedPurpose(r.purpose) && typeof r.given === 'boolean') out.push(r);
      } catch {
        // a torn or edited line is ignored; the audit trail holds every change too
      }
    }
    return out;
  }

  state(purpose: Purpose): ConsentState {
    const last = this.records()
      .filter((r): r is ConsentRecord => r.purpose === purpose)
      .at(-1);
    const notice = noticeFor(purpose);
    return {
      purpose,
      title: notice.title,
      required: notice.required,
      given: last ? last.given : purpose === 'backup',
      last: last ?? null,
      notice: { version: notice.version, sha256: notice.sha256, text: notice.text },
    };
  }

  list(): ConsentState[] {
    return PURPOSES.map((p) => this.state(p));
  }

  isGiven(purpose: Purpose): boolean {
    return this.state(purpose).given;
  }

  /** Records giving or withdrawing `purpose` (the current notice version); one call either way. */
  set(purpose: string, given: boolean, via: Actor): ConsentRecord {
    if (!isPurpose(purpose)) {
      throw new CairnError('invalid-argument', `unknown purpose "${purpose}": use one of ${PURPOSES.join(', ')}`);
    }
    const notice = noticeFor(purpose);
    const record: ConsentRecord = {
      purpose,
      noticeVersion: notice.version,
      noticeSha256: notice.sha256,
      given,
      at: this.now().toISOString(),
      via,
    };
    withFileLock(this.dir, 'consent', () => appendDurable(this.file, `${JSON.stringify(record)}\n`));
    this.audit.append(given ? 'consent.given' : 'consent.withdrawn', {
      purpose,
      noticeVersion: notice.version,
      noticeSha256: notice.sha256,
      via,
    });
    return record;
  }

  /** Records the backup purpose as given when it is not yet (at repository set-up). */
  ensureBackupGiven(via: Actor): void {
    const state = this.state('backup');
    if (!state.last?.given) this.set('backup', true, via);
  }
}
