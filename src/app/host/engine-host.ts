/**
 * The engine behind the contract: `EngineHost.handle(method, params)` validates the request with
 * the method's zod schema, runs the method's handler and maps every failure to a ContractError.
 * This file is the composition root: it builds the services the handlers share once (the clock,
 * catalog, tasks, open repositories, whether their storage answers, events, privacy records,
 * frozen points, scheduler, watcher, verification, alert webhook) and merges the handler modules of handlers/, one per contract namespace, into
 * one map that must hold every method. It also owns the background work (scheduled backups and
 * verification, usage reporting) and shutting it all down.
 */

import path from 'node:path';
import type { z } from 'zod';
import { ContractError } from '../../contract/errors.js';
import { isMethodName, type MethodName, methods, type Result } from '../../contract/methods.js';
import { PROGRAM } from '../../engine/backup/archiver.js';
import type { KdfCost } from '../../engine/crypto/kdf.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import { Catalog } from '../catalog/catalog.js';
import { DEFAULT_WINDOW_DAYS, VerificationTracker } from '../catalog/verification.js';
import type { AuditKeyChoice } from '../privacy/audit-key.js';
import { FrozenPoints } from '../privacy/restriction/frozen.js';
import type { OpenOptions } from '../services/open-repository.js';
import { describeIssues, toContractError } from './errors.js';
import { type EngineListener, Events } from './events.js';
import { appHandlers } from './handlers/app.js';
import { backupHandlers, runScheduledBackup } from './handlers/backup.js';
import { checkHandlers, startVerifySlice } from './handlers/check.js';
import { fsHandlers } from './handlers/fs.js';
import { keysHandlers } from './handlers/keys.js';
import { privacyHandlers } from './handlers/privacy.js';
import { repairHandlers } from './handlers/repair.js';
import { repoHandlers } from './handlers/repo.js';
import { requestsHandlers } from './handlers/requests.js';
import { restoreHandlers } from './handlers/restore.js';
import { retentionHandlers } from './handlers/retention.js';
import { settingsHandlers } from './handlers/settings.js';
import { snapshotsHandlers } from './handlers/snapshots.js';
import { sourcesHandlers } from './handlers/sources.js';
import { taskHandlers } from './handlers/tasks.js';
import type { Handlers } from './handlers/types.js';
import type { HostServices } from './host-services.js';
import { OpenRepositories } from './open-repositories.js';
import { PrivacyApp } from './privacy-app.js';
import { RepositoryStorage } from './repository-storage.js';
import { ScheduledBackups } from './scheduled-backups.js';
import { ScheduledVerification, type ScheduledVerificationOptions } from './scheduled-verification.js';
import { SourceWatching } from './source-watching.js';
import { appStatus } from './status.js';
import { StorageCredentials } from './storage-credentials.js';
import { StorageReachability } from './storage-reachability.js';
import { TaskManager } from './task-manager.js';
import { UsageReporting, type UsageReportingOptions } from './usage-reporting.js';
import { AlertWebhook, type WebhookOptions } from './webhook.js';

export { describeIssues, toContractError } from './errors.js';
export type { EngineEvent, EngineListener } from './events.js';

export interface EngineHostOptions {
  dataDir: string;
  /**
   * Key derivation and cost of new repositories and their new key slots (default: Argon2id at
   * the engine's cost, ~0.25 s); tests lower it.
   */
  kdf?: KdfCost;
  /**
   * The clock that dates what the app records: recovery points, freezes, erasures, audit entries,
   * checks, repository locks, and the key slots of the repositories it creates (default: the
   * system clock); tests fix it.
   */
  clock?: Clock;
  /** Minimum time between two progress updates of a task (default 250 ms). */
  progressIntervalMs?: number;
  /** Validate every result against the method's result schema (tests). */
  validateResults?: boolean;
  /** Watch the backup folders so that backups read only what changed (the app and `cairn serve`). */
  watch?: boolean;
  /** Sending usage statistics (only with consent and an address; default: weekly, ticking hourly). */
  usageReporting?: UsageReportingOptions;
  /**
   * How often the sources' pause is re-read from the catalog, for a pause another process set or
   * lifted (`cairn pause`); a change is sent as `app.status` (default 30 s). Tests shorten it.
   */
  pauseCheckMs?: number;
  /** Scheduled rolling verification of unlocked repositories (default: a slice a day, ticking every 10 min). */
  verification?: ScheduledVerificationOptions;
  /**
   * How long and how often the storage of the app's remote repositories is retried after a
   * transient failure (default: backoff up to 30 s between attempts, for up to 5 minutes); tests
   * shorten it.
   */
  storageRetry?: OpenOptions['retry'];
  /** How long the alert webhook waits for an answer and how often it retries (tests shorten it). */
  webhook?: WebhookOptions;
  /**
   * The audit trail's key as the desktop app's main process chose it (the OS keychain, or why not;
   * src/main/audit-keychain.ts); without it, the key file in the data folder (the CLI, `cairn serve`).
   */
  auditKey?: AuditKeyChoice;
}

const VERSION = PROGRAM.replace(/^cairn\s+/, '');

export class EngineHost {
  readonly tasks: TaskManager;
  readonly privacy: PrivacyApp;
  readonly usageReporting: UsageReporting;
  private readonly events: Events;
  private readonly repositories: OpenRepositories;
  private readonly schedules: ScheduledBackups;
  private readonly watching: SourceWatching;
  private readonly scheduledVerification: ScheduledVerification;
  /** The optional alert webhook (settings.set `webhook`), told of every task's outcome. */
  readonly alerts: AlertWebhook;
  private readonly handlers: Handlers<MethodName>;
  private closed = false;

  private constructor(
    readonly catalog: Catalog,
    private readonly options: EngineHostOptions,
  ) {
    const { dataDir } = options;
    const clock = options.clock ?? systemClock;
    const tasks = new TaskManager(catalog, options.progressIntervalMs);
    // The status is built only when it is sent, by then every service below exists.
    const events = new Events(() => appStatus(services));
    const reachability = new StorageReachability(clock, () => events.emitStatus());
    // Credentials live in this object only, for as long as the host runs.
    const storage = new RepositoryStorage(
      catalog,
      new StorageCredentials(),
      dataDir,
      reachability,
      options.storageRetry,
    );
    const frozen = new FrozenPoints(dataDir);
    const repositories = new OpenRepositories(catalog, events, (record) => storage.backendFor(record), frozen);
    // A task stopped while its storage is down must not sit out the retry pauses.
    tasks.onCancelled((task) => {
      if (task.repositoryId) repositories.get(task.repositoryId)?.backend.interruptRetries?.();
    });
    const privacy = new PrivacyApp({
      dataDir,
      appVersion: VERSION,
      catalog,
      clock,
      auditKey: options.auditKey,
      openRepository: (id) => repositories.get(id),
      incidentsChanged: (open) => {
        events.emit({ name: 'incidents.changed', payload: open });
        events.emitStatus();
      },
      backupConsentChanged: () => schedules.refresh(),
    });
    const usageReporting = new UsageReporting(
      () => privacy.records.usage,
      () => privacy.records.settings.read().usageEndpoint,
      () => undefined,
      options.usageReporting,
    );
    usageReporting.start();
    // Scheduled runs fire from timers, never while this constructor runs.
    const schedules = new ScheduledBackups(
      catalog,
      (sourceId) => runScheduledBackup(services, sourceId),
      undefined,
      () => privacy.backupAllowed(),
      { everyMs: options.pauseCheckMs, changed: () => events.emitStatus() },
    );
    // The tray says when a due backup waits for power, an idle computer or an unmetered connection.
    schedules.onWaitingChanged(() => events.emitStatus());
    const verification = new VerificationTracker(catalog);
    const watching = new SourceWatching(dataDir, catalog, options.watch ?? false);
    void watching.refresh();
    const scheduledVerification = new ScheduledVerification(
      catalog,
      () => repositories.ids(),
      async (repositoryId) => {
        await startVerifySlice(services, { repositoryId, windowDays: DEFAULT_WINDOW_DAYS });
      },
      options.verification,
    );
    scheduledVerification.start();
    const alerts = new AlertWebhook({ catalog, tasks, version: VERSION }, options.webhook);
    const services: HostServices = {
      dataDir,
      version: VERSION,
      kdf: options.kdf,
      clock,
      catalog,
      tasks,
      repositories,
      storage,
      reachability,
      events,
      privacy,
      frozen,
      schedules,
      watching,
      verification,
      alerts,
    };
    tasks.subscribe((task) => events.emit({ name: 'task.updated', payload: task }));
    tasks.subscribe((task) => privacy.taskUpdated(task));
    tasks.subscribe((task) => {
      if (task.status === 'failed' && task.repositoryId) repositories.dropIfInvalid(task.repositoryId);
    });
    // A task of a repository that succeeded reached its storage; one that failed because the
    // storage did not answer marks it unreachable.
    tasks.onSettled((task, error) => {
      if (!task.repositoryId) return;
      if (task.status === 'succeeded') reachability.reachable(task.repositoryId);
      else if (task.status === 'failed') reachability.failed(task.repositoryId, error);
    });
    this.handlers = {
      ...appHandlers(services),
      ...repoHandlers(services),
      ...sourcesHandlers(services),
      ...backupHandlers(services),
      ...snapshotsHandlers(services),
      ...restoreHandlers(services),
      ...checkHandlers(services),
      ...repairHandlers(services),
      ...taskHandlers(services),
      ...retentionHandlers(services),
      ...keysHandlers(services),
      ...settingsHandlers(services),
      ...fsHandlers(),
      ...privacyHandlers(services),
      ...requestsHandlers(services),
    };
    this.tasks = tasks;
    this.privacy = privacy;
    this.usageReporting = usageReporting;
    this.events = events;
    this.repositories = repositories;
    this.schedules = schedules;
    this.watching = watching;
    this.scheduledVerification = scheduledVerification;
    this.alerts = alerts;
  }

  /** Opens the catalog in `options.dataDir` (creating it) and returns a host over it. */
  static open(options: EngineHostOptions): EngineHost {
    const dataDir = path.resolve(options.dataDir);
    return new EngineHost(Catalog.open(dataDir), { ...options, dataDir });
  }

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
    return this.events.subscribe(listener);
  }

  /** Cancels running tasks, closes every open repository and the catalog. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.schedules.stop();
    this.scheduledVerification.stop();
    this.usageReporting.stop();
    await this.tasks.close();
    await this.alerts.close();
    await this.watching.close();
    await this.repositories.closeAll();
    this.events.clear();
    this.catalog.close();
  }
}
