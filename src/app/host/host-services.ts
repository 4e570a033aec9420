/**
 * The services the engine host builds once and shares between its handler modules: the clock,
 * the catalog, the task manager, the open sessions, how their storage is opened (settings and
 * session credentials) and whether it answers, the event stream, the privacy records, the
 * frozen points, the scheduler, the watcher, the verification tracker and the alert webhook. Each handler module names the ones it
 * uses with `Pick<HostServices, …>`, so what a namespace depends on shows in its signature.
 */
import type { KdfCost } from '../../engine/crypto/kdf.js';
import type { Clock } from '../../engine/util/clock.js';
import type { Catalog } from '../catalog/catalog.js';
import type { VerificationTracker } from '../catalog/verification.js';
import type { FrozenPoints } from '../privacy/restriction/frozen.js';
import type { Events } from './events.js';
import type { OpenRepositories } from './open-repositories.js';
import type { PrivacyApp } from './privacy-app.js';
import type { RepositoryStorage } from './repository-storage.js';
import type { ScheduledBackups } from './scheduled-backups.js';
import type { SourceWatching } from './source-watching.js';
import type { StorageReachability } from './storage-reachability.js';
import type { TaskManager } from './task-manager.js';
import type { AlertWebhook } from './webhook.js';

export interface HostServices {
  /** The app's data folder (catalog, privacy records, watcher journal). */
  dataDir: string;
  /** The version `app.status` reports. */
  version: string;
  /** Key derivation and cost of new repositories and key slots (undefined: the engine's default). */
  kdf: KdfCost | undefined;
  /**
   * The app's one clock: it dates what the handlers' use cases record (recovery points, freezes,
   * erasures, audit entries, checks, the key slots of repositories created here) and what the
   * repository locks say.
   */
  clock: Clock;
  catalog: Catalog;
  tasks: TaskManager;
  repositories: OpenRepositories;
  /** How each repository's storage is opened: its settings (catalog) and session credentials (memory). */
  storage: RepositoryStorage;
  /** Whether each repository's storage answers ("storage unreachable since …" in `app.status`). */
  reachability: StorageReachability;
  events: Events;
  privacy: PrivacyApp;
  /** Recovery points restricted under GDPR Art. 18 (read from disk on every call). */
  frozen: FrozenPoints;
  schedules: ScheduledBackups;
  watching: SourceWatching;
  verification: VerificationTracker;
  /** The optional alert webhook (settings): tells an address of backup and check outcomes. */
  alerts: AlertWebhook;
}
