/**
 * The privacy records as the app uses them, over `openPrivacyRecords(dataDir, 'app')`: what the
 * privacy contract methods do (consent, incidents, regions, usage statistics, export, records of
 * processing; handlers/privacy.ts maps them) and the hooks other handlers call — region
 * authorisation and location records when a repository is created or connected, audit entries
 * for settings, sources, schedules, retention and finished tasks, incidents for integrity
 * failures. The CLI uses it too (`cairn privacy export|record`), with functions for its deps
 * rather than the host's services. A failing audit append never fails the operation it records;
 * it is reported on stderr of the engine process instead.
 */

import path from 'node:path';
import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import { describeError } from '../../engine/errors.js';
import type { Repository } from '../../engine/repo/repository.js';
import type { Catalog, RepositoryRecord } from '../catalog/catalog.js';
import type { Actor, AuditDetails } from '../privacy/audit-trail.js';
import { readIfExists } from '../privacy/files.js';
import { openIncidentForOpenFailure, openIncidentsForProblems } from '../privacy/incidents.js';
import {
  buildProcessingRecord,
  collectRecoveryPoints,
  type IncidentView,
  openPrivacyRecords,
  type PrivacyInventory,
  type PrivacyRecords,
  processingRecordHtml,
  type RecoveryPointsExport,
  writePrivacyExport,
} from '../privacy/index.js';
import { FrozenPoints } from '../privacy/restriction/frozen.js';
import { readRetention } from './retention.js';
import type { Task } from './task-manager.js';

/** What the privacy side reads from the catalog (the CLI passes an empty one when it has none). */
export type CatalogView = Pick<
  Catalog,
  'listRepositories' | 'getRepository' | 'listSources' | 'listTasks' | 'getSetting'
>;

export const EMPTY_CATALOG: CatalogView = {
  listRepositories: () => [],
  getRepository: () => undefined,
  listSources: () => [],
  listTasks: () => [],
  getSetting: <T>(_key: string, fallback: T) => fallback,
};

/** A repository opened outside the catalog (the CLI's --repo), to include in records and exports. */
export interface ExtraRepository {
  repo: Repository;
  label: string;
  region: string;
}

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
  private readonly finishedTasks = new Set<string>();

  constructor(private readonly deps: PrivacyHostDeps) {
    this.records = openPrivacyRecords(deps.dataDir, deps.actor ?? 'app', { appVersion: deps.appVersion });
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
  // What the contract methods do (src/app/host/handlers/privacy.ts maps them)

  /** Opens an incident by hand (`incidents.open`) and tells subscribers. */
  openIncident(p: ParsedParams<'incidents.open'>): Result<'incidents.open'> {
    if (p.repositoryId && !this.deps.catalog.getRepository(p.repositoryId)) {
      throw new ContractError('not-found', `there is no repository ${p.repositoryId} in this app`);
    }
    const { incident } = this.records.incidents.open({
      kind: 'manual',
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

  /** Closes an incident with its measures and notification (`incidents.close`). */
  closeIncident(p: ParsedParams<'incidents.close'>): Result<'incidents.close'> {
    const incident = this.records.incidents.update(p.id, {
      measures: p.measures,
      notification: p.notification,
      encryptedUnderSecretKeys: p.encryptedUnderSecretKeys,
      close: true,
    });
    this.emitIncidents();
    return incident;
  }

  setSubProcessors(p: ParsedParams<'privacy.setSubProcessors'>): Result<'privacy.setSubProcessors'> {
    return this.records.settings.update({ subProcessors: p.subProcessors }).subProcessors;
  }

  chooseRegion(p: ParsedParams<'privacy.region.set'>): Result<'privacy.region.set'> {
    this.records.regions.choose(p.region);
    return this.regionSettings();
  }

  /** Where usage statistics go (audited), and the preview with it. */
  setUsageEndpoint(p: ParsedParams<'usage.setEndpoint'>): Result<'usage.setEndpoint'> {
    this.records.settings.update({ usageEndpoint: p.endpoint });
    this.audit('settings.changed', { setting: 'usage-statistics address', value: p.endpoint });
    return this.usagePreview();
  }

  usagePreview(): Result<'usage.preview'> {
    const r = this.records;
    return {
      enabled: r.usage.enabled(),
      endpoint: r.settings.read().usageEndpoint,
      payload: r.usage.preview(),
      pending: r.usage.pending().length,
    };
  }

  setConsent(p: ParsedParams<'consent.set'>): Result<'consent.set'> {
    const r = this.records;
    r.consent.set(p.purpose, p.given, p.via);
    let message = p.given ? 'consent recorded' : 'consent withdrawn';
    let offerErasure = false;
    if (p.purpose === 'usage-statistics' && !p.given) {
      r.usage.discard();
      message = 'usage statistics stopped; everything not yet sent was deleted';
    }
    if (p.purpose === 'backup') {
      this.deps.backupConsentChanged();
      if (!p.given) {
        offerErasure = true;
        message = 'scheduled backups are stopped; the recovery points already stored are kept until you erase them';
      } else {
        message = 'backups are allowed again; scheduled backups resume';
      }
    }
    return { state: r.consent.state(p.purpose), offerErasure, message };
  }

  regionSettings(): Result<'privacy.region.get'> {
    const chosen = this.records.regions.chosen();
    return { chosen, locations: this.locations(chosen) };
  }

  /** Catalog repositories plus locations recorded by the CLI, each once. */
  private locations(chosen: string | null): Result<'privacy.region.get'>['locations'] {
    const out: Result<'privacy.region.get'>['locations'] = [];
    const seen = new Set<string>();
    for (const repo of this.deps.catalog.listRepositories()) {
      seen.add(`${repo.id}\0${repo.location}`);
      out.push({
        repositoryId: repo.id,
        label: repo.label,
        location: repo.location,
        region: repo.region as never,
        outsideChosenRegion: chosen !== null && repo.region !== chosen,
      });
    }
    for (const l of this.records.regions.locations()) {
      if (seen.has(`${l.repositoryId}\0${l.location}`)) continue;
      seen.add(`${l.repositoryId}\0${l.location}`);
      out.push({
        repositoryId: l.repositoryId,
        label: path.basename(l.location) || l.location,
        location: l.location,
        region: l.region as never,
        outsideChosenRegion: chosen !== null && l.region !== chosen,
      });
    }
    return out;
  }

  /** What the app holds, from the catalog and the privacy records (key slots of open repositories). */
  async inventory(extra: ExtraRepository[] = []): Promise<PrivacyInventory> {
    const settings = this.records.settings.read();
    const chosen = this.records.regions.chosen();
    const locations = this.locations(chosen);
    for (const x of extra) {
      if (locations.some((l) => l.repositoryId === x.repo.config.id && l.location === x.repo.location)) continue;
      locations.push({
        repositoryId: x.repo.config.id,
        label: x.label,
        location: x.repo.location,
        region: x.region as never,
        outsideChosenRegion: chosen !== null && x.region !== chosen,
      });
    }
    const repositories: PrivacyInventory['repositories'] = [];
    for (const l of locations) {
      const record = this.deps.catalog.getRepository(l.repositoryId);
      const open =
        this.deps.openRepository(l.repositoryId) ?? extra.find((x) => x.repo.config.id === l.repositoryId)?.repo;
      repositories.push({
        id: l.repositoryId,
        label: l.label,
        location: l.location,
        region: l.region,
        lastBackupAt: record?.lastBackupAt ?? null,
        ...(open
          ? {
              keySlots: (await open.listKeySlots()).map(({ id, label, created, kdf }) => ({ id, label, created, kdf })),
            }
          : {}),
      });
    }
    const retention: PrivacyInventory['retention'] = [];
    for (const repo of this.deps.catalog.listRepositories()) {
      const stored = readRetention(this.deps.catalog as Catalog, repo.id);
      if (stored) retention.push({ repositoryId: repo.id, policy: stored.policy, prune: stored.prune });
    }
    return {
      appVersion: this.deps.appVersion,
      dataDir: this.deps.dataDir,
      repositories,
      sources: this.deps.catalog.listSources().map((s) => ({
        id: s.id,
        repositoryId: s.repositoryId,
        path: s.path,
        excludes: s.excludes,
        schedule: s.schedule,
      })),
      retention,
      settings,
      consent: this.records.consent.list(),
    };
  }

  async overview(): Promise<Result<'privacy.overview'>> {
    const inv = await this.inventory();
    const record = buildProcessingRecord(inv);
    const chosen = this.records.regions.chosen();
    const verification = this.records.audit.verify();
    const privacyDir = this.records.dir;
    return {
      dataDir: this.deps.dataDir,
      privacyDir,
      chosenRegion: chosen,
      held: [
        {
          category: 'your backed-up files and their metadata (encrypted)',
          where: inv.repositories.map((r) => `${r.location} (${r.region})`).join(', ') || 'nowhere yet',
          kept: 'until the retention policy removes a recovery point, or you erase it',
        },
        {
          category: 'settings, folders, schedules, retention policies, task history (cache)',
          where: path.join(this.deps.dataDir, 'catalog.sqlite'),
          kept: 'while the app is installed; deleting it only costs a rescan',
        },
        {
          category: 'consent ledger, audit trail, incident register, storage locations, privacy settings',
          where: privacyDir,
          kept: 'while the app is installed (they prove what was agreed and done)',
        },
        {
          category: 'anonymous usage counters',
          where: this.records.usage.enabled() ? this.records.usage.file : 'not collected (no consent)',
          kept: 'until sent, or deleted at once when consent is withdrawn',
        },
      ],
      locations: this.locations(chosen),
      retention: inv.repositories.map((repo) => ({
        repositoryId: repo.id,
        label: repo.label,
        timeLimit: record.retention.find((x) => x.repository === repo.label)?.timeLimit ?? '',
      })),
      recipients: record.recipients,
      subProcessors: inv.settings.subProcessors,
      consent: inv.consent,
      openIncidents: this.records.incidents.list({ openOnly: true }).length,
      audit: { entries: verification.entries, intact: verification.ok },
    };
  }

  /** Records of processing, with the key slots of `extra` repositories too. */
  async processingRecord(extra: ExtraRepository[] = []): Promise<Result<'privacy.record'>> {
    const record = buildProcessingRecord(await this.inventory(extra));
    return { json: record as unknown as Record<string, unknown>, html: processingRecordHtml(record) };
  }

  /** The export for the CLI: the app's records plus the recovery points of `extra` repositories. */
  async exportWith(out: string, extra: ExtraRepository[]): Promise<Result<'privacy.export'>> {
    const recoveryPoints: RecoveryPointsExport[] = [];
    for (const x of extra)
      recoveryPoints.push(await collectRecoveryPoints(x.repo, x.label, this.frozenIds(x.repo.config.id)));
    return { ...this.writeExport(out, await this.inventory(extra), recoveryPoints), skippedLocked: [] };
  }

  /** Recovery points restricted under Art. 18: their file index is not exported. */
  private frozenIds(repositoryId: string): Set<string> {
    return new FrozenPoints(this.deps.dataDir).ids(repositoryId);
  }

  async export(p: ParsedParams<'privacy.export'>): Promise<Result<'privacy.export'>> {
    if (!path.isAbsolute(p.out)) {
      throw new ContractError('invalid-argument', `the export file must be an absolute path (got "${p.out}")`);
    }
    const wanted = p.repositoryId
      ? [this.deps.catalog.getRepository(p.repositoryId) ?? notFound(p.repositoryId)]
      : this.deps.catalog.listRepositories();
    const recoveryPoints: RecoveryPointsExport[] = [];
    const skippedLocked: string[] = [];
    for (const record of wanted) {
      const repo = this.deps.openRepository(record.id);
      if (!repo) {
        if (p.repositoryId) {
          throw new ContractError('locked', `"${record.label}" is locked: unlock it to include its recovery points`);
        }
        skippedLocked.push(record.id);
        continue;
      }
      recoveryPoints.push(await collectRecoveryPoints(repo, record.label, this.frozenIds(record.id)));
    }
    const result = this.writeExport(p.out, await this.inventory(), recoveryPoints);
    return { ...result, skippedLocked };
  }

  private writeExport(out: string, inventory: PrivacyInventory, recoveryPoints: RecoveryPointsExport[]) {
    const r = this.records;
    const result = writePrivacyExport(out, {
      inventory,
      audit: {
        entries: r.audit.entries(),
        rawJsonl: readText(r.audit.file),
        verification: r.audit.verify(),
      },
      consent: r.consent.records(),
      incidents: r.incidents.list(),
      tasks: this.deps.catalog.listTasks({ limit: 10_000 }),
      usage: { counters: r.usage.counters(), pendingPayloads: r.usage.pending().map((f) => JSON.parse(readText(f))) },
      recoveryPoints,
    });
    this.audit('export.created', { path: result.path, files: result.files.length, bytes: result.bytes });
    return result;
  }
}

function notFound(id: string): never {
  throw new ContractError('not-found', `there is no repository ${id} in this app`);
}

function readText(file: string): string {
  return readIfExists(file) ?? '';
}
