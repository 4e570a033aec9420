/**
 * The `repo.*` methods: creating a repository, connecting an existing one, unlocking and locking
 * it (an unlocked one stays open in memory; its password is never stored), the list, what one
 * shows as damaged without reading its data, and its storage use. Creating and opening are the
 * shared use cases (src/app/services/create-repository.ts, open-repository.ts); what is the app's
 * own is here: the catalog, the open sessions, erasure tombstones applied as a task before a
 * session is used, and recovery points made elsewhere counted for "last backup".
 */
import { ContractError } from '../../../contract/errors.js';
import type { ParsedParams, Result } from '../../../contract/methods.js';
import type { JsonValue, RepositoryRecord } from '../../catalog/catalog.js';
import { authorizeStorage, createRepository, recordRepositoryAdded } from '../../services/create-repository.js';
import {
  type EraseOutcome,
  erasuresToReapply,
  openRepository,
  type Repository,
  reapplyErasures,
} from '../../services/open-repository.js';
import { toContractError } from '../errors.js';
import type { HostServices } from '../host-services.js';
import { locationKind, openOptions, signInAdvice } from '../repository-storage.js';
import { repositoryInfo } from '../status.js';
import { newestBackupTime, repositoryUsage } from '../usage.js';
import { repoStorageHandlers } from './repo-storage.js';
import type { Handlers, Namespace } from './types.js';

export type RepoDeps = Pick<
  HostServices,
  | 'dataDir'
  | 'kdf'
  | 'clock'
  | 'catalog'
  | 'tasks'
  | 'repositories'
  | 'storage'
  | 'reachability'
  | 'privacy'
  | 'events'
  | 'schedules'
  | 'watching'
>;

export function repoHandlers(deps: RepoDeps): Handlers<Namespace<'repo'>> {
  return {
    ...repoStorageHandlers(deps),
    'repo.create': (p) => createRepo(deps, p),
    'repo.connect': (p) => connectRepository(deps, p),
    'repo.unlock': (p) => unlockRepository(deps, p),
    'repo.lock': (p) => lockRepository(deps, p),
    'repo.remove': (p) => removeRepository(deps, p),
    'repo.list': async () => deps.catalog.listRepositories().map((r) => repositoryInfo(r, deps)),
    'repo.health': (p) => repositoryHealth(deps, p),
    'repo.usage': (p) => deps.repositories.withBackend(p.repositoryId, repositoryUsage),
  };
}

/** How long creating or connecting a repository keeps retrying a storage that does not answer. */
const INTERACTIVE_RETRY_MS = 45_000;

/**
 * The storage a new repository is made in, or an existing one is connected from, reached with
 * the storage settings and credentials given with the request (a remote location's). It stays the
 * session's storage, so it reports to the reachability tracker as that of the repository whose id
 * `holder` is given once it is known.
 */
function requestedBackend(
  deps: RepoDeps,
  p: ParsedParams<'repo.create'> | ParsedParams<'repo.connect'>,
  holder: { id?: string },
) {
  const options = openOptions(locationKind(p.location), p.storage, p.credentials);
  // Someone is waiting for the answer: a storage that stays unreachable fails within a minute,
  // not after the five minutes of retries a backup gets.
  return deps.storage.open(p.location, options, () => holder.id, INTERACTIVE_RETRY_MS);
}

/**
 * Keeps what a remote repository needs to be opened again: its settings in the catalog, its
 * credentials in memory for the session. What was not given stays as it was.
 */
function keepStorage(
  deps: RepoDeps,
  record: RepositoryRecord,
  p: ParsedParams<'repo.create'> | ParsedParams<'repo.connect'>,
): void {
  if (p.storage) deps.storage.save(record, p.storage);
  if (p.credentials) deps.storage.credentials.set(record.id, p.credentials);
}

/** Creates a repository at a new location and keeps it unlocked. */
async function createRepo(deps: RepoDeps, p: ParsedParams<'repo.create'>): Promise<Result<'repo.create'>> {
  const { catalog, repositories } = deps;
  const holder: { id?: string } = {};
  const backend = requestedBackend(deps, p, holder);
  const known = catalog.findRepositoryByLocation(backend.location);
  if (known) {
    throw new ContractError(
      'invalid-argument',
      `the repository at ${backend.location} is already in this app (as "${known.label}")`,
    );
  }
  const { repo } = await createRepository({
    backend,
    password: p.password,
    region: p.region,
    allowRegionTransfer: p.allowRegionTransfer,
    operation: 'repo.create',
    label: p.label,
    kdf: deps.kdf,
    clock: deps.clock,
    records: deps.privacy.port,
  });
  try {
    const record = catalog.addRepository({
      id: repo.config.id,
      location: backend.location,
      label: p.label,
      region: p.region,
    });
    keepStorage(deps, record, p);
    holder.id = record.id;
    repositories.set(record.id, repo);
    deps.reachability.reachable(record.id);
    deps.events.emitStatus();
    return repositoryInfo(record, deps);
  } catch (err) {
    await repo.close();
    throw err;
  }
}

/**
 * Adds an existing repository (or renames one already in the app at the same location) and
 * keeps it unlocked.
 */
async function connectRepository(deps: RepoDeps, p: ParsedParams<'repo.connect'>): Promise<Result<'repo.connect'>> {
  const { catalog, repositories } = deps;
  const records = deps.privacy.port;
  const holder: { id?: string } = {};
  const backend = requestedBackend(deps, p, holder);
  const place = await authorizeStorage(
    records,
    backend,
    { region: p.region, allowRegionTransfer: p.allowRegionTransfer },
    'repo.connect',
  );
  const repo = await openRepository({
    backend,
    password: p.password,
    repository: { id: catalog.findRepositoryByLocation(backend.location)?.id ?? null, label: p.label },
    records,
    clock: deps.clock,
  });
  try {
    const id = repo.config.id;
    const byId = catalog.getRepository(id);
    const byLocation = catalog.findRepositoryByLocation(backend.location);
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
      record = catalog.updateRepository(id, { label: p.label, region: p.region });
    } else {
      record = catalog.addRepository({ id, location: backend.location, label: p.label, region: p.region });
    }
    keepStorage(deps, record, p);
    holder.id = id;
    deps.reachability.reachable(id);
    record = await noteNewestBackup(deps, record, repo);
    const previous = repositories.get(id);
    if (previous) await repo.close();
    else {
      repositories.set(id, repo);
      await reapplyOrLock(deps, record, repo);
    }
    recordRepositoryAdded(records, { ...place, id: record.id, label: record.label }, 'repository.connected');
    deps.events.emitStatus();
    return repositoryInfo(record, deps);
  } catch (err) {
    if (repositories.get(repo.config.id) !== repo) await repo.close();
    throw err;
  }
}

/** Opens a repository of the app with its password (or recovery key) and keeps it unlocked. */
async function unlockRepository(deps: RepoDeps, p: ParsedParams<'repo.unlock'>): Promise<Result<'repo.unlock'>> {
  const { repositories } = deps;
  const record = repositories.requireRecord(p.repositoryId);
  const backend = deps.storage.backendFor(record);
  // Someone waits for the answer: storage that does not answer fails the unlock at once (with
  // the reason) instead of after the retries a scheduled backup rides out. Once a call gets
  // through, the session retries as usual.
  backend.interruptRetries?.();
  const repo = await openRepository({
    backend,
    password: p.password,
    repository: record,
    records: deps.privacy.port,
    clock: deps.clock,
  }).catch((err: unknown) => {
    deps.reachability.failed(record.id, err);
    throw signInAdvice(record, err);
  });
  // The storage answered: whatever the rest of unlocking meets, it is reachable.
  deps.reachability.reachable(record.id);
  if (repo.config.id !== record.id) {
    await repo.close();
    throw new ContractError(
      'integrity',
      `the repository now at ${record.location} is not "${record.label}" (its id differs): it was replaced or moved`,
    );
  }
  const updated = await noteNewestBackup(deps, record, repo).catch(async (err: unknown) => {
    await repo.close();
    throw err;
  });
  // Already unlocked: the password was checked again; the open session stays in use.
  if (repositories.has(record.id)) await repo.close();
  else {
    repositories.set(record.id, repo);
    await reapplyOrLock(deps, record, repo);
  }
  deps.events.emitStatus();
  return repositoryInfo(updated, deps);
}

/** Closes the repository's session; refused while a task uses it. */
async function lockRepository(deps: RepoDeps, p: ParsedParams<'repo.lock'>): Promise<Result<'repo.lock'>> {
  const { repositories } = deps;
  const record = repositories.requireRecord(p.repositoryId);
  const busy = deps.tasks.activeFor(record.id);
  if (busy.length > 0) {
    throw new ContractError(
      'locked',
      `"${record.label}" cannot be locked while a task uses it (task ${busy.join(', ')}); cancel it or wait for it to finish`,
    );
  }
  const repo = repositories.get(record.id);
  repositories.delete(record.id);
  await repo?.close();
  // Nothing reaches a locked repository's storage: what was known of it is no longer current.
  deps.reachability.forget(record.id);
  deps.events.emitStatus();
  return { ok: true };
}

/**
 * Removes a repository from the app, refused while a task uses it: its session is closed and
 * forgotten with its session credentials, and its catalog rows (folders, schedules, storage
 * settings, retention policy, verification coverage) go. Its data stays in its storage; the
 * privacy records keep its history, and `repository.removed` is audited.
 */
async function removeRepository(deps: RepoDeps, p: ParsedParams<'repo.remove'>): Promise<Result<'repo.remove'>> {
  const { repositories, catalog } = deps;
  const record = repositories.requireRecord(p.repositoryId);
  const busy = deps.tasks.activeFor(record.id);
  if (busy.length > 0) {
    throw new ContractError(
      'locked',
      `"${record.label}" cannot be removed while a task uses it (task ${busy.join(', ')}); cancel it or wait for it to finish`,
    );
  }
  const repo = repositories.get(record.id);
  repositories.delete(record.id);
  await repo?.close();
  deps.reachability.forget(record.id);
  deps.storage.credentials.delete(record.id);
  const sources = catalog.listSources(record.id).length;
  catalog.removeRepository(record.id);
  catalog.deleteSetting(`retention.${record.id}`);
  catalog.deleteSetting(`verification.${record.id}`);
  deps.schedules.refresh();
  void deps.watching.refresh();
  deps.privacy.audit('repository.removed', {
    repositoryId: record.id,
    label: record.label,
    location: record.location,
    sources,
  });
  deps.events.emitStatus();
  return { ok: true };
}

/** What an unlocked repository shows as damaged without reading its data. */
async function repositoryHealth(deps: RepoDeps, p: ParsedParams<'repo.health'>): Promise<Result<'repo.health'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  await repo.loadIndex();
  const { damaged } = await repo.listSnapshotsChecked();
  const packsMissing = (await repo.missingPacks()).length;
  return {
    indexFilesDamaged: [...repo.indexProblems].map(([id, reason]) => ({ id, reason })),
    snapshotsDamaged: damaged,
    packsMissing,
    checkedAt: new Date(deps.clock()).toISOString(),
  };
}

/** Recovery points made elsewhere (the CLI, another computer) count for "last backup". */
async function noteNewestBackup(deps: RepoDeps, record: RepositoryRecord, repo: Repository): Promise<RepositoryRecord> {
  const newest = await newestBackupTime(repo);
  if (!newest || (record.lastBackupAt && Date.parse(record.lastBackupAt) >= Date.parse(newest))) return record;
  return deps.catalog.updateRepository(record.id, { lastBackupAt: newest });
}

/**
 * Erasure tombstones of the repository are applied before the session is used, as an 'erase'
 * task (never beside a backup of the same repository) that shows what was erased again; nothing
 * is recorded when there is nothing to apply. If that fails the repository stays locked.
 */
async function reapplyOrLock(deps: RepoDeps, record: RepositoryRecord, repo: Repository): Promise<void> {
  try {
    const erasures = { dataDir: deps.dataDir, records: deps.privacy.port, catalog: deps.catalog };
    if (!(await erasuresToReapply(repo, erasures))) return;
    let failure: unknown;
    const task = deps.tasks.start({
      kind: 'erase',
      repositoryId: record.id,
      exclusiveKey: `backup:${record.id}`,
      busyMessage: `a backup or clean-up of "${record.label}" is running`,
      run: async (ctx) => {
        try {
          const outcomes = await reapplyErasures(repo, {
            ...erasures,
            signal: ctx.signal,
            onReapplied: (message) => ctx.message(message, 'warning'),
            clock: deps.clock,
          });
          return { applied: outcomes.map(reappliedResult) };
        } catch (err) {
          failure = err;
          throw err;
        }
      },
    });
    const done = await deps.tasks.settled(task.id);
    if (done.status !== 'succeeded') {
      // The failure keeps its code (a repository in use by another program is 'locked').
      const cause = failure
        ? toContractError(failure)
        : new ContractError('integrity', `erasing a path again was ${done.status}`);
      throw new ContractError(cause.code, `${cause.message}. "${record.label}" stays locked until that succeeds.`);
    }
  } catch (err) {
    if (deps.repositories.get(record.id) === repo) deps.repositories.delete(record.id);
    await repo.close();
    throw err;
  }
}

/** What the task history keeps of a path erased again: its keyed hash, never the path. */
function reappliedResult(o: EraseOutcome): Record<string, JsonValue> {
  return {
    requestId: o.requestId,
    pathHash: o.pathHash,
    recoveryPointsRewritten: o.rewritten.length,
    recoveryPointsForgotten: o.forgotten.length,
    bytesFreed: o.bytesFreed,
    physicallyDeletedAt: o.physicallyDeletedAt,
    receiptFile: o.receiptFile,
    reapplies: o.reapplies,
  };
}
