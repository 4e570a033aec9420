/**
 * The one typed map of Cairn's methods: `namespace.verb` → request and response schemas. It is
 * the only way the UI reaches the engine (Electron IPC, HTTP and tests all go through it).
 * Requests are validated against these schemas before they reach the engine.
 */
import { z } from 'zod';
import { MachineConditions } from './conditions.js';
import { PAUSE_UNTIL_RESUMED } from './pause.js';
import { requestMethods } from './requests.js';
import {
  AlertWebhookKind,
  AppSettings,
  AppStatus,
  AuditEntry,
  AuditVerification,
  BrowseEntry,
  ConsentState,
  // Erasure and restriction
  EraseAllReceipt,
  ErasePreview,
  ErasureReceipt,
  FrozenPoint,
  Incident,
  KeySlot,
  LocalListing,
  NotificationStatus,
  Ok,
  OverwritePolicy,
  PlannedRun,
  PowerState,
  PrivacyExportResult,
  PrivacyOverview,
  ProcessingRecordResult,
  Purpose,
  RecoveryKit,
  Region,
  RegionSettings,
  RepairKind,
  RepositoryHealth,
  RepositoryInfo,
  RepositoryUsage,
  RestorePreview,
  RetentionPolicy,
  RetentionPreview,
  RetentionSettings,
  Schedule,
  SearchResult,
  SnapshotDiff,
  SnapshotInfo,
  Source,
  SubProcessor,
  Task,
  Tombstone,
  UsagePreview,
  VerificationCoverage,
  WebhookDelivery,
} from './schemas.js';
import { LocationTest, RepositoryStorage, StorageCredentials, StorageSettings } from './storage.js';

const nonEmpty = z.string().min(1);
const password = z.string().min(1, 'the password must not be empty');

export const methods = {
  'app.status': { params: z.object({}), result: AppStatus },

  /**
   * `allowRegionTransfer`: the user's explicit instruction (a reason) to put data in a region other
   * than the chosen one; without it such a location is refused. It is logged in the audit trail.
   */
  /**
   * `storage`: what a remote location needs that is not secret (kept with the repository);
   * `credentials`: its secrets, held for the session only (the desktop keeps them in the keychain).
   */
  'repo.create': {
    params: z.object({
      location: nonEmpty,
      password,
      label: nonEmpty,
      region: Region,
      allowRegionTransfer: z.string().optional(),
      storage: StorageSettings.optional(),
      credentials: StorageCredentials.optional(),
    }),
    result: RepositoryInfo,
  },
  'repo.connect': {
    params: z.object({
      location: nonEmpty,
      password,
      label: nonEmpty,
      region: Region,
      allowRegionTransfer: z.string().optional(),
      storage: StorageSettings.optional(),
      credentials: StorageCredentials.optional(),
    }),
    result: RepositoryInfo,
  },
  /**
   * "Test connection": reaches the location with these settings and says whether a repository is
   * there, or what went wrong as a kind the UI words (a failure is a result, not an error). Bounded
   * in time; changes nothing.
   */
  'repo.testLocation': {
    params: z.object({
      location: nonEmpty,
      storage: StorageSettings.optional(),
      credentials: StorageCredentials.optional(),
    }),
    result: LocationTest,
  },
  /** A repository's storage settings and which credentials are held this session (never their values). */
  'repo.storageSettings': { params: z.object({ repositoryId: nonEmpty }), result: RepositoryStorage },
  /**
   * Replaces the repository's storage settings (`storage`) and/or its credentials for the session
   * (`credentials`; `{}` drops them). Used the next time the repository's storage is opened.
   */
  'repo.setStorageSettings': {
    params: z.object({
      repositoryId: nonEmpty,
      storage: StorageSettings.optional(),
      credentials: StorageCredentials.optional(),
    }),
    result: RepositoryStorage,
  },
  'repo.unlock': { params: z.object({ repositoryId: nonEmpty, password }), result: RepositoryInfo },
  'repo.lock': { params: z.object({ repositoryId: nonEmpty }), result: Ok },
  'repo.list': { params: z.object({}), result: z.array(RepositoryInfo) },
  /**
   * Removes a repository from the app: its session is locked and forgotten, its folders, schedules,
   * storage settings and retention policy leave the catalog. Its data stays where it is (connect it
   * again to bring it back); the privacy records keep its history. Refused while a task uses it.
   */
  'repo.remove': { params: z.object({ repositoryId: nonEmpty }), result: Ok },

  'sources.add': {
    params: z.object({ repositoryId: nonEmpty, path: nonEmpty, excludes: z.array(z.string()).default([]) }),
    result: Source,
  },
  'sources.list': { params: z.object({ repositoryId: nonEmpty.optional() }), result: z.array(Source) },
  'sources.remove': { params: z.object({ id: z.number().int() }), result: Ok },
  /** Replaces a folder's excludes (patterns as `sources.add` takes them); used from its next backup. */
  'sources.setExcludes': {
    params: z.object({ id: z.number().int(), excludes: z.array(z.string()) }),
    result: Source,
  },
  'sources.setSchedule': {
    params: z.object({
      id: z.number().int(),
      schedule: Schedule.nullable(),
      requireAcPower: z.boolean().default(false),
      onlyWhenIdle: z.boolean().default(false),
      avoidMeteredNetwork: z.boolean().default(false),
    }),
    result: Source,
  },
  /** The next scheduled backups, earliest first. */
  'schedule.next': { params: z.object({}), result: z.array(PlannedRun) },
  /** The machine conditions last reported by the desktop app; null when nothing reports them (`cairn serve`). */
  'schedule.conditions': { params: z.object({}), result: MachineConditions.nullable() },
  /** Power state from the desktop (suspend/resume, battery), which the scheduler obeys. */
  'app.setPower': { params: PowerState, result: Ok },
  /** Whether the computer is idle and its connection metered, from the desktop; the scheduler obeys them. */
  'app.setConditions': { params: MachineConditions, result: Ok },

  'backup.start': {
    params: z.object({ repositoryId: nonEmpty, sourceIds: z.array(z.number().int()).optional() }),
    result: z.object({ taskId: z.string() }),
  },
  'snapshots.list': { params: z.object({ repositoryId: nonEmpty }), result: z.array(SnapshotInfo) },
  'snapshots.browse': {
    params: z.object({ repositoryId: nonEmpty, snapshotId: nonEmpty, path: z.string().default('/') }),
    result: z.array(BrowseEntry),
  },
  'restore.start': {
    params: z.object({
      repositoryId: nonEmpty,
      snapshotId: nonEmpty,
      target: nonEmpty,
      include: z.array(z.string()).default([]),
      overwrite: OverwritePolicy.default('never'),
      keepBoth: z.boolean().default(false),
    }),
    result: z.object({ taskId: z.string() }),
  },
  'check.start': {
    params: z.object({ repositoryId: nonEmpty, readData: z.boolean().default(false) }),
    result: z.object({ taskId: z.string() }),
  },

  /** What is damaged in an unlocked repository, as far as it shows without reading the data. */
  'repo.health': { params: z.object({ repositoryId: nonEmpty }), result: RepositoryHealth },
  /**
   * A 'repair' task: `index` rebuilds the index from the pack headers (with `readData`, also
   * drops damaged blobs), `snapshots` writes copies of the recovery points that reference missing
   * data without what is lost. `dryRun` reports what it would do and changes nothing.
   */
  'repair.start': {
    params: z.object({
      repositoryId: nonEmpty,
      kind: RepairKind,
      dryRun: z.boolean().default(true),
      readData: z.boolean().default(false),
    }),
    result: z.object({ taskId: z.string() }),
  },
  /** Removes recovery points by id (a damaged one too; never a frozen one). Their data stays until a prune. */
  'snapshots.forget': {
    params: z.object({ repositoryId: nonEmpty, ids: z.array(nonEmpty).min(1) }),
    result: z.object({ removed: z.array(z.string()) }),
  },

  'tasks.list': { params: z.object({ limit: z.number().int().min(1).max(500).default(50) }), result: z.array(Task) },
  'tasks.get': { params: z.object({ id: nonEmpty }), result: Task },
  'tasks.cancel': { params: z.object({ id: nonEmpty }), result: Ok },

  /**
   * Retention is per repository (kept in the catalog's settings as `retention.<repositoryId>`),
   * not per source: recovery points belong to the repository, and the policy already treats each
   * host + folders group on its own. `policy: null` removes it. Nothing is removed until
   * 'retention.apply' runs, or a scheduled backup of the repository succeeds.
   */
  'retention.set': {
    params: z.object({ repositoryId: nonEmpty, policy: RetentionPolicy.nullable(), prune: z.boolean().default(true) }),
    result: Ok,
  },
  'retention.get': { params: z.object({ repositoryId: nonEmpty }), result: RetentionSettings.nullable() },
  /** What the policy would keep and remove now, and the bytes a prune would free; changes nothing. */
  'retention.preview': {
    params: z.object({ repositoryId: nonEmpty, policy: RetentionPolicy }),
    result: RetentionPreview,
  },
  /** Applies the stored policy as a 'forget' task (and prunes when the setting says so). */
  'retention.apply': { params: z.object({ repositoryId: nonEmpty }), result: z.object({ taskId: z.string() }) },

  /**
   * Rolling verification: reads the next slice of packs (never verified or verified longest ago)
   * so that reading one slice a day covers every pack within `windowDays`; runs as a 'check' task
   * that fails, and records the failure, when any problem is found.
   */
  'verify.slice': {
    params: z.object({ repositoryId: nonEmpty, windowDays: z.number().int().min(1).max(3650).default(30) }),
    result: z.object({ taskId: z.string() }),
  },
  /** How much of the repository was read and found intact within `windowDays`, and the last failure. */
  'verify.coverage': {
    params: z.object({ repositoryId: nonEmpty, windowDays: z.number().int().min(1).max(3650).default(30) }),
    result: VerificationCoverage,
  },
  // -------------------------------------------------------------------------------------------
  // Recovery points, restore preview, keys, app settings, local folders (ui-core)

  /**
   * A local folder's sub-folders and files, for the folder picker of the browser version (the
   * desktop app uses the system dialog). `path` must be absolute; empty means the home folder.
   */
  'fs.list': {
    params: z.object({ path: z.string().default(''), limit: z.number().int().min(1).max(5000).default(2000) }),
    result: LocalListing,
  },
  /**
   * What changed from recovery point `a` to `b` (ids, prefixes or "latest"); a frozen (restricted)
   * recovery point on either side is refused.
   */
  'snapshots.diff': {
    params: z.object({
      repositoryId: nonEmpty,
      a: nonEmpty,
      b: nonEmpty,
      limit: z.number().int().min(1).max(50_000).default(5000),
    }),
    result: SnapshotDiff,
  },
  /**
   * Paths whose name contains `query` (case-insensitive) across every recovery point but the
   * frozen (restricted) ones, which are left out, each with its versions (newest first).
   * Bounded: stops at `limit` paths or after reading `maxFolders` folders.
   */
  'snapshots.search': {
    params: z.object({
      repositoryId: nonEmpty,
      query: z.string().trim().min(1, 'type part of a file name'),
      limit: z.number().int().min(1).max(1000).default(200),
      maxFolders: z.number().int().min(1).max(1_000_000).default(100_000),
    }),
    result: SearchResult,
  },
  /**
   * What 'restore.start' with the same parameters would do to each file (new, overwrite, skip,
   * keep both), worked out without writing anything. `target` "/" is the original place. A
   * frozen recovery point is refused, as by 'restore.start'.
   */
  'restore.preview': {
    params: z.object({
      repositoryId: nonEmpty,
      snapshotId: nonEmpty,
      target: nonEmpty,
      include: z.array(z.string()).default([]),
      overwrite: OverwritePolicy.default('never'),
      keepBoth: z.boolean().default(false),
      limit: z.number().int().min(1).max(50_000).default(2000),
    }),
    result: RestorePreview,
  },
  /** The key slots (passwords and the recovery key) of an unlocked repository. */
  'keys.list': { params: z.object({ repositoryId: nonEmpty }), result: z.array(KeySlot) },
  /** Adds a password; the others keep working. */
  'keys.add': {
    params: z.object({ repositoryId: nonEmpty, password, label: nonEmpty.default('password') }),
    result: KeySlot,
  },
  /** Replaces the password that unlocked this session; the old one stops working at once. */
  'keys.changePassword': {
    params: z.object({ repositoryId: nonEmpty, newPassword: password }),
    result: KeySlot,
  },
  /** Removes a key slot (never the last one that can open the repository). */
  'keys.remove': { params: z.object({ repositoryId: nonEmpty, slotId: nonEmpty }), result: Ok },
  /**
   * Creates a new recovery key (a random key in its own slot; any earlier recovery key slot is
   * removed) and returns it this once, for the printable recovery kit.
   */
  'keys.createRecoveryKey': { params: z.object({ repositoryId: nonEmpty }), result: RecoveryKit },
  'settings.get': { params: z.object({}), result: AppSettings },
  /**
   * Changes some settings; returns them all. The desktop app applies them at once. `webhook` sets
   * the alert webhook (without `url`: keeps the stored address) or, as null, removes it; each
   * change is in the audit trail, by host name only.
   */
  'settings.set': {
    params: z.object({
      launchAtLogin: z.boolean().optional(),
      notifications: z.boolean().optional(),
      webhook: z
        .object({
          kind: AlertWebhookKind,
          url: z.string().max(2048, 'the address is too long (at most 2048 characters)').optional(),
          pingStart: z.boolean().optional(),
          region: Region.nullable().optional(),
        })
        .nullable()
        .optional(),
    }),
    result: AppSettings,
  },
  /**
   * "Send a test": a test alert to `url` as `kind`, or to the stored webhook when no url is
   * given; the outcome in plain words (it never throws for an address that fails to answer).
   */
  'settings.testWebhook': {
    params: z.object({
      kind: AlertWebhookKind.optional(),
      url: z.string().max(2048, 'the address is too long (at most 2048 characters)').optional(),
    }),
    result: WebhookDelivery,
  },

  // ---- Dashboard and scheduling conditions (issue 6) ----
  /**
   * Pauses the scheduled backups of the given sources (default: every source, or every source of
   * `repositoryId`): until the time `until` (at most 366 days ahead), or with `until: 'resumed'`
   * until they are resumed (kept as such, with no end time); `until: null` resumes them. A slot
   * missed while paused runs once when the pause ends. "Back up now" is not affected.
   */
  'sources.pause': {
    params: z.object({
      until: z
        .union([z.iso.datetime({ offset: true }), z.literal(PAUSE_UNTIL_RESUMED)], {
          error: `until must be a date and time (ISO 8601), "${PAUSE_UNTIL_RESUMED}" or null`,
        })
        .nullable(),
      repositoryId: nonEmpty.optional(),
      sourceIds: z.array(z.number().int()).optional(),
    }),
    result: z.array(Source),
  },
  /** What the repository occupies in its storage location; works on a locked repository too. */
  'repo.usage': { params: z.object({ repositoryId: nonEmpty }), result: RepositoryUsage },

  // ---- Erasure and restriction (GDPR Art. 17 and 18) ----------------------------------------
  /**
   * Erases a file or folder (absolute, as backed up) from every recovery point as an 'erase'
   * task: rewrites each point without it, prunes so its data is physically deleted, keeps a
   * tombstone and writes a receipt (the task's result names the receipt file, never the path).
   * When the path still exists on this computer, `excludeFromBackups` adds it to the excludes of
   * the repository's folders that hold it (the result's `onDisk` says what was found and done).
   */
  'privacy.erasePath': {
    params: z.object({ repositoryId: nonEmpty, path: nonEmpty, excludeFromBackups: z.boolean().default(true) }),
    result: z.object({ taskId: z.string() }),
  },
  /**
   * Saves the receipt of an erasure request with the erased path named, to `file` (absolute,
   * outside the app data folder, new): the one copy with the name. The path must be the one the
   * request erased (checked against its keyed hash; the repository must be unlocked).
   */
  'privacy.saveReceipt': {
    params: z.object({ repositoryId: nonEmpty, request: nonEmpty, path: nonEmpty, file: nonEmpty }),
    result: z.object({ file: z.string() }),
  },
  /** Which recovery points hold the path and what erasing it would free; changes nothing. */
  'privacy.erasePreview': { params: z.object({ repositoryId: nonEmpty, path: nonEmpty }), result: ErasePreview },
  /**
   * Erases everything: every key slot first, then every repository's objects and folder, then the
   * app data (the catalog is emptied). `confirm` must be the typed words; the receipt is written
   * to `receipt`, an absolute path outside every repository and the app data folder.
   */
  'privacy.eraseAll': {
    params: z.object({
      confirm: z.literal('erase everything', { error: 'type "erase everything" to confirm' }),
      receipt: nonEmpty,
    }),
    result: EraseAllReceipt,
  },
  'privacy.tombstones': { params: z.object({ repositoryId: nonEmpty.optional() }), result: z.array(Tombstone) },
  'privacy.receipts': { params: z.object({}), result: z.array(ErasureReceipt) },
  /** Restricts a recovery point (GDPR Art. 18): no browse, restore or export, and retention keeps it. */
  'snapshots.freeze': {
    params: z.object({ repositoryId: nonEmpty, snapshotId: nonEmpty, reason: z.string().default('') }),
    result: FrozenPoint,
  },
  'snapshots.unfreeze': { params: z.object({ repositoryId: nonEmpty, snapshotId: nonEmpty }), result: Ok },

  // ----------------------------------------------------------------------------------------------
  // Privacy records (GDPR): consent ledger, audit trail, incident register, regions, usage
  // statistics, export and records of processing. Kept as files in <dataDir>/privacy/.

  'consent.list': { params: z.object({}), result: z.array(ConsentState) },
  /** Gives or withdraws one purpose — one call either way. */
  'consent.set': {
    params: z.object({ purpose: Purpose, given: z.boolean(), via: z.enum(['app', 'cli']).default('app') }),
    result: z.object({
      state: ConsentState,
      /** True after withdrawing the backup purpose: scheduled backups stopped, erasure is offered. */
      offerErasure: z.boolean(),
      message: z.string(),
    }),
  },
  /** Newest first; `before` pages back (entries with a smaller seq). */
  'audit.list': {
    params: z.object({ limit: z.number().int().min(1).max(1000).default(100), before: z.number().int().optional() }),
    result: z.array(AuditEntry),
  },
  'audit.verify': { params: z.object({}), result: AuditVerification },
  'incidents.list': { params: z.object({ openOnly: z.boolean().default(false) }), result: z.array(Incident) },
  'incidents.open': {
    params: z.object({
      title: nonEmpty,
      repositoryId: nonEmpty.optional(),
      finding: z.string().optional(),
      awareAt: z.iso.datetime({ offset: true }).optional(),
      dataCategories: z.array(nonEmpty).optional(),
      measures: z.array(nonEmpty).optional(),
      encryptedUnderSecretKeys: z.boolean().optional(),
    }),
    result: Incident,
  },
  'incidents.close': {
    params: z.object({
      id: nonEmpty,
      measures: z.array(nonEmpty).default([]),
      notification: NotificationStatus.optional(),
      encryptedUnderSecretKeys: z.boolean().optional(),
    }),
    result: Incident,
  },
  'privacy.overview': { params: z.object({}), result: PrivacyOverview },
  'privacy.setSubProcessors': {
    params: z.object({ subProcessors: z.array(SubProcessor).max(100) }),
    result: z.array(SubProcessor),
  },
  'privacy.region.get': { params: z.object({}), result: RegionSettings },
  'privacy.region.set': { params: z.object({ region: Region }), result: RegionSettings },
  /** The exact payload usage statistics would send (nothing is sent by this). */
  'usage.preview': { params: z.object({}), result: UsagePreview },
  /**
   * Where usage statistics are sent (https; http only on 127.0.0.1 or localhost), or null for
   * nowhere. Nothing is sent without consent; with consent and an address, one report a week.
   */
  'usage.setEndpoint': {
    params: z.object({
      endpoint: z
        .string()
        .url('the address must be a URL')
        .refine((u) => /^https?:\/\//i.test(u), 'the address must start with https://')
        .nullable(),
    }),
    result: UsagePreview,
  },
  /** Writes a ZIP of everything the app holds to `out` (absolute, new, ending in .zip). */
  'privacy.export': {
    params: z.object({ out: nonEmpty, repositoryId: nonEmpty.optional() }),
    result: PrivacyExportResult,
  },
  /** Records of processing (Art. 30) from the configuration, as JSON and a printable HTML page. */
  'privacy.record': { params: z.object({}), result: ProcessingRecordResult },
  // The requests register, the controller's details and transfer instructions: ./requests.ts.
  ...requestMethods,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller passes (defaults may be omitted). */
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
/** What a handler receives (defaults applied). */
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}
