/**
 * The privacy records as the engine host wires them, over `openPrivacyRecords(dataDir, 'app')`,
 * dated by the host's clock: the records port the shared services write through (`port`), what
 * only the app does with them — the audit entry of a finished retention task, the
 * `incidents.changed` event after the register changed, scheduled backups following the backup
 * purpose — and `context()`, which gives the privacy use cases the CLI shares (export, records of
 * processing, consent, incidents by hand, settings, audit; src/app/services) the app's records,
 * catalog and open sessions. Backups, restores, key changes and the rest are audited by their
 * services. A failing audit append never fails the operation it records; it is reported on
 * stderr of the engine process instead.
 */

import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import { describeError } from '../../engine/errors.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import type { AuditKeyChoice } from '../privacy/audit-key.js';
import type { Actor, AuditDetails } from '../privacy/audit-trail.js';
import { type IncidentView, openPrivacyRecords, type PrivacyRecords } from '../privacy/index.js';
import { setConsent } from '../services/consent.js';
import { closeIncident, openIncidentByHand } from '../services/incidents.js';
import type { CatalogView, PrivacyContext } from '../services/privacy-inventory.js';
import type { RepositoryRecords } from '../services/repository-records.js';
import type { Task } from './task-manager.js';

export interface PrivacyHostDeps {
  dataDir: string;
  appVersion: string;
  catalog: CatalogView;
  /** Who writes the audit entries (default 'app'). */
  actor?: Actor;
  /** Dates every record (default: the system clock). */
  clock?: Clock;
  /** The audit trail's key as the desktop app chose it (default: the key file in the data folder). */
  auditKey?: AuditKeyChoice;
  /** The open (unlocked) repository with this id, if any. */
  openRepository(id: string): Repository | undefined;
  /** Called with every open incident after the register changed. */
  incidentsChanged(open: IncidentView[]): void;
  /** Called after the backup purpose was given or withdrawn (scheduled backups follow it). */
  backupConsentChanged(): void;
}

export class PrivacyApp {
  readonly records: PrivacyRecords;
  /**
   * The records as the shared services take them (src/app/services/repository-records.ts): an
   * entry that cannot be written is reported on stderr, and an incident opened is announced.
   */
  readonly port: RepositoryRecords;
  private readonly finishedTasks = new Set<string>();

  constructor(private readonly deps: PrivacyHostDeps) {
    const clock = deps.clock ?? systemClock;
    this.records = openPrivacyRecords(deps.dataDir, deps.actor ?? 'app', {
      appVersion: deps.appVersion,
      now: () => new Date(clock()),
      auditKey: deps.auditKey,
    });
    this.port = {
      privacy: () => this.records,
      warn: (message) => process.stderr.write(`cairn: ${message}\n`),
      incidentsChanged: () => this.emitIncidents(),
    };
  }

  /** Appends an audit entry; a failure is reported, never thrown (the operation did happen). */
  audit(action: string, details: AuditDetails): void {
    try {
      this.records.audit.append(action, details);
    } catch (err) {
      process.stderr.write(`cairn: could not write the audit trail entry ${action}: ${describeError(err)}\n`);
    }
  }

  /** Whether scheduled backups may run (the backup purpose was not withdrawn). */
  backupAllowed(): boolean {
    try {
      return this.records.consent.isGiven('backup');
    } catch {
      return true;
    }
  }

  /**
   * Audits a finished retention task (`retention.applied`, with its task id); the removals and
   * the prune in it are audited by the forget use case itself.
   */
  taskUpdated(task: Task): void {
    if (task.kind !== 'forget' || task.status !== 'succeeded') return;
    if (this.finishedTasks.has(task.id)) return;
    this.finishedTasks.add(task.id);
    const r = (task.result ?? {}) as Record<string, unknown>;
    this.audit('retention.applied', {
      taskId: task.id,
      repositoryId: task.repositoryId,
      removed: r.removed,
      pruned: r.pruned,
    });
  }

  private emitIncidents(): void {
    this.deps.incidentsChanged(this.records.incidents.list({ openOnly: true }));
  }

  // --------------------------------------------------------------------------------------------
  // Where the shared privacy use cases (src/app/services) read and record in the app

  /** The app's records, catalog and open sessions, for the privacy services. */
  context(): PrivacyContext {
    return {
      dataDir: this.deps.dataDir,
      appVersion: this.deps.appVersion,
      records: this.port,
      catalog: this.deps.catalog,
      openRepository: (id) => this.deps.openRepository(id),
    };
  }

  /** Opens an incident by hand (`incidents.open`) and tells subscribers. */
  openIncident(p: ParsedParams<'incidents.open'>): Result<'incidents.open'> {
    if (p.repositoryId && !this.deps.catalog.getRepository(p.repositoryId)) {
      throw new ContractError('not-found', `there is no repository ${p.repositoryId} in this app`);
    }
    const incident = openIncidentByHand(this.records, {
      title: p.title,
      repositoryId: p.repositoryId ?? null,
      finding: p.finding,
      awareAt: p.awareAt ? new Date(p.awareAt) : undefined,
      dataCategories: p.dataCategories,
      measures: p.measures,
      encryptedUnderSecretKeys: p.encryptedUnderSecretKeys,
    });
    this.emitIncidents();
    return incident;
  }

  /** Closes an incident with its measures and notification (`incidents.close`) and tells subscribers. */
  closeIncident(p: ParsedParams<'incidents.close'>): Result<'incidents.close'> {
    const incident = closeIncident(this.records, p.id, p);
    this.emitIncidents();
    return incident;
  }

  /** Gives or withdraws consent (`consent.set`); scheduled backups follow the backup purpose. */
  setConsent(p: ParsedParams<'consent.set'>): Result<'consent.set'> {
    const change = setConsent(this.records, p.purpose, p.given, p.via);
    if (p.purpose === 'backup') this.deps.backupConsentChanged();
    return { state: change.state, offerErasure: change.offerErasure, message: consentMessage(p.purpose, p.given) };
  }
}

/** What the app tells the user after a consent change. */
function consentMessage(purpose: string, given: boolean): string {
  if (purpose === 'usage-statistics' && !given) return 'usage statistics stopped; everything not yet sent was deleted';
  if (purpose === 'backup') {
    return given
      ? 'backups are allowed again; scheduled backups resume'
      : 'scheduled backups are stopped; the recovery points already stored are kept until you erase them';
  }
  return given ? 'consent recorded' : 'consent withdrawn';
}
