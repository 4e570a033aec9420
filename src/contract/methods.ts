/**
 * The one typed map of Cairn's methods: `namespace.verb` → request and response schemas. It is
 * the only way the UI reaches the engine (Electron IPC, HTTP and tests all go through it).
 * Requests are validated against these schemas before they reach the engine.
 */
import { z } from 'zod';
import {
  AppStatus,
  BrowseEntry,
  // Erasure and restriction
  EraseAllReceipt,
  ErasePreview,
  ErasureReceipt,
  FrozenPoint,
  Ok,
  OverwritePolicy,
  PlannedRun,
  PowerState,
  Region,
  RepositoryInfo,
  RetentionPolicy,
  RetentionPreview,
  RetentionSettings,
  Schedule,
  SnapshotInfo,
  Source,
  Task,
  Tombstone,
  VerificationCoverage,
} from './schemas.js';

const nonEmpty = z.string().min(1);
const password = z.string().min(1, 'the password must not be empty');

export const methods = {
  'app.status': { params: z.object({}), result: AppStatus },

  'repo.create': {
    params: z.object({ location: nonEmpty, password, label: nonEmpty, region: Region }),
    result: RepositoryInfo,
  },
  'repo.connect': {
    params: z.object({ location: nonEmpty, password, label: nonEmpty, region: Region }),
    result: RepositoryInfo,
  },
  'repo.unlock': { params: z.object({ repositoryId: nonEmpty, password }), result: RepositoryInfo },
  'repo.lock': { params: z.object({ repositoryId: nonEmpty }), result: Ok },
  'repo.list': { params: z.object({}), result: z.array(RepositoryInfo) },

  'sources.add': {
    params: z.object({ repositoryId: nonEmpty, path: nonEmpty, excludes: z.array(z.string()).default([]) }),
    result: Source,
  },
  'sources.list': { params: z.object({ repositoryId: nonEmpty.optional() }), result: z.array(Source) },
  'sources.remove': { params: z.object({ id: z.number().int() }), result: Ok },
  'sources.setSchedule': {
    params: z.object({
      id: z.number().int(),
      schedule: Schedule.nullable(),
      requireAcPower: z.boolean().default(false),
    }),
    result: Source,
  },
  /** The next scheduled backups, earliest first. */
  'schedule.next': { params: z.object({}), result: z.array(PlannedRun) },
  /** Power state from the desktop (suspend/resume, battery), which the scheduler obeys. */
  'app.setPower': { params: PowerState, result: Ok },

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

  // ---- Erasure and restriction (GDPR Art. 17 and 18) ----------------------------------------
  /**
   * Erases a file or folder (absolute, as backed up) from every recovery point as an 'erase'
   * task: rewrites each point without it, prunes so its data is physically deleted, keeps a
   * tombstone and writes a receipt (the task's result names it).
   */
  'privacy.erasePath': {
    params: z.object({ repositoryId: nonEmpty, path: nonEmpty }),
    result: z.object({ taskId: z.string() }),
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
