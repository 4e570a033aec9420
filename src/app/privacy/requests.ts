/**
 * The requests register (GDPR Art. 12): the requests people make of the controller about their
 * data — access, erasure, rectification, restriction, objection, portability — each with who made
 * it (a short reference of the user's choosing, kept only here and never sent anywhere), when it
 * was received, when it must be answered (./requests-dates.ts: one month, or three after an
 * extension with its reason), its status (open, done, or refused with the reason), and links to
 * what was done for it (an export, an erasure receipt, a frozen recovery point). Kept in
 * `<dataDir>/privacy/requests.json`, rewritten atomically under the lock. Every change is audited
 * ('request.*') by the request's id and kind: the requester's reference stays out of the audit
 * trail, which can never be rewritten, so the register's entry can still be corrected or erased.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import type { AuditTrail } from './audit-trail.js';
import { readJsonFile, withFileLock, writeFileAtomic } from './files.js';
import {
  ANSWER_WITHIN_MONTHS,
  addMonths,
  daysBetween,
  EXTENDED_MONTHS,
  localDate,
  parseDate,
} from './requests-dates.js';

export const REQUESTS_FILE = 'requests.json';
export const REQUEST_KINDS = ['access', 'erasure', 'rectification', 'restriction', 'objection', 'portability'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const REQUEST_STATUSES = ['open', 'done', 'refused'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
const MAX_REFERENCE = 120;
const MAX_TEXT = 1000;

/** What was done for a request, as found when it was linked. */
export type RequestLink =
  | { kind: 'export'; file: string; sha256: string; bytes: number; linkedAt: string }
  | { kind: 'erasure'; request: string; pathHash: string | null; completedAt: string | null; linkedAt: string }
  | { kind: 'freeze'; repositoryId: string; snapshotId: string; frozenAt: string; linkedAt: string };

/** A link as the caller resolved it, before it is dated. */
export type NewLink =
  | Omit<Extract<RequestLink, { kind: 'export' }>, 'linkedAt'>
  | Omit<Extract<RequestLink, { kind: 'erasure' }>, 'linkedAt'>
  | Omit<Extract<RequestLink, { kind: 'freeze' }>, 'linkedAt'>;

export interface DataSubjectRequest {
  id: string;
  kind: RequestKind;
  /** A short reference to the person (e.g. "customer 1042", initials): as little as identifies them. */
  requester: string;
  receivedOn: string;
  /** The deadline now in force: received + one month, or + three after an extension. */
  dueOn: string;
  extension: { reason: string; at: string } | null;
  status: RequestStatus;
  /** For 'refused', the reason (Art. 12(4)); for 'done', an optional note. */
  outcome: string | null;
  closedAt: string | null;
  links: RequestLink[];
  recordedAt: string;
}

export interface RequestView extends DataSubjectRequest {
  /** Open and its deadline has passed. */
  overdue: boolean;
  /** Days until the deadline (0: due today, negative: overdue); null once closed. */
  daysLeft: number | null;
}

interface RequestsFile {
  version: 1;
  requests: DataSubjectRequest[];
}

function clean(value: string | undefined, what: string, max: number): string {
  const text = (value ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') throw new CairnError('invalid-argument', `give ${what}`);
  if (text.length > max) throw new CairnError('invalid-argument', `${what} is too long (at most ${max} characters)`);
  return text;
}

export function requireRequestKind(kind: string): RequestKind {
  if (!(REQUEST_KINDS as readonly string[]).includes(kind)) {
    throw new CairnError(
      'invalid-argument',
      `unknown kind of request "${kind}": use one of ${REQUEST_KINDS.join(', ')}`,
    );
  }
  return kind as RequestKind;
}

const sameLink = (a: NewLink, b: RequestLink) =>
  (a.kind === 'export' && b.kind === 'export' && a.sha256 === b.sha256) ||
  (a.kind === 'erasure' && b.kind === 'erasure' && a.request === b.request) ||
  (a.kind === 'freeze' && b.kind === 'freeze' && a.repositoryId === b.repositoryId && a.snapshotId === b.snapshotId);

export class RequestRegister {
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly audit: AuditTrail,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, REQUESTS_FILE);
  }

  all(): DataSubjectRequest[] {
    const data = readJsonFile<RequestsFile>(this.file, { version: 1, requests: [] });
    if (data?.version !== 1 || !Array.isArray(data.requests)) {
      throw new CairnError('integrity', `${this.file} is not a Cairn requests register: it was edited or damaged`);
    }
    return data.requests;
  }

  view(request: DataSubjectRequest, today = localDate(this.now())): RequestView {
    const open = request.status === 'open';
    const daysLeft = open ? daysBetween(today, request.dueOn) : null;
    return { ...request, overdue: daysLeft !== null && daysLeft < 0, daysLeft };
  }

  /** Open ones first (soonest deadline first), then closed ones, newest first. */
  list(options: { openOnly?: boolean } = {}): RequestView[] {
    const today = localDate(this.now());
    const views = this.all()
      .filter((r) => !options.openOnly || r.status === 'open')
      .map((r) => this.view(r, today));
    const open = views.filter((r) => r.status === 'open').sort((a, b) => a.dueOn.localeCompare(b.dueOn));
    const closed = views.filter((r) => r.status !== 'open').sort((a, b) => b.recordedAt.localeCompare(a.recordedAt));
    return [...open, ...closed];
  }

  get(id: string): RequestView {
    const wanted = id.trim();
    const found = wanted === '' ? [] : this.all().filter((r) => r.id === wanted || r.id.startsWith(wanted));
    if (found.length === 0) throw new CairnError('not-found', `there is no request ${id} in the register`);
    if (found.length > 1) throw new CairnError('invalid-argument', `request id ${id} is ambiguous: give more of it`);
    return this.view(found[0] as DataSubjectRequest);
  }

  /** Records a request received on `receivedOn` (default today; never a day still to come). */
  add(input: { kind: string; requester: string; receivedOn?: string }): RequestView {
    const kind = requireRequestKind(input.kind);
    const requester = clean(input.requester, 'a reference to who made the request', MAX_REFERENCE);
    const now = this.now();
    const today = localDate(now);
    const receivedOn = input.receivedOn?.trim() || today;
    parseDate(receivedOn, 'the date received');
    if (receivedOn > today)
      throw new CairnError('invalid-argument', `the date received (${receivedOn}) is after today`);
    const request: DataSubjectRequest = {
      id: `${today.replaceAll('-', '')}-${crypto.randomBytes(3).toString('hex')}`,
      kind,
      requester,
      receivedOn,
      dueOn: addMonths(receivedOn, ANSWER_WITHIN_MONTHS),
      extension: null,
      status: 'open',
      outcome: null,
      closedAt: null,
      links: [],
      recordedAt: now.toISOString(),
    };
    this.write((list) => list.push(request));
    this.audit.append('request.recorded', { id: request.id, kind, receivedOn, dueOn: request.dueOn });
    return this.view(request);
  }

  /**
   * Extends the deadline to three months from receipt (Art. 12(3)), with the reason the requester
   * must be told; only once, while open, and before the first month has run out (the extension
   * has to be announced within it).
   */
  extend(id: string, reason: string): RequestView {
    const why = clean(reason, 'the reason for the extension', MAX_TEXT);
    const today = localDate(this.now());
    const updated = this.change(id, (r) => {
      if (r.status !== 'open')
        throw new CairnError(
          'invalid-argument',
          `request ${r.id} is ${r.status}: only an open request can be extended`,
        );
      if (r.extension) throw new CairnError('invalid-argument', `request ${r.id} was already extended to ${r.dueOn}`);
      if (today > r.dueOn) {
        throw new CairnError(
          'invalid-argument',
          `request ${r.id} was due on ${r.dueOn}: an extension must be announced within the first month (Art. 12(3))`,
        );
      }
      r.extension = { reason: why, at: this.now().toISOString() };
      r.dueOn = addMonths(r.receivedOn, EXTENDED_MONTHS);
    });
    this.audit.append('request.extended', { id: updated.id, kind: updated.kind, dueOn: updated.dueOn });
    return updated;
  }

  /** Closes a request as done (an optional note) or refused (the reason is required, Art. 12(4)). */
  close(id: string, status: 'done' | 'refused', outcome?: string): RequestView {
    const text = status === 'refused' ? clean(outcome, 'the reason for refusing', MAX_TEXT) : outcome?.trim() || null;
    if (text && text.length > MAX_TEXT)
      throw new CairnError('invalid-argument', `the note is too long (at most ${MAX_TEXT} characters)`);
    const updated = this.change(id, (r) => {
      if (r.status !== 'open') throw new CairnError('invalid-argument', `request ${r.id} is already ${r.status}`);
      r.status = status;
      r.outcome = text;
      r.closedAt = this.now().toISOString();
    });
    this.audit.append(`request.${status}`, { id: updated.id, kind: updated.kind, links: updated.links.length });
    return updated;
  }

  /** Links what was done for a request (each thing once). */
  link(id: string, link: NewLink): RequestView {
    const updated = this.change(id, (r) => {
      if (r.links.some((l) => sameLink(link, l)))
        throw new CairnError('invalid-argument', `request ${r.id} is already linked to it`);
      r.links.push({ ...link, linkedAt: this.now().toISOString() } as RequestLink);
    });
    this.audit.append('request.linked', { id: updated.id, kind: updated.kind, link: link.kind });
    return updated;
  }

  private change(id: string, fn: (request: DataSubjectRequest) => void): RequestView {
    const full = this.get(id).id;
    let changed: DataSubjectRequest | undefined;
    this.write((list) => {
      changed = list.find((r) => r.id === full);
      if (!changed) throw new CairnError('not-found', `there is no request ${id} in the register`);
      fn(changed);
    });
    return this.view(changed as DataSubjectRequest);
  }

  private write(fn: (list: DataSubjectRequest[]) => void): void {
    withFileLock(this.dir, 'requests', () => {
      const list = this.all();
      fn(list);
      writeFileAtomic(this.file, `${JSON.stringify({ version: 1, requests: list } satisfies RequestsFile, null, 2)}\n`);
    });
  }
}
