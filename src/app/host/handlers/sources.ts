/**
 * The `sources.*` and `schedule.*` methods: the folders each repository backs up (add, list,
 * remove, schedule, pause), the scheduler's next planned runs and the machine conditions it last
 * heard of (`schedule.conditions`). Every change re-reads the
 * schedules and the watched folders, and is audited.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ContractError } from '../../../contract/errors.js';
import type { ParsedParams, Result } from '../../../contract/methods.js';
import { describeError } from '../../../engine/errors.js';
import type { JsonObject } from '../../catalog/records.js';
import { validateSchedule } from '../../scheduler/schedule.js';
import { setSourceExcludes } from '../../services/source-excludes.js';
import type { HostServices } from '../host-services.js';
import { activePause, pauseSources } from '../pause.js';
import { readStoredSchedule, type StoredSchedule } from '../scheduled-backups.js';
import type { Handlers, Namespace } from './types.js';

export type SourcesDeps = Pick<
  HostServices,
  'catalog' | 'repositories' | 'schedules' | 'watching' | 'privacy' | 'events'
>;

export function sourcesHandlers(deps: SourcesDeps): Handlers<Namespace<'sources'> | Namespace<'schedule'>> {
  return {
    'sources.add': (p) => addSource(deps, p),
    'sources.list': async (p) => deps.catalog.listSources(p.repositoryId).map(sourceInfo),
    'sources.remove': async (p) => {
      removeSource(deps, p.id);
      return { ok: true as const };
    },
    'sources.setSchedule': async (p) => setSchedule(deps, p),
    'sources.setExcludes': async (p) => setExcludes(deps, p),
    'sources.pause': async (p) => {
      const paused = pauseSources(deps.catalog, p);
      deps.schedules.refresh();
      // The tray and the Dashboard show the pause from the status.
      deps.events.emitStatus();
      return paused.map(sourceInfo);
    },
    'schedule.next': async () =>
      deps.schedules.next().map((run) => ({
        sourceId: Number(run.sourceId),
        at: run.at.toISOString(),
        reason: run.reason,
        waitingFor: run.waitingFor ?? null,
      })),
    'schedule.conditions': async () => deps.schedules.conditions(),
  };
}

/** Adds a folder to back up; it must be an absolute path that exists. */
async function addSource(deps: SourcesDeps, p: ParsedParams<'sources.add'>): Promise<Result<'sources.add'>> {
  deps.repositories.requireRecord(p.repositoryId);
  if (!path.isAbsolute(p.path)) {
    throw new ContractError('invalid-argument', `the folder to back up must be an absolute path (got "${p.path}")`);
  }
  try {
    await fs.lstat(p.path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : describeError(err);
    throw new ContractError('not-found', `cannot add ${p.path}: ${reason}`);
  }
  const added = deps.catalog.addSource({ repositoryId: p.repositoryId, path: p.path, excludes: p.excludes });
  deps.privacy.audit('source.added', {
    sourceId: added.id,
    repositoryId: added.repositoryId,
    path: added.path,
    excludes: added.excludes,
  });
  void deps.watching.refresh();
  return sourceInfo(added);
}

/** Removes a folder (an unknown id is not an error); its recovery points are kept. */
function removeSource(deps: SourcesDeps, id: number): void {
  const source = deps.catalog.getSource(id);
  deps.catalog.removeSource(id);
  deps.schedules.refresh();
  void deps.watching.refresh();
  if (source)
    deps.privacy.audit('source.removed', { sourceId: id, repositoryId: source.repositoryId, path: source.path });
}

function setSchedule(deps: SourcesDeps, p: ParsedParams<'sources.setSchedule'>): Result<'sources.setSchedule'> {
  if (!deps.catalog.getSource(p.id)) throw new ContractError('not-found', `there is no source ${p.id}`);
  if (p.schedule) validateSchedule(p.schedule);
  const stored: StoredSchedule | null = p.schedule ? { schedule: p.schedule, requireAcPower: p.requireAcPower } : null;
  const updated = deps.catalog.updateSource(p.id, {
    schedule: stored as unknown as JsonObject | null,
    onlyWhenIdle: p.onlyWhenIdle,
    avoidMeteredNetwork: p.avoidMeteredNetwork,
  });
  deps.schedules.refresh();
  deps.privacy.audit('schedule.changed', {
    sourceId: p.id,
    schedule: p.schedule,
    requireAcPower: p.requireAcPower,
    onlyWhenIdle: p.onlyWhenIdle,
    avoidMeteredNetwork: p.avoidMeteredNetwork,
  });
  return sourceInfo(updated);
}

/** Replaces a folder's excludes (blank patterns dropped, each kept once; the change audited), as erasure does. */
function setExcludes(deps: SourcesDeps, p: ParsedParams<'sources.setExcludes'>): Result<'sources.setExcludes'> {
  if (!deps.catalog.getSource(p.id)) throw new ContractError('not-found', `there is no source ${p.id}`);
  const updated = setSourceExcludes(deps.catalog, p.id, p.excludes, (action, details) =>
    deps.privacy.audit(action, details),
  );
  void deps.watching.refresh();
  return sourceInfo(updated);
}

/** A catalog source as the contract shows it: its schedule read back, a timed pause only while it lasts. */
function sourceInfo(s: {
  id: number;
  repositoryId: string;
  path: string;
  excludes: string[];
  schedule: JsonObject | null;
  pausedUntil: string | null;
  pausedUntilResumed: boolean;
  onlyWhenIdle: boolean;
  avoidMeteredNetwork: boolean;
}): Result<'sources.add'> {
  const stored = readStoredSchedule(s.schedule);
  return {
    id: s.id,
    repositoryId: s.repositoryId,
    path: s.path,
    excludes: s.excludes,
    schedule: stored?.schedule ?? null,
    requireAcPower: stored?.requireAcPower ?? false,
    onlyWhenIdle: s.onlyWhenIdle,
    avoidMeteredNetwork: s.avoidMeteredNetwork,
    pausedUntil: s.pausedUntilResumed ? null : activePause(s.pausedUntil),
    pausedUntilResumed: s.pausedUntilResumed,
  };
}
