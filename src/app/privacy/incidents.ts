/**
 * The incident register (GDPR Art. 33, 34): `incidents.json`, rewritten atomically under the lock.
 * Incidents open automatically on integrity failures (an object failing authentication, missing
 * packs, an unknown key slot, a changed repository config) and by hand. Each carries when it was
 * detected and when the user became aware, the 72-hour notification deadline, data categories,
 * measures taken, notification status, and whether the data was encrypted under keys that stayed
 * secret (Art. 34(3)(a): then the people concerned need not be told). An open incident of the same
 * kind for the same repository gets new findings appended instead of a second incident.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import type { AuditTrail } from './audit-trail.js';
import { readJsonFile, withFileLock, writeFileAtomic } from './files.js';

export const INCIDENTS_FILE = 'incidents.json';
export const NOTIFY_WITHIN_HOURS = 72;

export const INCIDENT_KINDS = [
  'authentication-failure',
  'missing-data',
  'unknown-key-slot',
  'config-changed',
  'manual',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const NOTIFICATION_STATUSES = [
  'not-assessed',
  'not-required',
  'authority-notified',
  'subjects-notified',
  'authority-and-subjects-notified',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface Finding {
  at: string;
  text: string;
}

export interface Incident {
  id: string;
  kind: IncidentKind;
  title: string;
  repositoryId: string | null;
  status: 'open' | 'closed';
  detectedAt: string;
  awareAt: string;
  /** awareAt + 72 hours: the supervisory authority must be told by then (Art. 33(1)). */
  notifyBy: string;
  dataCategories: string[];
  measures: string[];
  notification: NotificationStatus;
  /** The data was encrypted under keys that stayed secret (Art. 34(3)(a)). */
  encryptedUnderSecretKeys: boolean;
  findings: Finding[];
  closedAt: string | null;
}

export interface IncidentView extends Incident {
  /** Hours until `notifyBy` (negative when passed); null once closed or notification is settled. */
  hoursLeft: number | null;
}

export const DEFAULT_DATA_CATEGORIES = ['backed-up files and folders (content and metadata)'];

export class IncidentRegister {
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly audit: AuditTrail,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, INCIDENTS_FILE);
  }

  all(): Incident[] {
    const list = readJsonFile<Incident[]>(this.file, []);
    return Array.isArray(list) ? list : [];
  }

  view(incident: Incident, now = this.now()): IncidentView {
    const settled = incident.status === 'closed' || incident.notification !== 'not-assessed';
    const hoursLeft = settled
      ? null
      : Math.round(((Date.parse(incident.notifyBy) - now.getTime()) / 3_600_000) * 10) / 10;
    return { ...incident, hoursLeft };
  }

  /** Newest first; `openOnly` leaves closed ones out. */
  list(options: { openOnly?: boolean } = {}): IncidentView[] {
    const now = this.now();
    return this.all()
      .filter((i) => !options.openOnly || i.status === 'open')
      .reverse()
      .map((i) => this.view(i, now));
  }

  get(id: string): IncidentView {
    const found = this.all().filter((i) => i.id === id || i.id.startsWith(id));
    if (found.length === 0) throw new CairnError('not-found', `there is no incident ${id}`);
    if (found.length > 1) throw new CairnError('invalid-argument', `incident id ${id} is ambiguous`);
    return this.view(found[0] as Incident);
  }

  /**
   * Opens an incident, or, when one of the same kind for the same repository is open, appends the
   * finding to it. Returns the incident and whether it is new.
   */
  open(input: {
    kind: IncidentKind;
    title: string;
    repositoryId?: string | null;
    finding?: string;
    detectedAt?: Date;
    awareAt?: Date;
    dataCategories?: string[];
    measures?: string[];
    encryptedUnderSecretKeys?: boolean;
  }): { incident: IncidentView; created: boolean } {
    const now = this.now();
    if (!input.title.trim()) throw new CairnError('invalid-argument', 'an incident needs a title');
    const repositoryId = input.repositoryId ?? null;
    const { incident, created } = withFileLock(this.dir, 'incidents', () => {
      const list = this.all();
      const finding = input.finding ? [{ at: now.toISOString(), text: input.finding }] : [];
      const existing =
        input.kind === 'manual'
          ? undefined
          : list.find((i) => i.status === 'open' && i.kind === input.kind && i.repositoryId === repositoryId);
      if (existing) {
        existing.findings.push(...finding);
        writeFileAtomic(this.file, `${JSON.stringify(list, null, 2)}\n`);
        return { incident: existing, created: false };
      }
      const aware = input.awareAt ?? now;
      const incident: Incident = {
        id: `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${crypto.randomBytes(3).toString('hex')}`,
        kind: input.kind,
        title: input.title.trim(),
        repositoryId,
        status: 'open',
        detectedAt: (input.detectedAt ?? now).toISOString(),
        awareAt: aware.toISOString(),
        notifyBy: new Date(aware.getTime() + NOTIFY_WITHIN_HOURS * 3_600_000).toISOString(),
        dataCategories: input.dataCategories?.length ? input.dataCategories : DEFAULT_DATA_CATEGORIES,
        measures: input.measures ?? [],
        notification: 'not-assessed',
        // Cairn encrypts everything under per-repository keys that never leave this computer; an
        // integrity failure of stored objects does not reveal them. The user can say otherwise.
        encryptedUnderSecretKeys: input.encryptedUnderSecretKeys ?? true,
        findings: finding,
        closedAt: null,
      };
      list.push(incident);
      writeFileAtomic(this.file, `${JSON.stringify(list, null, 2)}\n`);
      return { incident, created: true };
    });
    this.audit.append(created ? 'incident.opened' : 'incident.finding', {
      id: incident.id,
      kind: incident.kind,
      title: incident.title,
      repositoryId,
      ...(input.finding ? { finding: input.finding } : {}),
    });
    return { incident: this.view(incident), created };
  }

  /** Updates measures, notification status or the encryption assessment, and closes it when asked. */
  update(
    id: string,
    change: {
      measures?: string[];
      notification?: NotificationStatus;
      encryptedUnderSecretKeys?: boolean;
      dataCategories?: string[];
      close?: boolean;
    },
  ): IncidentView {
    const target = this.get(id);
    if (change.close && target.status === 'closed')
      throw new CairnError('invalid-argument', `incident ${target.id} is already closed`);
    if (change.close && (change.measures?.length ?? 0) === 0 && target.measures.length === 0) {
      throw new CairnError('invalid-argument', 'say which measures were taken before closing an incident (--measures)');
    }
    const updated = withFileLock(this.dir, 'incidents', () => {
      const list = this.all();
      const incident = list.find((i) => i.id === target.id);
      if (!incident) throw new CairnError('not-found', `there is no incident ${id}`);
      if (change.measures) incident.measures.push(...change.measures.filter((m) => m.trim()));
      if (change.notification) incident.notification = change.notification;
      if (change.encryptedUnderSecretKeys !== undefined)
        incident.encryptedUnderSecretKeys = change.encryptedUnderSecretKeys;
      if (change.dataCategories?.length) incident.dataCategories = change.dataCategories;
      if (change.close) {
        incident.status = 'closed';
        incident.closedAt = this.now().toISOString();
      }
      writeFileAtomic(this.file, `${JSON.stringify(list, null, 2)}\n`);
      return incident;
    });
    this.audit.append(change.close ? 'incident.closed' : 'incident.updated', { id: updated.id, ...change });
    return this.view(updated);
  }
}

/** The incident kind of a check problem ({object, message} from the checker). */
export function classifyProblem(problem: { object: string; message: string }): IncidentKind {
  return /missing|truncated|lost/i.test(problem.message) ? 'missing-data' : 'authentication-failure';
}

/**
 * The incident kind of a failure to open a repository, or undefined when it is no integrity
 * matter (a wrong password, a missing repository, a lock, an I/O error).
 */
export function classifyOpenFailure(err: unknown): IncidentKind | undefined {
  const e = err as { code?: string; message?: string };
  if (e?.code !== 'integrity') return undefined;
  const message = e.message ?? '';
  if (/key slot/i.test(message)) return 'unknown-key-slot';
  if (/config/i.test(message)) return 'config-changed';
  return 'authentication-failure';
}

/** Opens (or extends) incidents for the problems a check or verification found: one per kind. */
export function openIncidentsForProblems(
  register: IncidentRegister,
  repository: { id: string; label: string },
  problems: { object: string; message: string }[],
  source: string,
): IncidentView[] {
  const byKind = new Map<IncidentKind, { object: string; message: string }[]>();
  for (const p of problems) {
    const kind = classifyProblem(p);
    byKind.set(kind, [...(byKind.get(kind) ?? []), p]);
  }
  const out: IncidentView[] = [];
  for (const [kind, list] of byKind) {
    const shown = list.slice(0, 20).map((p) => `${p.object}: ${p.message}`);
    const more = list.length > shown.length ? ` (and ${list.length - shown.length} more)` : '';
    const title =
      kind === 'missing-data'
        ? `Stored data of "${repository.label}" is missing`
        : `Stored data of "${repository.label}" failed authentication`;
    out.push(
      register.open({
        kind,
        title,
        repositoryId: repository.id,
        finding: `${source} found ${list.length} problem(s)${more}: ${shown.join('; ')}`,
        measures: [],
      }).incident,
    );
  }
  return out;
}

/** Opens (or extends) an incident when opening a repository failed for an integrity reason. */
export function openIncidentForOpenFailure(
  register: IncidentRegister,
  repository: { id: string | null; label: string; location: string },
  err: unknown,
): IncidentView | undefined {
  const kind = classifyOpenFailure(err);
  if (!kind) return undefined;
  const title =
    kind === 'unknown-key-slot'
      ? `A key slot of "${repository.label}" is damaged or unknown`
      : kind === 'config-changed'
        ? `The configuration of "${repository.label}" was changed`
        : `"${repository.label}" failed authentication when opened`;
  return register.open({
    kind,
    title,
    repositoryId: repository.id ?? repository.location,
    finding: `opening ${repository.location}: ${(err as Error).message}`,
  }).incident;
}
