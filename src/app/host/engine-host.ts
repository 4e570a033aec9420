/**
 * The engine behind the contract: `EngineHost.handle(method, params)` validates the request with
 * the method's zod schema, runs it against the real engine (catalog, repositories, backup,
 * restore, check) and maps every failure to a ContractError. Repositories are remembered in the
 * catalog; unlocked ones are kept open in memory (their password is never stored). Long
 * operations run as tasks (TaskManager); task changes and status changes reach subscribers.
 */

import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { ContractError } from '../../contract/errors.js';
import type { EventName, EventPayload } from '../../contract/events.js';
import { isMethodName, type MethodName, methods, type ParsedParams, type Result } from '../../contract/methods.js';
import type { Region } from '../../contract/schemas.js';
import { openBackend } from '../../engine/backend/open.js';
import { type Backend, BackendError } from '../../engine/backend/types.js';
import { backup, PROGRAM } from '../../engine/backup/archiver.js';
import { walk } from '../../engine/browse/walk.js';
import { type CheckResult, check } from '../../engine/check/checker.js';
import type { KdfCost } from '../../engine/crypto/kdf.js';
import { CairnError, describeError } from '../../engine/errors.js';
import { withLock } from '../../engine/repo/lock.js';
import { Repository } from '../../engine/repo/repository.js';
import { restore } from '../../engine/restore/restorer.js';
import { Catalog, type JsonValue, type RepositoryRecord } from '../catalog/catalog.js';
import type { JsonObject } from '../catalog/records.js';
import { validateSchedule } from '../scheduler/schedule.js';
import { readSettings, writeSettings } from './app-settings.js';
import { ErasureHandlers } from './erasure-handlers.js';
import { addKey, changePassword, createRecoveryKey, listKeys, normalizeRecoveryKey, removeKey } from './keys.js';
import { listLocalFolder } from './local-folders.js';
import { activePause, pauseSources } from './pause.js';
import { PrivacyApp } from './privacy-handlers.js';
import { diffSnapshots, searchSnapshots } from './recovery-points.js';
import { RepairHandlers } from './repair-handlers.js';
import { previewRestore, resolveRestoreRequest } from './restore-plan.js';
import { applyRetention, previewRetention, readRetention, writeRetention } from './retention.js';
import { readStoredSchedule, ScheduledBackups, type StoredSchedule } from './scheduled-backups.js';
import { ScheduledVerification, type ScheduledVerificationOptions } from './scheduled-verification.js';
import { SourceWatching } from './source-watching.js';
import { type TaskContext, TaskFailure, TaskManager } from './task-manager.js';
import { newestBackupTime, repositoryUsage } from './usage.js';
import { UsageReporting, type UsageReportingOptions } from './usage-reporting.js';
import { DEFAULT_WINDOW_DAYS, VerificationTracker } from './verification.js';

export type EngineEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
export type EngineListener = (event: EngineEvent) => void;

export interface EngineHostOptions {
  dataDir: string;
  /**
   * Key derivation and cost of new repositories and their new key slots (default: Argon2id at
   * the engine's cost, ~0.25 s); tests lower it.
   */
  kdf?: KdfCost;
  /** Minimum time between two progress updates of a task (default 250 ms). */
  progressIntervalMs?: number;
  /** Validate every result against the method's result schema (tests). */
  validateResults?: boolean;
  /** Watch the backup folders so that backups read only what changed (the app and `cairn serve`). */
  watch?: boolean;
  /** Sending usage statistics (only with consent and an address; default: weekly, ticking hourly). */
  usageReporting?: UsageReportingOptions;
  /** Scheduled rolling verification of unlocked repositories (default: a slice a day, ticking every 10 min). */
  verification?: ScheduledVerificationOptions;
}

type Handler<M extends MethodName> = (params: ParsedParams<M>) => Promise<Result<M>>;

const VERSION = PROGRAM.replace(/^cairn\s+/, '');
const MAX_TASK_MESSAGES = 100;

/** A readable reason from zod issues: `path: message; path: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the request';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Any error thrown by the engine → a ContractError with a message for people. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof ContractError) return err;
  if (err instanceof CairnError) return new ContractError(err.code, err.message);
  if (err instanceof BackendError) {
    const code =
      err.code === 'not-found'
        ? 'not-found'
        : err.code === 'no-space'
          ? 'no-space'
          : err.code === 'range' || err.code === 'invalid-object'
            ? 'integrity'
            : err.code === 'exists'
              ? 'invalid-argument'
              : 'io';
    return new ContractError(code, err.message);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return new ContractError('no-space', 'no space left on the device');
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return new ContractError('io', describeError(err));
  return new ContractError('internal', e instanceof Error && e.message ? e.message : String(err));
}

export class EngineHost {
  readonly tasks: TaskManager;
  private readonly open = new Map<string, Repository>();
  private readonly listeners = new Set<EngineListener>();
  private closed = false;
  private readonly handlers: { [M in MethodName]: Handler<M> };
  private readonly schedules: ScheduledBackups;
  private readonly verification: VerificationTracker;
  private readonly watching: SourceWatching;
  private readonly scheduledVerification: ScheduledVerification;
  private readonly erasure: ErasureHandlers;
  private readonly repair: RepairHandlers;
  readonly privacy: PrivacyApp;
  readonly usageReporting: UsageReporting;

  private constructor(
    readonly catalog: Catalog,
    private readonly options: EngineHostOptions,
  ) {
    this.tasks = new TaskManager(catalog, options.progressIntervalMs);
    this.privacy = new PrivacyApp({
      dataDir: options.dataDir,
      appVersion: VERSION,
      catalog,
      openRepository: (id) => this.open.get(id),
      incidentsChanged: (open) => this.emit({ name: 'incidents.changed', payload: open }),
      backupConsentChanged: () => this.schedules.refresh(),
    });
    this.usageReporting = new UsageReporting(
      () => this.privacy.records.usage,
      () => this.privacy.records.settings.read().usageEndpoint,
      () => undefined,
      options.usageReporting,
    );
    this.usageReporting.start();
    this.schedules = new ScheduledBackups(
      catalog,
      (sourceId) => this.runScheduledBackup(sourceId),
      undefined,
      () => this.privacy.backupAllowed(),
    );
    this.verification = new VerificationTracker(catalog);
    this.watching = new SourceWatching(options.dataDir, catalog, options.watch ?? false);
    void this.watching.refresh();
    this.scheduledVerification = new ScheduledVerification(
      catalog,
      () => [...this.open.keys()],
      async (repositoryId) => {
        await this.startVerifySlice({ repositoryId, windowDays: DEFAULT_WINDOW_DAYS });
      },
      options.verification,
    );
    this.scheduledVerification.start();
    this.erasure = new ErasureHandlers({
      dataDir: options.dataDir,
      catalog,
      tasks: this.tasks,
      unlocked: (id) => this.unlocked(id),
      requireRecord: (id) => this.requireRecord(id),
      closeAll: async () => {
        const repos = [...this.open.values()];
        this.open.clear();
        await Promise.allSettled(repos.map((r) => r.close()));
      },
      refreshSchedules: () => this.schedules.refresh(),
      emitStatus: () => this.emitStatus(),
      audit: (action, details) => this.privacy.audit(action, details),
    });
    this.repair = new RepairHandlers({
      tasks: this.tasks,
      unlocked: (id) => this.unlocked(id),
      frozen: () => this.erasure.frozen,
      audit: (action, details) => this.privacy.audit(action, details),
      emitStatus: () => this.emitStatus(),
    });
    this.tasks.subscribe((task) => this.emit({ name: 'task.updated', payload: task }));
    this.tasks.subscribe((task) => this.privacy.taskUpdated(task));
    this.tasks.subscribe((task) => {
      if (task.status === 'failed' && task.repositoryId) this.dropIfInvalid(task.repositoryId);
    });
    this.handlers = {
      'app.status': async () => this.status(),
      'repo.create': (p) => this.createRepository(p),
      'repo.connect': (p) => this.connectRepository(p),
      'repo.unlock': (p) => this.unlockRepository(p),
      'repo.lock': (p) => this.lockRepository(p),
      'repo.list': async () => this.catalog.listRepositories().map((r) => this.info(r)),
      'sources.add': (p) => this.addSource(p),
      'sources.list': async (p) => this.catalog.listSources(p.repositoryId).map(sourceInfo),
      'sources.remove': async (p) => {
        const source = this.catalog.getSource(p.id);
        this.catalog.removeSource(p.id);
        this.schedules.refresh();
        void this.watching.refresh();
        if (source)
          this.privacy.audit('source.removed', {
            sourceId: p.id,
            repositoryId: source.repositoryId,
            path: source.path,
          });
        return { ok: true as const };
      },
      'sources.setSchedule': (p) => this.setSchedule(p),
      'schedule.next': async () =>
        this.schedules.next().map((run) => ({
          sourceId: Number(run.sourceId),
          at: run.at.toISOString(),
          reason: run.reason,
          waitingFor: run.waitingFor ?? null,
        })),
      'app.setPower': async (p) => {
        this.schedules.setPower(p);
        return { ok: true as const };
      },
      'backup.start': (p) => this.startBackup(p),
      'snapshots.list': (p) => this.listSnapshots(p),
      'snapshots.browse': (p) => this.browse(p),
      'restore.start': (p) => this.startRestore(p),
      'check.start': (p) => this.startCheck(p),
      'repo.health': (p) => this.repair.health(p),
      'repair.start': async (p) => this.repair.start(p),
      'snapshots.forget': (p) => this.repair.forget(p),
      'tasks.list': async (p) => this.tasks.list(p.limit),
      'tasks.get': async (p) => this.tasks.get(p.id),
      'tasks.cancel': async (p) => {
        this.tasks.cancel(p.id);
        return { ok: true as const };
      },
      'retention.set': async (p) => {
        this.requireRecord(p.repositoryId);
        writeRetention(this.catalog, p.repositoryId, p.policy ? { policy: p.policy, prune: p.prune } : null);
        this.privacy.audit('retention.changed', { repositoryId: p.repositoryId, policy: p.policy, prune: p.prune });
        return { ok: true as const };
      },
      'retention.get': async (p) => {
        this.requireRecord(p.repositoryId);
        return readRetention(this.catalog, p.repositoryId);
      },
      'retention.preview': (p) =>
        previewRetention(this.unlocked(p.repositoryId).repo, p.policy, this.erasure.frozenIds(p.repositoryId)),
      'retention.apply': async (p) => ({ taskId: this.startRetention(p.repositoryId).id }),
      'verify.slice': (p) => this.startVerifySlice(p),
      'verify.coverage': (p) => this.verificationCoverage(p),
      'fs.list': (p) => listLocalFolder(p.path, p.limit),
      'snapshots.diff': (p) => diffSnapshots(this.unlocked(p.repositoryId).repo, p.a, p.b, p.limit),
      'snapshots.search': (p) => searchSnapshots(this.unlocked(p.repositoryId).repo, p.query, p),
      'restore.preview': (p) => previewRestore(this.unlocked(p.repositoryId).repo, p),
      'keys.list': (p) => listKeys(this.unlocked(p.repositoryId).repo),
      'keys.add': (p) => addKey(this.unlocked(p.repositoryId).repo, p.password, p.label, this.options.kdf),
      'keys.changePassword': (p) => changePassword(this.unlocked(p.repositoryId).repo, p.newPassword, this.options.kdf),
      'keys.remove': async (p) =>
        removeKey(this.unlocked(p.repositoryId).repo, p.slotId).then(() => ({ ok: true as const })),
      'keys.createRecoveryKey': (p) => this.recoveryKit(p.repositoryId),
      'settings.get': async () => readSettings(this.catalog),
      'settings.set': async (p) => this.published('settings.updated', writeSettings(this.catalog, p)),
      'sources.pause': async (p) => this.refreshedSchedules(pauseSources(this.catalog, p)).map(sourceInfo),
      'repo.usage': (p) => this.withBackend(p.repositoryId, repositoryUsage),
      'privacy.erasePath': (p) => this.erasure.erasePath(p),
      'privacy.erasePreview': (p) => this.erasure.erasePreview(p),
      'privacy.eraseAll': (p) => this.erasure.eraseAll(p),
      'privacy.tombstones': (p) => this.erasure.tombstones(p),
      'privacy.receipts': () => this.erasure.receipts(),
      'snapshots.freeze': (p) => this.erasure.freeze(p),
      'snapshots.unfreeze': (p) => this.erasure.unfreeze(p),
      ...this.privacy.handlers(),
    };
  }

  /** Opens the catalog in `options.dataDir` (creating it) and returns a host over it. */
  static open(options: EngineHostOptions): EngineHost {
    const dataDir = path.resolve(options.dataDir);
    return new EngineHost(Catalog.open(dataDir), { ...options, dataDir });
  }

  // ------------------------------------------------------------------------------------------
  // Dispatch

  /** Runs one contract method; every failure is a ContractError. */
  async handle(method: string, params: unknown): Promise<unknown> {
    if (!isMethodName(method)) throw new ContractError('unknown-method', `there is no method "${method}"`);
    if (this.closed) throw new ContractError('internal', 'Cairn is shutting down');
    const spec = methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      throw new ContractError('invalid-request', `invalid parameters for ${method}: ${describeIssues(parsed.error)}`);
    }
    let result: unknown;
    try {
      result = await (this.handlers[method] as (p: unknown) => Promise<unknown>)(parsed.data);
    } catch (err) {
      throw toContractError(err);
    }
    if (this.options.validateResults) {
      const checked = spec.result.safeParse(result);
      if (!checked.success) {
        throw new ContractError(
          'internal',
          `the result of ${method} broke the contract: ${describeIssues(checked.error)}`,
        );
      }
    }
    return result;
  }

  /** Typed form of `handle`. */
  call<M extends MethodName>(method: M, params: z.input<(typeof methods)[M]['params']>): Promise<Result<M>> {
    return this.handle(method, params) as Promise<Result<M>>;
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels running tasks, closes every open repository and the catalog. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.schedules.stop();
    this.scheduledVerification.stop();
    this.usageReporting.stop();
    await this.tasks.close();
    await this.watching.close();
    const repos = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(repos.map((r) => r.close()));
    this.listeners.clear();
    this.catalog.close();
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one broken subscriber must not affect the others
      }
    }
  }

  /** Sends `payload` as the event `name` and returns it. */
  private published<E extends EventName>(name: E, payload: EventPayload<E>): EventPayload<E> {
    this.emit({ name, payload } as EngineEvent);
    return payload;
  }

  /** A new recovery key for the printable recovery kit (shown once). */
  private async recoveryKit(repositoryId: string): Promise<Result<'keys.createRecoveryKey'>> {
    const { record, repo } = this.unlocked(repositoryId);
    const { slotId, recoveryKey } = await createRecoveryKey(repo, this.options.kdf);
    return {
      repositoryId: record.id,
      label: record.label,
      location: record.location,
      slotId,
      recoveryKey,
      createdAt: new Date().toISOString(),
    };
  }

  private emitStatus(): void {
    if (this.listeners.size > 0) this.emit({ name: 'app.status', payload: this.status() });
  }

  // ------------------------------------------------------------------------------------------
  // App and repositories

  private status(): Result<'app.status'> {
    const repositories = this.catalog.listRepositories();
    const last = repositories
      .map((r) => r.lastBackupAt)
      .filter((t): t is string => t !== null)
      .sort()
      .at(-1);
    return {
      version: VERSION,
      dataDir: this.options.dataDir,
      repositories: repositories.map((r) => this.info(r)),
      runningTasks: this.tasks.runningCount(),
      lastSuccessfulBackupAt: last ?? null,
    };
  }

  private info(record: RepositoryRecord): Result<'repo.unlock'> {
    return {
      id: record.id,
      label: record.label,
      location: record.location,
      region: record.region as z.output<typeof Region>,
      unlocked: this.open.has(record.id),
      lastBackupAt: record.lastBackupAt,
      lastCheckAt: record.lastCheckAt,
    };
  }

  private backendFor(location: string): Backend {
    try {
      return openBackend(location);
    } catch (err) {
      throw new ContractError('invalid-argument', (err as Error).message);
    }
  }

  private requireRecord(id: string): RepositoryRecord {
    const record = this.catalog.getRepository(id);
    if (!record) throw new ContractError('not-found', `there is no repository ${id} in this app`);
    return record;
  }

  /** The open repository, or 'locked' when it has not been unlocked with its password. */
  private unlocked(id: string): { record: RepositoryRecord; repo: Repository } {
    const record = this.requireRecord(id);
    const repo = this.open.get(id);
    if (!repo) {
      throw new ContractError('locked', `the repository "${record.label}" is locked: unlock it with its password`);
    }
    const invalid = this.dropIfInvalid(id);
    if (invalid) throw toContractError(invalid);
    return { record, repo };
  }

  /**
   * A session that found its repository erased or replaced, or its password removed, by another
   * program or computer is closed: the repository shows as locked until it is unlocked again.
   */
  private dropIfInvalid(id: string): Error | undefined {
    const repo = this.open.get(id);
    const invalid = repo?.invalid;
    if (!repo || !invalid) return undefined;
    this.open.delete(id);
    void repo.close().catch(() => undefined);
    this.emitStatus();
    return invalid;
  }

  private async createRepository(p: ParsedParams<'repo.create'>): Promise<Result<'repo.create'>> {
    const backend = this.backendFor(p.location);
    const known = this.catalog.findRepositoryByLocation(backend.location);
    if (known) {
      throw new ContractError(
        'invalid-argument',
        `the repository at ${backend.location} is already in this app (as "${known.label}")`,
      );
    }
    this.privacy.authorizeRegion(p.region, backend.location, 'repo.create', p.allowRegionTransfer);
    const repo = await Repository.init(backend, p.password, this.options.kdf ? { kdf: this.options.kdf } : {});
    try {
      const record = this.catalog.addRepository({
        id: repo.config.id,
        location: backend.location,
        label: p.label,
        region: p.region,
      });
      this.open.set(record.id, repo);
      this.privacy.repositoryAdded(record, 'repo.create', p.allowRegionTransfer);
      this.emitStatus();
      return this.info(record);
    } catch (err) {
      await repo.close();
      throw err;
    }
  }

  private async connectRepository(p: ParsedParams<'repo.connect'>): Promise<Result<'repo.connect'>> {
    const backend = this.backendFor(p.location);
    this.privacy.authorizeRegion(p.region, backend.location, 'repo.connect', p.allowRegionTransfer);
    const repo = await this.openOrReport(backend, p.password, {
      id: this.catalog.findRepositoryByLocation(backend.location)?.id ?? null,
      label: p.label,
      location: backend.location,
    });
    try {
      const id = repo.config.id;
      const byId = this.catalog.getRepository(id);
      const byLocation = this.catalog.findRepositoryByLocation(backend.location);
      if (byLocation && byLocation.id !== id) {
        throw new ContractError(
          'invalid-argument',
          `another repository ("${byLocation.label}") is registered at ${backend.location}; remove it first`,
        );
      }
      let record: RepositoryRecord;
      if (byId) {
        if (byId.location !== backend.location) {
          throw new ContractError(
            'invalid-argument',
            `this repository is already in the app at ${byId.location} (as "${byId.label}")`,
          );
        }
        record = this.catalog.updateRepository(id, { label: p.label, region: p.region });
      } else {
        record = this.catalog.addRepository({ id, location: backend.location, label: p.label, region: p.region });
      }
      record = await this.noteNewestBackup(record, repo);
      const previous = this.open.get(id);
      if (previous) await repo.close();
      else {
        this.open.set(id, repo);
        await this.applyTombstones(record, repo);
      }
      this.privacy.repositoryAdded(record, 'repo.connect', p.allowRegionTransfer);
      this.emitStatus();
      return this.info(record);
    } catch (err) {
      if (this.open.get(repo.config.id) !== repo) await repo.close();
      throw err;
    }
  }

  private async unlockRepository(p: ParsedParams<'repo.unlock'>): Promise<Result<'repo.unlock'>> {
    const record = this.requireRecord(p.repositoryId);
    const repo = await this.openOrReport(this.backendFor(record.location), p.password, record);
    if (repo.config.id !== record.id) {
      await repo.close();
      throw new ContractError(
        'integrity',
        `the repository now at ${record.location} is not "${record.label}" (its id differs): it was replaced or moved`,
      );
    }
    const updated = await this.noteNewestBackup(record, repo).catch(async (err: unknown) => {
      await repo.close();
      throw err;
    });
    // Already unlocked: the password was checked again; the open session stays in use.
    if (this.open.has(record.id)) await repo.close();
    else {
      this.open.set(record.id, repo);
      await this.applyTombstones(record, repo);
    }
    this.emitStatus();
    return this.info(updated);
  }

  /** Recovery points made elsewhere (the CLI, another computer) count for "last backup". */
  private async noteNewestBackup(record: RepositoryRecord, repo: Repository): Promise<RepositoryRecord> {
    const newest = await newestBackupTime(repo);
    if (!newest || (record.lastBackupAt && Date.parse(record.lastBackupAt) >= Date.parse(newest))) return record;
    return this.catalog.updateRepository(record.id, { lastBackupAt: newest });
  }

  /** Erasure tombstones of the repository are applied on opening; if that fails it stays locked. */
  private async applyTombstones(record: RepositoryRecord, repo: Repository): Promise<void> {
    try {
      await this.erasure.applyTombstones(record, repo);
    } catch (err) {
      if (this.open.get(record.id) === repo) this.open.delete(record.id);
      await repo.close();
      throw err;
    }
  }

  /** Opens a repository; an integrity failure (not a wrong password) opens an incident. */
  private async openOrReport(
    backend: Backend,
    password: string,
    repository: { id: string | null; label: string; location: string },
  ): Promise<Repository> {
    try {
      return await openWithPassword(() => backend, password);
    } catch (err) {
      this.privacy.openFailed(repository, err);
      throw err;
    }
  }

  private async lockRepository(p: ParsedParams<'repo.lock'>): Promise<Result<'repo.lock'>> {
    const record = this.requireRecord(p.repositoryId);
    const busy = this.tasks.activeFor(record.id);
    if (busy.length > 0) {
      throw new ContractError(
        'locked',
        `"${record.label}" cannot be locked while a task uses it (task ${busy.join(', ')}); cancel it or wait for it to finish`,
      );
    }
    const repo = this.open.get(record.id);
    this.open.delete(record.id);
    await repo?.close();
    this.emitStatus();
    return { ok: true };
  }

  private async addSource(p: ParsedParams<'sources.add'>): Promise<Result<'sources.add'>> {
    this.requireRecord(p.repositoryId);
    if (!path.isAbsolute(p.path)) {
      throw new ContractError('invalid-argument', `the folder to back up must be an absolute path (got "${p.path}")`);
    }
    try {
      await fs.lstat(p.path);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : describeError(err);
      throw new ContractError('not-found', `cannot add ${p.path}: ${reason}`);
    }
    const added = this.catalog.addSource({ repositoryId: p.repositoryId, path: p.path, excludes: p.excludes });
    this.privacy.audit('source.added', {
      sourceId: added.id,
      repositoryId: added.repositoryId,
      path: added.path,
      excludes: added.excludes,
    });
    void this.watching.refresh();
    return sourceInfo(added);
  }

  private async setSchedule(p: ParsedParams<'sources.setSchedule'>): Promise<Result<'sources.setSchedule'>> {
    if (!this.catalog.getSource(p.id)) throw new ContractError('not-found', `there is no source ${p.id}`);
    if (p.schedule) validateSchedule(p.schedule);
    const stored: StoredSchedule | null = p.schedule
      ? { schedule: p.schedule, requireAcPower: p.requireAcPower }
      : null;
    const updated = this.catalog.updateSource(p.id, { schedule: stored as unknown as JsonObject | null });
    this.schedules.refresh();
    this.privacy.audit('schedule.changed', { sourceId: p.id, schedule: p.schedule, requireAcPower: p.requireAcPower });
    return sourceInfo(updated);
  }

  /** A scheduled backup: an ordinary backup task of one source; rejects unless it succeeded. */
  private async runScheduledBackup(sourceId: number): Promise<void> {
    const source = this.catalog.getSource(sourceId);
    if (!source || !this.privacy.backupAllowed()) return;
    const { taskId } = await this.startBackup({ repositoryId: source.repositoryId, sourceIds: [sourceId] });
    const task = await this.tasks.settled(taskId);
    if (task.status !== 'succeeded') throw new Error(task.error ?? `the scheduled backup ended ${task.status}`);
    if (!readRetention(this.catalog, source.repositoryId)) return;
    // The backup succeeded: retention is a task of its own, whose failure is that task's, not
    // the backup's (so the scheduler does not retry a backup that worked). It is not started
    // when the repository was locked meanwhile or a clean-up the user started is running.
    let cleanup: string;
    try {
      cleanup = this.startRetention(source.repositoryId).id;
    } catch {
      return;
    }
    await this.tasks.settled(cleanup);
  }

  // ------------------------------------------------------------------------------------------
  // Retention

  /**
   * Applies the repository's stored policy as a 'forget' task. It shares the backups' exclusive
   * slot: a backup must not dedupe against data the prune is removing, nor write while the
   * session index is reloaded.
   */
  private startRetention(repositoryId: string): ReturnType<TaskManager['start']> {
    const { record, repo } = this.unlocked(repositoryId);
    const retention = readRetention(this.catalog, record.id);
    if (!retention) {
      throw new ContractError('invalid-argument', `"${record.label}" has no retention policy: set one first`);
    }
    return this.tasks.start({
      kind: 'forget',
      repositoryId: record.id,
      exclusiveKey: `backup:${record.id}`,
      busyMessage: `a backup or clean-up of "${record.label}" is running; wait for it to finish or cancel it`,
      run: async (ctx) => {
        const outcome = await applyRetention(repo, retention, {
          signal: ctx.signal,
          frozen: this.erasure.frozenIds(record.id),
          onRemoved: (removed, kept) =>
            ctx.message(`removed ${removed.length} recovery point(s) by the retention policy; ${kept} kept`),
          onPruneProgress: (pr) =>
            ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null }),
        });
        if (outcome.pruned) ctx.message(`freed ${outcome.bytesFreed} bytes of data only they used`);
        this.emitStatus();
        return {
          removed: outcome.removed,
          kept: outcome.kept,
          pruned: outcome.pruned,
          bytesFreed: outcome.bytesFreed,
          packsDeleted: outcome.packsDeleted,
        };
      },
    });
  }

  // ------------------------------------------------------------------------------------------
  // Backup, snapshots, restore, check

  private async startBackup(p: ParsedParams<'backup.start'>): Promise<Result<'backup.start'>> {
    const { record, repo } = this.unlocked(p.repositoryId);
    let sources = this.catalog.listSources(record.id);
    if (p.sourceIds) {
      const wanted = new Set(p.sourceIds);
      const missing = p.sourceIds.filter((id) => !sources.some((s) => s.id === id));
      if (missing.length > 0) {
        throw new ContractError('not-found', `"${record.label}" has no source ${missing.join(', ')}`);
      }
      sources = sources.filter((s) => wanted.has(s.id));
    }
    if (sources.length === 0) {
      throw new ContractError('invalid-argument', `"${record.label}" has no folders to back up yet: add one first`);
    }
    const paths = sources.map((s) => s.path);
    const excludes = [...new Set(sources.flatMap((s) => s.excludes))];
    const task = this.tasks.start({
      kind: 'backup',
      repositoryId: record.id,
      exclusiveKey: `backup:${record.id}`,
      busyMessage: `a backup of "${record.label}" is already running; wait for it to finish or cancel it`,
      run: async (ctx) => {
        let warnings = 0;
        const plan = this.watching.planBackup(paths, excludes);
        await plan?.prepare().catch(() => undefined);
        const { snapshot, usedJournal } = await withLock(repo, 'backup', false, () =>
          backup(repo, {
            paths,
            excludes,
            planChanges: plan ? (parent) => plan.plan(parent) : undefined,
            treeStats: this.watching.journal(),
            signal: ctx.signal,
            onProgress: (pr) =>
              ctx.progress({
                files: pr.filesDone,
                bytes: pr.bytesDone,
                totalBytes: pr.bytesTotal ?? null,
                filesTotal: pr.filesTotal ?? null,
                currentPath: pr.currentPath ?? null,
              }),
            onWarning: (w) => {
              warnings++;
              if (warnings <= MAX_TASK_MESSAGES) ctx.message(w, 'warning');
            },
          }),
        );
        const s = snapshot.summary;
        try {
          plan?.commit(snapshot);
        } catch (err) {
          ctx.message(`cannot update the watcher journal (the next backup rescans): ${describeError(err)}`, 'warning');
        }
        ctx.progress({ files: s.totalFiles, bytes: s.totalBytes, totalBytes: s.totalBytes });
        if (warnings > MAX_TASK_MESSAGES)
          ctx.message(`${warnings - MAX_TASK_MESSAGES} more warnings not shown`, 'warning');
        this.catalog.updateRepository(record.id, { lastBackupAt: snapshot.time });
        ctx.message(
          `${snapshot.partial ? 'partial ' : ''}recovery point ${snapshot.id.slice(0, 8)} saved: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged files${usedJournal ? ' (only what the watcher saw change was read)' : ''}`,
        );
        this.emitStatus();
        return {
          snapshotId: snapshot.id,
          partial: snapshot.partial,
          warnings: snapshot.warnings.length,
          filesNew: s.filesNew,
          filesChanged: s.filesChanged,
          filesUnchanged: s.filesUnchanged,
          totalFiles: s.totalFiles,
          totalBytes: s.totalBytes,
          dataAdded: s.dataAdded,
          dataAddedStored: s.dataAddedStored,
          usedJournal,
        };
      },
    });
    return { taskId: task.id };
  }

  private async listSnapshots(p: ParsedParams<'snapshots.list'>): Promise<Result<'snapshots.list'>> {
    const { repo } = this.unlocked(p.repositoryId);
    const all = await repo.listSnapshots();
    const frozen = this.erasure.frozenIds(p.repositoryId);
    return all
      .map((s) => ({
        id: s.id,
        time: s.time,
        hostname: s.hostname,
        paths: s.paths,
        tags: s.tags,
        partial: s.partial,
        filesNew: s.summary.filesNew,
        filesChanged: s.summary.filesChanged,
        filesUnchanged: s.summary.filesUnchanged,
        totalFiles: s.summary.totalFiles,
        totalBytes: s.summary.totalBytes,
        dataAdded: s.summary.dataAdded,
        dataAddedStored: s.summary.dataAddedStored,
        frozen: frozen.has(s.id),
      }))
      .reverse();
  }

  private async browse(p: ParsedParams<'snapshots.browse'>): Promise<Result<'snapshots.browse'>> {
    const { repo } = this.unlocked(p.repositoryId);
    await repo.loadIndex();
    const snapshot = await repo.findSnapshot(p.snapshotId);
    this.erasure.assertNotFrozen(p.repositoryId, snapshot.id, 'browse');
    const entries: Result<'snapshots.browse'> = [];
    for await (const e of walk(repo, snapshot.tree, p.path || '/', { recursive: false })) {
      entries.push({
        name: e.node.name,
        path: e.path,
        type: e.node.type,
        size: e.node.type === 'file' ? (e.node.size ?? 0) : null,
        mtime: new Date(e.node.mtime).toISOString(),
      });
    }
    return entries;
  }

  private async startRestore(p: ParsedParams<'restore.start'>): Promise<Result<'restore.start'>> {
    const { record, repo } = this.unlocked(p.repositoryId);
    if (!path.isAbsolute(p.target)) {
      throw new ContractError(
        'invalid-argument',
        `the folder to restore into must be an absolute path (got "${p.target}")`,
      );
    }
    await repo.loadIndex();
    const snapshot = await repo.findSnapshot(p.snapshotId);
    const request = resolveRestoreRequest(snapshot, p.target, p.include);
    this.erasure.assertNotFrozen(p.repositoryId, snapshot.id, 'restore');
    const task = this.tasks.start({
      kind: 'restore',
      repositoryId: record.id,
      run: async (ctx) => {
        const r = await withLock(repo, 'restore', false, () =>
          restore(repo, snapshot, {
            target: request.target,
            include: request.include.length > 0 ? request.include : undefined,
            overwrite: p.overwrite,
            keepBoth: p.keepBoth,
            signal: ctx.signal,
            onProgress: (pr) =>
              ctx.progress({
                files: pr.filesDone,
                bytes: pr.bytesDone,
                totalBytes: pr.bytesTotal,
                currentPath: pr.currentPath ?? null,
              }),
          }),
        );
        const problems = [
          ...r.refused.map((x) => `refused ${x.path}: ${x.reason}`),
          ...r.errors.map((x) => `failed ${x.path}: ${x.message}`),
        ];
        for (const text of problems.slice(0, MAX_TASK_MESSAGES)) ctx.message(text, 'error');
        const skipped = r.conflicts.filter((c) => c.action === 'skip').length;
        if (skipped > 0) ctx.message(`${skipped} existing file(s) were left as they were`, 'warning');
        const result: Record<string, JsonValue> = {
          snapshotId: r.snapshotId,
          target: r.target,
          filesRestored: r.filesRestored,
          dirsRestored: r.dirsRestored,
          symlinksRestored: r.symlinksRestored,
          bytesRestored: r.bytesRestored,
          conflicts: r.conflicts.length,
          refused: r.refused.length,
          errors: r.errors.length,
        };
        if (r.errors.length > 0 || r.refused.length > 0) {
          throw new TaskFailure(
            `${r.errors.length + r.refused.length} item(s) could not be restored; the others were restored to ${r.target}`,
            result,
          );
        }
        return result;
      },
    });
    return { taskId: task.id };
  }

  private async startCheck(p: ParsedParams<'check.start'>): Promise<Result<'check.start'>> {
    const { record, repo } = this.unlocked(p.repositoryId);
    const task = this.tasks.start({
      kind: 'check',
      repositoryId: record.id,
      run: async (ctx) => {
        const r = await withLock(repo, 'check', false, () =>
          check(repo, { readData: p.readData ? { kind: 'all' } : undefined, onProgress: checkProgress(ctx) }),
        );
        reportCheckFindings(ctx, r);
        this.privacy.integrityProblems(record, r.errors, 'a check');
        // A full read counts for rolling verification: intact packs, and any failure.
        if (p.readData) this.verification.record(record.id, r.packsVerified, r.errors, new Date());
        const result: Record<string, JsonValue> = {
          ok: r.ok,
          problems: r.errors.length,
          snapshots: r.snapshots,
          trees: r.trees,
          packs: r.packs,
          packsRead: r.packsRead,
          bytesRead: r.bytesRead,
        };
        if (!r.ok) throw new TaskFailure(`the check found ${r.errors.length} problem(s) in "${record.label}"`, result);
        // Only a check that found no damage counts as the last check.
        this.catalog.updateRepository(record.id, { lastCheckAt: new Date().toISOString() });
        this.emitStatus();
        return result;
      },
    });
    return { taskId: task.id };
  }

  // ------------------------------------------------------------------------------------------
  // Rolling verification

  /** A 'check' task reading the next slice of packs; problems fail it and are recorded. */
  private async startVerifySlice(p: ParsedParams<'verify.slice'>): Promise<Result<'verify.slice'>> {
    const { record, repo } = this.unlocked(p.repositoryId);
    const task = this.tasks.start({
      kind: 'check',
      repositoryId: record.id,
      exclusiveKey: `verify:${record.id}`,
      busyMessage: `stored data of "${record.label}" is already being verified; wait for it to finish or cancel it`,
      run: async (ctx) => {
        const { all, slice, r } = await withLock(repo, 'check', false, async () => {
          const all = await listPackIds(repo.backend);
          const slice = this.verification.planSlice(record.id, all, { windowDays: p.windowDays, now: new Date() });
          ctx.message(`reading ${slice.length} of ${all.length} pack(s) of stored data`);
          const r = await check(repo, { readData: { kind: 'packs', ids: slice }, onProgress: checkProgress(ctx) });
          return { all, slice, r };
        });
        const now = new Date();
        this.verification.record(record.id, r.packsVerified, r.errors, now, all);
        const coverage = this.verification.coverage(record.id, all, { windowDays: p.windowDays, now });
        reportCheckFindings(ctx, r);
        this.privacy.integrityProblems(record, r.errors, 'rolling verification');
        const result: Record<string, JsonValue> = {
          ok: r.ok,
          problems: r.errors.length,
          packs: all.length,
          packsPlanned: slice.length,
          packsRead: r.packsRead,
          packsVerified: r.packsVerified.length,
          bytesRead: r.bytesRead,
          verifiedShare: coverage.verifiedShare,
          windowDays: coverage.windowDays,
        };
        if (!r.ok) {
          this.emitStatus();
          throw new TaskFailure(
            `verifying stored data of "${record.label}" found ${r.errors.length} problem(s); the first: ${r.errors[0]?.object}: ${r.errors[0]?.message}`,
            result,
          );
        }
        ctx.message(
          `${Math.floor(coverage.verifiedShare * 100)}% of the stored data verified in the last ${coverage.windowDays} days`,
        );
        this.catalog.updateRepository(record.id, { lastCheckAt: now.toISOString() });
        this.emitStatus();
        return result;
      },
    });
    return { taskId: task.id };
  }

  /** Re-reads the schedules after sources changed; returns what it was given. */
  private refreshedSchedules<T>(value: T): T {
    this.schedules.refresh();
    return value;
  }

  /** Runs `fn` on the repository's backend: the open one, or a fresh one closed afterwards (no key needed). */
  private async withBackend<T>(repositoryId: string, fn: (backend: Backend) => Promise<T>): Promise<T> {
    const record = this.requireRecord(repositoryId);
    const open = this.open.get(record.id);
    if (open) return fn(open.backend);
    const backend = this.backendFor(record.location);
    try {
      return await fn(backend);
    } finally {
      await backend.close();
    }
  }

  /** Coverage from the catalog and the pack list; works on a locked repository too (no key needed). */
  private async verificationCoverage(p: ParsedParams<'verify.coverage'>): Promise<Result<'verify.coverage'>> {
    const record = this.requireRecord(p.repositoryId);
    const open = this.open.get(record.id);
    let all: string[];
    if (open) all = await listPackIds(open.backend);
    else {
      const backend = this.backendFor(record.location);
      try {
        all = await listPackIds(backend);
      } finally {
        await backend.close();
      }
    }
    return this.verification.coverage(record.id, all, { windowDays: p.windowDays, now: new Date() });
  }
}

/**
 * Opens a repository with what the user typed; when that is refused and it is shaped like a
 * recovery key typed loosely (lower case, spaces, O for 0), tries its canonical form too.
 */
async function openWithPassword(backend: () => Backend, password: string): Promise<Repository> {
  try {
    return await Repository.open(backend(), password);
  } catch (err) {
    const canonical = normalizeRecoveryKey(password);
    if (!(err instanceof CairnError) || err.code !== 'wrong-password' || !canonical || canonical === password)
      throw err;
    return Repository.open(backend(), canonical);
  }
}

/** The ids of every pack stored in the repository (sorted). */
async function listPackIds(backend: Backend): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of backend.list('data')) ids.push(info.id);
  return ids.sort();
}

function sourceInfo(s: {
  id: number;
  repositoryId: string;
  path: string;
  excludes: string[];
  schedule: JsonObject | null;
  pausedUntil: string | null;
}): Result<'sources.add'> {
  const stored = readStoredSchedule(s.schedule);
  return {
    id: s.id,
    repositoryId: s.repositoryId,
    path: s.path,
    excludes: s.excludes,
    schedule: stored?.schedule ?? null,
    requireAcPower: stored?.requireAcPower ?? false,
    pausedUntil: activePause(s.pausedUntil),
  };
}

/**
 * Progress of a check task: a message per phase and the share done. The checker takes no signal,
 * so cancelling stops it at its next progress report.
 */
function checkProgress(ctx: TaskContext): (p: { phase: string; done: number; total: number }) => void {
  let phase = '';
  return (pr) => {
    ctx.signal.throwIfAborted();
    if (pr.phase !== phase) {
      phase = pr.phase;
      ctx.message(`checking ${pr.phase === 'data' ? 'stored data' : pr.phase}`);
    }
    ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null });
  };
}

/** The problems and notes of a check, as task messages. */
function reportCheckFindings(ctx: TaskContext, r: CheckResult): void {
  for (const e of r.errors.slice(0, MAX_TASK_MESSAGES)) ctx.message(`${e.object}: ${e.message}`, 'error');
  for (const n of r.notes.slice(0, MAX_TASK_MESSAGES)) ctx.message(n);
}
