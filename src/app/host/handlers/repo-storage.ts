/**
 * The `repo.*` methods about where a repository is stored: "Test connection" for a location not
 * yet added (`repo.testLocation`), and a repository's storage settings and session credentials
 * (`repo.storageSettings`, `repo.setStorageSettings`), which apply from the next time its
 * storage is opened (an open session keeps the connection it has). A test that reaches the
 * storage of a repository of the app shows that storage reachable again. Part of repoHandlers.
 */
import type { ParsedParams, Result } from '../../../contract/methods.js';
import type { HostServices } from '../host-services.js';
import { testLocation } from '../location-test.js';
import type { Handlers } from './types.js';

export type RepoStorageDeps = Pick<HostServices, 'catalog' | 'repositories' | 'storage' | 'reachability'>;

type StorageMethods = 'repo.testLocation' | 'repo.storageSettings' | 'repo.setStorageSettings';

export function repoStorageHandlers(deps: RepoStorageDeps): Handlers<StorageMethods> {
  return {
    'repo.testLocation': (p) => testRepositoryLocation(deps, p),
    'repo.storageSettings': async (p) => deps.storage.describe(deps.repositories.requireRecord(p.repositoryId)),
    'repo.setStorageSettings': async (p) => setStorageSettings(deps, p),
  };
}

/** "Test connection"; one that reached the storage of a repository of the app shows it reachable again. */
async function testRepositoryLocation(
  deps: RepoStorageDeps,
  p: ParsedParams<'repo.testLocation'>,
): Promise<Result<'repo.testLocation'>> {
  const result = await testLocation(p);
  if (result.reachable) {
    const record = deps.catalog.findRepositoryByLocation(result.location);
    if (record) deps.reachability.reachable(record.id);
  }
  return result;
}

function setStorageSettings(
  deps: RepoStorageDeps,
  p: ParsedParams<'repo.setStorageSettings'>,
): Result<'repo.setStorageSettings'> {
  const record = deps.repositories.requireRecord(p.repositoryId);
  if (p.storage) deps.storage.save(record, p.storage);
  if (p.credentials) deps.storage.credentials.set(record.id, p.credentials);
  return deps.storage.describe(record);
}
