/**
 * What the app shows of itself and its repositories: the `app.status` payload (also sent as the
 * `app.status` event) and one repository's info as the `repo.*` methods return it, whether it is
 * unlocked taken from the open sessions and whether its storage answers from the reachability
 * tracker (storage-reachability.ts). The pause of scheduled backups is read from the catalog's
 * sources as it holds now (pause.ts).
 */
import type { z } from 'zod';
import type { Result } from '../../contract/methods.js';
import type { Region } from '../../contract/schemas.js';
import type { Catalog, RepositoryRecord } from '../catalog/catalog.js';
import type { IncidentView } from '../privacy/incidents.js';
import type { OpenRepositories } from './open-repositories.js';
import { pauseSummary } from './pause.js';
import { locationKind } from './repository-storage.js';
import { readStoredSchedule, type ScheduledBackups } from './scheduled-backups.js';
import type { StorageReachability } from './storage-reachability.js';
import type { TaskManager } from './task-manager.js';

export interface StatusSources {
  version: string;
  dataDir: string;
  catalog: Catalog;
  tasks: TaskManager;
  repositories: OpenRepositories;
  reachability: StorageReachability;
  /** The privacy records, for the open incidents and overdue requests (absent: none reported). */
  privacy?: {
    records: {
      incidents: { list(options: { openOnly: boolean }): IncidentView[] };
      requests?: { list(options: { openOnly: boolean }): { overdue: boolean }[] };
    };
  };
  /** What due scheduled backups wait for (absent: nothing waits). */
  schedules?: Pick<ScheduledBackups, 'waiting'>;
}

export function appStatus(s: StatusSources): Result<'app.status'> {
  const repositories = s.catalog.listRepositories();
  const sources = s.catalog.listSources();
  const last = repositories
    .map((r) => r.lastBackupAt)
    .filter((t): t is string => t !== null)
    .sort()
    .at(-1);
  return {
    version: s.version,
    dataDir: s.dataDir,
    repositories: repositories.map((r) => repositoryInfo(r, s)),
    runningTasks: s.tasks.runningCount(),
    lastSuccessfulBackupAt: last ?? null,
    needsPassword: repositories
      .filter(
        (r) =>
          !s.repositories.has(r.id) &&
          s.catalog.listSources(r.id).some((source) => readStoredSchedule(source.schedule)),
      )
      .map((r) => r.id),
    pause: pauseSummary(sources),
    openIncidents: (s.privacy?.records.incidents.list({ openOnly: true }) ?? []).map((i) => ({
      id: i.id,
      title: i.title,
      repositoryId: i.repositoryId,
      notifyBy: i.notifyBy,
      hoursLeft: i.hoursLeft,
    })),
    scheduleWaiting: s.schedules?.waiting() ?? [],
    overdueRequests: overdueRequests(s),
  };
}

/**
 * How many open requests from people are past their deadline. A register that cannot be read
 * counts none here (the status must still answer); the Privacy screen shows why it cannot be read.
 */
function overdueRequests(s: StatusSources): number {
  try {
    return (s.privacy?.records.requests?.list({ openOnly: true }) ?? []).filter((r) => r.overdue).length;
  } catch {
    return 0;
  }
}

export function repositoryInfo(
  record: RepositoryRecord,
  s: Pick<StatusSources, 'repositories' | 'reachability'>,
): Result<'repo.unlock'> {
  return {
    id: record.id,
    label: record.label,
    location: record.location,
    kind: locationKind(record.location),
    region: record.region as z.output<typeof Region>,
    unlocked: s.repositories.has(record.id),
    lastBackupAt: record.lastBackupAt,
    lastCheckAt: record.lastCheckAt,
    storage: s.reachability.of(record.id),
  };
}
