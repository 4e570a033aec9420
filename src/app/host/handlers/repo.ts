/**
 * The `repo.*` methods: creating a repository, connecting an existing one, unlocking and locking
 * it (an unlocked one stays open in memory; its password is never stored), the list, what one
 * shows as damaged without reading its data, and its storage use. Opening a repository applies
 * its erasure tombstones first and counts recovery points made elsewhere for "last backup"; an
 * integrity failure on opening opens an incident.
 */
import { ContractError } from '../../../contract/errors.js';
import type { ParsedParams, Result } from '../../../contract/methods.js';
import type { Backend } from '../../../engine/backend/types.js';
import { CairnError } from '../../../engine/errors.js';
import { Repository } from '../../../engine/repo/repository.js';
import type { RepositoryRecord } from '../../catalog/catalog.js';
import { applyTombstones } from '../erasure.js';
import type { HostServices } from '../host-services.js';
import { normalizeRecoveryKey } from '../keys.js';
import { backendFor } from '../open-repositories.js';
import { repositoryInfo } from '../status.js';
import { newestBackupTime, repositoryUsage } from '../usage.js';
import type { Handlers, Namespace } from './types.js';

export type RepoDeps = Pick<
  HostServices,
  'dataDir' | 'kdf' | 'catalog' | 'tasks' | 'repositories' | 'privacy' | 'events'
>;

export function repoHandlers(deps: RepoDeps): Handlers<Namespace<'repo'>> {
  return {
    'repo.create': (p) => createRepository(deps, p),
    'repo.connect': (p) => connectRepository(deps, p),
    'repo.unlock': (p) => unlockRepository(deps, p),
    'repo.lock': (p) => lockRepository(deps, p),
    'repo.list': async () => deps.catalog.listRepositories().map((r) => repositoryInfo(r, deps.repositories)),
    'repo.health': (p) => repositoryHealth(deps, p),
    'repo.usage': (p) => deps.repositories.withBackend(p.repositoryId, repositoryUsage),
  };
}

/** Creates a repository at a new location and keeps it unlocked. */
async function createRepository(deps: RepoDeps, p: ParsedParams<'repo.create'>): Promise<Result<'repo.create'>> {
  const { catalog, repositories } = deps;
  const backend = backendFor(p.location);
  const known = catalog.findRepositoryByLocation(backend.location);
  if (known) {
    throw new ContractError(
      'invalid-argument',
      `the repository at ${backend.location} is already in this app (as "${known.label}")`,
    );
  }
  deps.privacy.authorizeRegion(p.region, backend.location, 'repo.create', p.allowRegionTransfer);
  const repo = await Repository.init(backend, p.password, deps.kdf ? { kdf: deps.kdf } : {});
  try {
    const record = catalog.addRepository({
      id: repo.config.id,
      location: backend.location,
      label: p.label,
      region: p.region,
    });
    repositories.set(record.id, repo);
    deps.privacy.repositoryAdded(record, 'repo.create', p.allowRegionTransfer);
    deps.events.emitStatus();
    return repositoryInfo(record, repositories);
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
  const backend = backendFor(p.location);
  deps.privacy.authorizeRegion(p.region, backend.location, 'repo.connect', p.allowRegionTransfer);
  const repo = await openOrReport(deps, backend, p.password, {
    id: catalog.findRepositoryByLocation(backend.location)?.id ?? null,
    label: p.label,
    location: backend.location,
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
    record = await noteNewestBackup(deps, record, repo);
    const previous = repositories.get(id);
    if (previous) await repo.close();
    else {
      repositories.set(id, repo);
      await applyTombstonesOrLock(deps, record, repo);
    }
    deps.privacy.repositoryAdded(record, 'repo.connect', p.allowRegionTransfer);
    deps.events.emitStatus();
    return repositoryInfo(record, repositories);
  } catch (err) {
    if (repositories.get(repo.config.id) !== repo) await repo.close();
    throw err;
  }
}

/** Opens a repository of the app with its password (or recovery key) and keeps it unlocked. */
async function unlockRepository(deps: RepoDeps, p: ParsedParams<'repo.unlock'>): Promise<Result<'repo.unlock'>> {
  const { repositories } = deps;
  const record = repositories.requireRecord(p.repositoryId);
  const repo = await openOrReport(deps, backendFor(record.location), p.password, record);
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
    await applyTombstonesOrLock(deps, record, repo);
  }
  deps.events.emitStatus();
  return repositoryInfo(updated, repositories);
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
    checkedAt: new Date().toISOString(),
  };
}

/** Recovery points made elsewhere (the CLI, another computer) count for "last backup". */
async function noteNewestBackup(deps: RepoDeps, record: RepositoryRecord, repo: Repository): Promise<RepositoryRecord> {
  const newest = await newestBackupTime(repo);
  if (!newest || (record.lastBackupAt && Date.parse(record.lastBackupAt) >= Date.parse(newest))) return record;
  return deps.catalog.updateRepository(record.id, { lastBackupAt: newest });
}

/** Erasure tombstones of the repository are applied on opening; if that fails it stays locked. */
async function applyTombstonesOrLock(deps: RepoDeps, record: RepositoryRecord, repo: Repository): Promise<void> {
  try {
    await applyTombstones(deps, record, repo);
  } catch (err) {
    if (deps.repositories.get(record.id) === repo) deps.repositories.delete(record.id);
    await repo.close();
    throw err;
  }
}

/** Opens a repository; an integrity failure (not a wrong password) opens an incident. */
async function openOrReport(
  deps: RepoDeps,
  backend: Backend,
  password: string,
  repository: { id: string | null; label: string; location: string },
): Promise<Repository> {
  try {
    return await openWithPassword(() => backend, password);
  } catch (err) {
    deps.privacy.openFailed(repository, err);
    throw err;
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
