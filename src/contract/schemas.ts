/**
 * The data shapes of Cairn's contract (zod schemas shared by engine host, server, Electron main,
 * preload and renderer). Imports nothing but zod: both sides of the app use it.
 */
import { z } from 'zod';
import { WaitingCondition } from './conditions.js';
import { PauseState } from './pause.js';
import { LocationKind } from './storage.js';

/** Where a storage location is declared to be (GDPR Art. 44–49: data stays where the user chose). */
export const Region = z.enum(['this-device', 'EU', 'UK', 'CH', 'US', 'CA', 'AU', 'JP', 'other']);

/**
 * Whether the repository's storage answers: unreachable since the first failed attempt of a run
 * of failures (Cairn keeps retrying, with backoff), with the storage's last reason; reachable again
 * once an operation or a task reaches it. A folder on this computer is always reachable.
 */
export const StorageReachability = z.object({
  reachable: z.boolean(),
  unreachableSince: z.string().nullable(),
  reason: z.string().nullable(),
});

export const RepositoryInfo = z.object({
  id: z.string(),
  label: z.string(),
  location: z.string(),
  /** Where the location is: a folder ('local'), an SSH server ('sftp') or an S3-compatible bucket ('s3'). */
  kind: LocationKind,
  region: Region,
  unlocked: z.boolean(),
  lastBackupAt: z.string().nullable(),
  lastCheckAt: z.string().nullable(),
  storage: StorageReachability,
});

/** When a source is backed up on its own: every N minutes, daily at local times, or a cron expression. */
export const Schedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('interval'), minutes: z.number().int().min(5) }),
  z.object({ kind: z.literal('daily'), times: z.array(z.string()).min(1) }),
  z.object({ kind: z.literal('cron'), expression: z.string().min(1) }),
]);

export const Source = z.object({
  id: z.number().int(),
  repositoryId: z.string(),
  path: z.string(),
  excludes: z.array(z.string()),
  schedule: Schedule.nullable(),
  /** Scheduled backups of this source wait while the computer runs on battery. */
  requireAcPower: z.boolean(),
  /** Scheduled backups of this source start only while the computer is idle (desktop app only). */
  onlyWhenIdle: z.boolean(),
  /** Scheduled backups of this source wait while the connection is metered (desktop app only). */
  avoidMeteredNetwork: z.boolean(),
  /** No scheduled backup of this source starts before this time (null: no timed pause). */
  pausedUntil: z.string().nullable(),
  /** No scheduled backup of this source starts until it is resumed (`sources.pause` with until 'resumed'). */
  pausedUntilResumed: z.boolean(),
});

export const PlannedRun = z.object({
  sourceId: z.number().int(),
  at: z.string(),
  reason: z.enum(['scheduled', 'catch-up', 'retry']),
  waitingFor: z.enum(['ac-power', 'resume', 'idle', 'unmetered-network']).nullable(),
});

export const PowerState = z.object({ onBattery: z.boolean(), suspended: z.boolean() });

export const TaskKind = z.enum(['backup', 'restore', 'check', 'forget', 'erase', 'repair']);
export const TaskStatus = z.enum(['queued', 'running', 'cancelling', 'cancelled', 'succeeded', 'failed']);

export const TaskProgress = z.object({
  files: z.number(),
  bytes: z.number(),
  totalBytes: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  currentPath: z.string().nullable(),
  /** Bytes handled per second since the task started (absent in tasks recorded by older versions). */
  bytesPerSecond: z.number().nullable().optional(),
  /**
   * Number of files in all, when known: a backup takes it from the parent recovery point, or, on
   * a first backup, from a quick count of its folders once that count is done.
   */
  filesTotal: z.number().nullable().optional(),
  /**
   * While a first backup still counts its folders (there are no totals yet): the files and bytes
   * counted so far. Null or absent otherwise.
   */
  counting: z.object({ files: z.number(), bytes: z.number() }).nullable().optional(),
});

export const Task = z.object({
  id: z.string(),
  kind: TaskKind,
  status: TaskStatus,
  repositoryId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  progress: TaskProgress.nullable(),
  messages: z.array(z.string()),
  error: z.string().nullable(),
  /** Kind-specific outcome, e.g. the recovery point id of a backup. */
  result: z.record(z.string(), z.unknown()).nullable(),
});

/** An object of a repository that cannot be read, and why. */
export const DamagedObject = z.object({ id: z.string(), reason: z.string() });

/**
 * What the open session knows is damaged, without a check: index files and recovery points that
 * cannot be read, and packs the index names that are not stored. Each kind has its repair.
 */
export const RepositoryHealth = z.object({
  indexFilesDamaged: z.array(DamagedObject),
  snapshotsDamaged: z.array(DamagedObject),
  packsMissing: z.number().int(),
  /** When this was read. Data a recovery point misses shows only in a check. */
  checkedAt: z.string(),
});

export const RepairKind = z.enum(['index', 'snapshots']);

export const AppStatus = z.object({
  version: z.string(),
  dataDir: z.string(),
  repositories: z.array(RepositoryInfo),
  runningTasks: z.number().int(),
  lastSuccessfulBackupAt: z.string().nullable(),
  /** Ids of locked repositories that have scheduled sources: their scheduled backups need the password. */
  needsPassword: z.array(z.string()).optional(),
  /** The pause of scheduled backups, for the tray and the Dashboard (null or absent: none). */
  pause: PauseState.nullable().optional(),
  /** The open incidents, for the tray and notifications (an alert, and another near the 72-hour deadline). */
  openIncidents: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        repositoryId: z.string().nullable(),
        notifyBy: z.string(),
        hoursLeft: z.number().nullable(),
      }),
    )
    .optional(),
  /** What due scheduled backups wait for now (battery, the computer in use, a metered connection), for the tray. */
  scheduleWaiting: z.array(WaitingCondition).optional(),
  /** Requests from people (Art. 12) past their deadline and still open, for the Dashboard's verdict. */
  overdueRequests: z.number().int().optional(),
});

export const SnapshotInfo = z.object({
  id: z.string(),
  time: z.string(),
  hostname: z.string(),
  paths: z.array(z.string()),
  tags: z.array(z.string()),
  partial: z.boolean(),
  filesNew: z.number(),
  filesChanged: z.number(),
  filesUnchanged: z.number(),
  totalFiles: z.number(),
  totalBytes: z.number(),
  dataAdded: z.number(),
  dataAddedStored: z.number(),
  /** Restricted under GDPR Art. 18: no browse, restore, compare or export until unfrozen. */
  frozen: z.boolean(),
});

/** The kinds of entry a recovery point holds (FIFOs and devices since format version 3). */
export const EntryType = z.enum(['file', 'dir', 'symlink', 'fifo', 'chardev', 'blockdev']);

export const BrowseEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: EntryType,
  size: z.number().nullable(),
  mtime: z.string(),
});

export const OverwritePolicy = z.enum(['never', 'always', 'if-newer']);

export const Ok = z.object({ ok: z.literal(true) });

/**
 * Which recovery points a repository keeps (restic's `forget --keep-*` semantics; see
 * src/app/retention/policy.ts). The newest recovery point is never removed by a policy.
 */
export const RetentionPolicy = z.object({
  last: z.number().int().min(0).optional(),
  hourly: z.number().int().min(0).optional(),
  daily: z.number().int().min(0).optional(),
  weekly: z.number().int().min(0).optional(),
  monthly: z.number().int().min(0).optional(),
  yearly: z.number().int().min(0).optional(),
  /** Keep everything newer than the latest recovery point minus this duration, e.g. "30d". */
  within: z.string().optional(),
  /** Keep recovery points carrying any of these tags. */
  tags: z.array(z.string()).optional(),
});

/** A repository's stored retention: the policy, and whether the freed data is pruned after it. */
export const RetentionSettings = z.object({ policy: RetentionPolicy, prune: z.boolean() });

/** What a policy would do now, newest first; nothing is changed by a preview. */
export const RetentionPreview = z.object({
  keep: z.array(z.object({ id: z.string(), time: z.string(), reasons: z.array(z.string()) })),
  remove: z.array(z.object({ id: z.string(), time: z.string() })),
  /** Stored bytes a prune would free after removing them. */
  reclaimBytes: z.number(),
});

/** Rolling verification of a repository's packs: how much was read and found intact lately. */
export const VerificationCoverage = z.object({
  windowDays: z.number(),
  /** Share (0–1) of the packs read and found intact within the window; 1 when there are none. */
  verifiedShare: z.number().min(0).max(1),
  packsTotal: z.number().int(),
  packsVerified: z.number().int(),
  /** The oldest last-verified time among packs verified before the window, or null. */
  oldestUnverifiedSince: z.string().nullable(),
  /** Packs never read and found intact. */
  neverVerified: z.number().int(),
  /** The last failed verification (its problems), kept for the incident register. */
  lastFailure: z
    .object({ at: z.string(), problems: z.array(z.object({ object: z.string(), message: z.string() })) })
    .nullable(),
});

// ---------------------------------------------------------------------------------------------
// Recovery points, restore preview, keys, app settings and the local folder browser (ui-core)

/** One entry of a local folder, for the browser's folder picker ('fs.list'). */
export const LocalEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['dir', 'file', 'symlink', 'other']),
});

/** A local folder's entries (folders first, then by name), its parent, and the user's home folder. */
export const LocalListing = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  home: z.string(),
  entries: z.array(LocalEntry),
  /** More entries exist than were returned. */
  truncated: z.boolean(),
});

/** One difference between two recovery points. */
export const SnapshotChange = z.object({
  path: z.string(),
  change: z.enum(['added', 'removed', 'modified', 'metadata']),
  type: EntryType,
  sizeBefore: z.number().nullable(),
  sizeAfter: z.number().nullable(),
});

export const SnapshotDiff = z.object({
  a: z.string(),
  b: z.string(),
  changes: z.array(SnapshotChange),
  counts: z.object({ added: z.number(), removed: z.number(), modified: z.number(), metadata: z.number() }),
  truncated: z.boolean(),
});

/** A path whose name matched a search, with the recovery points holding it (newest first). */
export const SearchHit = z.object({
  path: z.string(),
  type: EntryType,
  versions: z.array(
    z.object({
      snapshotId: z.string(),
      time: z.string(),
      size: z.number().nullable(),
      mtime: z.string(),
      /** Same content as the next older version listed (or the first listed). */
      changed: z.boolean(),
    }),
  ),
});

export const SearchResult = z.object({
  hits: z.array(SearchHit),
  /** The search stopped at its limit of matches or folders read. */
  truncated: z.boolean(),
  /** The recovery points searched: every one but the frozen ones. */
  snapshotsSearched: z.number().int(),
});

/** What a restore would do to one entry; computed without writing anything. */
export const RestorePreviewItem = z.object({
  path: z.string(),
  /** Where it would be written on this computer. */
  destination: z.string(),
  action: z.enum(['new', 'overwrite', 'skip', 'keep-both']),
  reason: z.string().nullable(),
});

export const RestorePreview = z.object({
  target: z.string(),
  items: z.array(RestorePreviewItem),
  counts: z.object({ new: z.number(), overwrite: z.number(), skip: z.number(), keepBoth: z.number() }),
  bytes: z.number(),
  refused: z.array(z.object({ path: z.string(), reason: z.string() })),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
  /** More items exist than were listed (the counts cover all). */
  truncated: z.boolean(),
});

/** A key slot (a password, or the recovery key) of a repository. */
export const KeySlot = z.object({
  id: z.string(),
  label: z.string(),
  created: z.string(),
  /** The slot that unlocked the repository in this session. */
  current: z.boolean(),
  damaged: z.boolean(),
  recoveryKey: z.boolean(),
});

/** A new recovery key, shown once (it is stored only inside its key slot, wrapped by itself). */
export const RecoveryKit = z.object({
  repositoryId: z.string(),
  label: z.string(),
  location: z.string(),
  slotId: z.string(),
  recoveryKey: z.string(),
  createdAt: z.string(),
});

/** How the alert webhook is called: a healthchecks.io-style ping URL, or an ntfy topic URL. */
export const AlertWebhookKind = z.enum(['healthchecks', 'ntfy']);

/** The outcome of one alert sent to the webhook (or of "Send a test"), in plain words. */
export const WebhookDelivery = z.object({
  at: z.string(),
  /** What was sent: 'backup.started', 'backup.succeeded', 'backup.failed', 'check.damage' or 'test'. */
  event: z.string(),
  ok: z.boolean(),
  /** The HTTP status the address answered with, or null when it did not answer. */
  status: z.number().int().nullable(),
  message: z.string(),
});

/**
 * The alert webhook as the app shows it back: never the full address, whose user information,
 * query values and path (a healthchecks UUID, an ntfy topic) are secrets.
 */
export const AlertWebhook = z.object({
  kind: AlertWebhookKind,
  /** The address with its secret parts hidden ("https://ntfy.sh/back…"). */
  address: z.string(),
  /** The host the alerts go to, as the records of processing list it. */
  host: z.string(),
  /** healthchecks only: also ping `URL/start` when a backup starts. */
  pingStart: z.boolean(),
  /** Where the receiver is, as the user declared it (null: unknown). */
  region: Region.nullable(),
  lastDelivery: WebhookDelivery.nullable(),
});

/** App-wide settings the desktop shell obeys. */
export const AppSettings = z.object({
  /** Start Cairn (in the tray) when the user logs in. */
  launchAtLogin: z.boolean(),
  /** Desktop notifications for failed tasks and overdue backups. */
  notifications: z.boolean(),
  /** The optional alert webhook for machines nobody watches (null: off, the default). */
  webhook: AlertWebhook.nullable(),
});

// ---- Dashboard and scheduling conditions (issue 6: Dashboard, Retention and schedule) ----

/** How much a repository occupies where it is stored, from the backend's object listing. */
export const RepositoryUsage = z.object({
  /** Bytes of every stored object (packs, index, snapshots, keys, config). */
  storedBytes: z.number(),
  /** Bytes of the data packs alone. */
  packBytes: z.number(),
  packs: z.number().int(),
  snapshots: z.number().int(),
});

// ---------------------------------------------------------------------------------------------
// Erasure and restriction (GDPR Art. 17 and 18)

/** A path erased from a repository's recovery points, by keyed hash only (null until an older record is converted). */
export const Tombstone = z.object({
  repositoryId: z.string(),
  pathHash: z.string().nullable(),
  request: z.string(),
  erasedAt: z.string(),
  /** Null while the erasure has not finished (it is finished the next time the repository is opened). */
  completedAt: z.string().nullable(),
});

/** A frozen (restricted) recovery point. */
export const FrozenPoint = z.object({
  repositoryId: z.string(),
  snapshotId: z.string(),
  frozenAt: z.string(),
  reason: z.string(),
});

/** What erasing a path would do, changing nothing. */
export const ErasePreview = z.object({
  path: z.string(),
  recoveryPoints: z.array(z.object({ id: z.string(), time: z.string() })),
  files: z.number(),
  bytes: z.number(),
  /** Stored bytes only the path uses: freed by the erasure. */
  bytesToFree: z.number(),
  /** Pieces of its content that other files also hold: they stay, as part of those files. */
  blobsSharedWithOtherFiles: z.number(),
});

/** The receipt of an erasure request (fields beyond these depend on its kind). */
export const ErasureReceipt = z
  .object({
    version: z.literal(1),
    request: z.string(),
    kind: z.enum(['erase-path', 'reapply-tombstone', 'erase-all']),
    scope: z.union([z.string(), z.record(z.string(), z.unknown())]),
    requestedAt: z.string(),
  })
  .catchall(z.unknown());

/** The receipt of erasing everything, also written to the file the user named. */
export const EraseAllReceipt = z
  .object({
    version: z.literal(1),
    request: z.string(),
    kind: z.literal('erase-all'),
    scope: z.literal('everything'),
    requestedAt: z.string(),
    completed: z.boolean(),
    keySlotsDestroyedAt: z.string().nullable(),
    objectsDeletedAt: z.string().nullable(),
    appDataDeletedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    repositories: z.array(
      z.object({
        location: z.string(),
        repositoryId: z.string().nullable(),
        label: z.string().nullable(),
        keySlotsDestroyed: z.number(),
        objectsDeleted: z.record(z.string(), z.number()),
        folderRemoved: z.boolean(),
        note: z.string().nullable(),
      }),
    ),
    appData: z.object({ folder: z.string(), deleted: z.array(z.string()) }),
    /** The desktop app forgets the remembered passwords of these repositories (its keychain vault). */
    keychainRepositoryIds: z.array(z.string()),
    receiptFile: z.string(),
  })
  .catchall(z.unknown());

// ------------------------------------------------------------------------------------------------
// Privacy records (consent ledger, audit trail, incidents, regions, usage statistics, export,
// records of processing). Stored as files in <dataDir>/privacy/, not in the catalog.

export const Purpose = z.enum(['backup', 'usage-statistics']);

export const ConsentRecord = z.object({
  purpose: Purpose,
  noticeVersion: z.number().int(),
  /** SHA-256 of the exact notice text shown. */
  noticeSha256: z.string(),
  given: z.boolean(),
  at: z.string(),
  via: z.enum(['app', 'cli']),
});

export const ConsentState = z.object({
  purpose: Purpose,
  title: z.string(),
  /** Needed for the service (backup) rather than optional. */
  required: z.boolean(),
  given: z.boolean(),
  last: ConsentRecord.nullable(),
  notice: z.object({ version: z.number().int(), sha256: z.string(), text: z.string() }),
});

export { AuditEntry, AuditVerification } from './audit.js';

export const IncidentKind = z.enum([
  'authentication-failure',
  'missing-data',
  'unknown-key-slot',
  'config-changed',
  'manual',
]);
export const NotificationStatus = z.enum([
  'not-assessed',
  'not-required',
  'authority-notified',
  'subjects-notified',
  'authority-and-subjects-notified',
]);

export const Incident = z.object({
  id: z.string(),
  kind: IncidentKind,
  title: z.string(),
  repositoryId: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  detectedAt: z.string(),
  awareAt: z.string(),
  /** awareAt + 72 hours (Art. 33(1)). */
  notifyBy: z.string(),
  /** Hours left until notifyBy (negative when passed); null when closed or notification is settled. */
  hoursLeft: z.number().nullable(),
  dataCategories: z.array(z.string()),
  measures: z.array(z.string()),
  notification: NotificationStatus,
  /** The data was encrypted under keys that stayed secret (Art. 34(3)(a)). */
  encryptedUnderSecretKeys: z.boolean(),
  findings: z.array(z.object({ at: z.string(), text: z.string() })),
  closedAt: z.string().nullable(),
});

export const SubProcessor = z.object({ name: z.string().min(1), role: z.string(), region: z.string() });

export const StorageLocation = z.object({
  repositoryId: z.string(),
  label: z.string(),
  location: z.string(),
  region: Region,
  outsideChosenRegion: z.boolean(),
});

export const RegionSettings = z.object({ chosen: Region.nullable(), locations: z.array(StorageLocation) });

export const PrivacyOverview = z.object({
  dataDir: z.string(),
  privacyDir: z.string(),
  chosenRegion: Region.nullable(),
  /** What the app holds, where, and for how long. */
  held: z.array(z.object({ category: z.string(), where: z.string(), kept: z.string() })),
  locations: z.array(StorageLocation),
  retention: z.array(z.object({ repositoryId: z.string(), label: z.string(), timeLimit: z.string() })),
  recipients: z.array(z.object({ name: z.string(), role: z.string(), region: z.string() })),
  subProcessors: z.array(SubProcessor),
  consent: z.array(ConsentState),
  openIncidents: z.number().int(),
  audit: z.object({ entries: z.number().int(), intact: z.boolean() }),
});

export { UsagePayload, UsagePreview } from './usage.js';

export const PrivacyExportResult = z.object({
  path: z.string(),
  bytes: z.number().int(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })),
  /** Repositories whose recovery points are not in the export because they are locked. */
  skippedLocked: z.array(z.string()),
});

export const ProcessingRecordResult = z.object({ json: z.record(z.string(), z.unknown()), html: z.string() });
