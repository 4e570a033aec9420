/**
 * The one typed map of Cairn's methods: `namespace.verb` → request and response schemas. It is
 * the only way the UI reaches the engine (Electron IPC, HTTP and tests all go through it).
 * Requests are validated against these schemas before they reach the engine.
 */
import { z } from 'zod';
import {
  AppStatus,
  BrowseEntry,
  Ok,
  OverwritePolicy,
  PlannedRun,
  PowerState,
  Region,
  RepositoryInfo,
  Schedule,
  SnapshotInfo,
  Source,
  Task,
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
