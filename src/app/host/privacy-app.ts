/**
 * The privacy records as the engine host wires them, over `openPrivacyRecords(dataDir, 'app')`:
 * what only the app does with them — the hooks other handlers call (region authorisation and
 * location records when a repository is created or connected, audit entries for finished tasks,
 * incidents for integrity failures), the `incidents.changed` event after the register changed,
 * and scheduled backups following the backup purpose. The use cases the CLI shares (export,
 * records of processing, consent, incidents by hand, settings, audit) are in src/app/services;
 * `context()` gives them the app's records, catalog and open sessions. A failing audit append
 * never fails the operation it records; it is reported on stderr of the engine process instead.
 */

import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import { describeError } from '../../engine/errors.js';
import type { Repository } from '../../engine/repo/repository.js';
import type { RepositoryRecord } from '../catalog/catalog.js';
import type { Actor, AuditDetails } from '../privacy/audit-trail.js';
import { openIncidentForOpenFailure, openIncidentsForProblems } from '../privacy/incidents.js';
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
    this.records = openPrivacyRecords(deps.dataDir, deps.actor ?? 'app', { appVersion: deps.appVersion });
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

  /** Refuses a location outside the chosen region unless the user gave an instruction (audited). */
  authorizeRegion(region: string, location: string, operation: string, instruction: string | undefined): void {
    this.records.regions.authorize(region, { location, operation }, instruction);
  }

  /** A repository was created or connected: its location and region, and the backup purpose. */
  repositoryAdded(record: RepositoryRecord, operation: 'repo.create' | 'repo.connect', instruction?: string): void {
    try {
      this.records.regions.record({
        location: record.location,
        repositoryId: record.id,
        region: record.region,
        via: 'app',
        instruction,
      });
      this.records.consent.ensureBackupGiven('app');
    } catch (err) {
      process.stderr.write(`cairn: could not update the privacy records: ${describeError(err)}\n`);
    }
    this.audit(operation === 'repo.create' ? 'repository.created' : 'repository.connected', {
      repositoryId: record.id,
      label: record.label,
      location: record.location,
      region: record.region,
    });
  }

  /** Opening a repository failed: an incident when it was an integrity failure. */
  openFailed(repository: { id: string | null; label: string; location: string }, err: unknown): void {
    try {
      if (openIncidentForOpenFailure(this.records.incidents, repository, err)) this.emitIncidents();
    } catch (e) {
      process.stderr.write(`cairn: could not record the incident: ${describeError(e)}\n`);
    }
  }

  /** A check or verification found problems: incidents by kind (deduplicated). */
  integrityProblems(record: RepositoryRecord, problems: { object: string; message: string }[], source: string): void {
    if (problems.length === 0) return;
    try {
      openIncidentsForProblems(this.records.incidents, record, problems, source);
      this.emitIncidents();
    } catch (e) {
      process.stderr.write(`cairn: could not record the incident: ${describeError(e)}\n`);
    }
  }

  /** Audits finished backup, restore and clean-up tasks and counts them for usage statistics. */
  taskUpdated(task: Task): void {
    if (task.status !== 'succeeded' && task.status !== 'failed') return;
    if (this.finishedTasks.has(task.id)) return;
    this.finishedTasks.add(task.id);
    const r = (task.result ?? {}) as Record<string, unknown>;
    if (task.kind === 'backup' && task.status === 'succeeded') {
      this.audit('backup.completed', {
        taskId: task.id,
        repositoryId: task.repositoryId,
        snapshotId: r.snapshotId,
        files: r.totalFiles,
        bytes: r.totalBytes,
        partial: r.partial,
      });
      this.count(() => this.records.usage.recordBackup(Number(r.totalBytes ?? 0)));
    } else if (task.kind === 'restore' && task.result) {
      this.audit('restore.completed', {
        taskId: task.id,
        repositoryId: task.repositoryId,
        snapshotId: r.snapshotId,
        target: r.target,
        files: r.filesRestored,
        errors: Number(r.errors ?? 0) + Number(r.refused ?? 0),
        status: task.status,
      });
      this.count(() => this.records.usage.recordRestore());
    } else if (task.kind === 'forget' && task.status === 'succeeded') {
      this.audit('retention.applied', {
        taskId: task.id,
        repositoryId: task.repositoryId,
        removed: r.removed,
        pruned: r.pruned,
      });
    }
  }

  private count(fn: () => void): void {
    try {
      fn();
    } catch {
      // statistics are optional; never a reason for a task to look failed
    }
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
