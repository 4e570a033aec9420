/**
 * Creating a repository (`cairn init`, the app's `repo.create`) and what the privacy records keep
 * of a storage location (also on the app's `repo.connect`): the location's declared region, which
 * must be the chosen region unless the user gave an explicit instruction (audited); the location
 * record; the backup purpose, which setting up a repository gives; and the audit entry. The
 * region is checked before anything is written, so a refused location is left untouched.
 */
import type { Backend } from '../../engine/backend/types.js';
import type { KdfCost } from '../../engine/crypto/kdf.js';
import { CairnError, describeError } from '../../engine/errors.js';
import { Repository } from '../../engine/repo/repository.js';
import type { Clock } from '../../engine/util/clock.js';
import { requireRegion } from '../privacy/index.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';
import { declaredRegion } from './storage-region.js';

export type { KdfCost } from '../../engine/crypto/kdf.js';

/** A storage location and its declared region, as the records keep them. */
export interface StorageLocation {
  location: string;
  /** The declared region (a code of REGIONS, e.g. 'EU', 'this-device'). */
  region: string;
  /** The user's explicit instruction (a reason) to store outside the chosen region, if given. */
  allowRegionTransfer?: string;
}

/**
 * The region to record for a new location: the one given, else the chosen region, else
 * 'this-device'; refuses an unknown region and, unless instructed, one other than the chosen
 * region (`operation` names what is refused, e.g. 'init', 'repo.connect').
 */
export function authorizeLocation(
  records: RepositoryRecords,
  target: { location: string; region?: string; allowRegionTransfer?: string },
  operation: string,
): StorageLocation {
  const regions = records.privacy().regions;
  const region = requireRegion(target.region ?? regions.chosen() ?? 'this-device');
  regions.authorize(region, { location: target.location, operation }, target.allowRegionTransfer);
  return { location: target.location, region, allowRegionTransfer: target.allowRegionTransfer };
}

/**
 * `authorizeLocation` for storage that may report where it is: the region declared (or, when none
 * is, the one the storage reports) must agree with that report (storage-region.ts), then with the
 * chosen region unless the user gave an instruction.
 */
export async function authorizeStorage(
  records: RepositoryRecords,
  backend: Backend,
  target: { region?: string; allowRegionTransfer?: string },
  operation: string,
): Promise<StorageLocation> {
  const region = await declaredRegion(
    backend,
    backend.location,
    target.region,
    records.privacy().regions.chosen() ?? 'this-device',
  );
  return authorizeLocation(
    records,
    { location: backend.location, region, allowRegionTransfer: target.allowRegionTransfer },
    operation,
  );
}

/** Records a repository set up at a location: the location and region, the backup purpose, the audit entry. */
export function recordRepositoryAdded(
  records: RepositoryRecords,
  repository: StorageLocation & { id: string; label?: string },
  action: 'repository.created' | 'repository.connected',
): void {
  try {
    const privacy = records.privacy();
    privacy.regions.record({
      location: repository.location,
      repositoryId: repository.id,
      region: repository.region,
      via: privacy.actor,
      instruction: repository.allowRegionTransfer,
    });
    privacy.consent.ensureBackupGiven(privacy.actor);
  } catch (err) {
    records.warn(`could not update the privacy records (storage location): ${describeError(err)}`);
  }
  appendAudit(records, action, {
    repositoryId: repository.id,
    ...(repository.label === undefined ? {} : { label: repository.label }),
    location: repository.location,
    region: repository.region,
  });
}

export interface CreateRequest {
  backend: Backend;
  /** The new password, or how to ask for it (asked only once the location is known to be usable). */
  password: string | (() => Promise<string>);
  /**
   * The declared region (default: the region remote storage reports, else the chosen region,
   * else 'this-device' for a folder of this computer).
   */
  region?: string;
  allowRegionTransfer?: string;
  /** What is being done, for a refusal and the region's audit entry ('init', 'repo.create'). */
  operation: string;
  /** The name the app gives the repository (the CLI gives none). */
  label?: string;
  /** Key derivation and cost of the first key slot (default: the engine's). */
  kdf?: KdfCost;
  /**
   * Dates the config and the first key slot, and stays the session's clock (later key slots);
   * default: the system clock.
   */
  clock?: Clock;
  records: RepositoryRecords;
}

export interface Created {
  repo: Repository;
  /** The region recorded for it. */
  region: string;
}

/** Creates an encrypted repository at a new location and records it (see the module comment). */
export async function createRepository(request: CreateRequest): Promise<Created> {
  const { backend, records } = request;
  if (await backend.exists()) {
    throw new CairnError('invalid-argument', `a repository already exists at ${backend.location}`);
  }
  const place = await authorizeStorage(
    records,
    backend,
    { region: request.region, allowRegionTransfer: request.allowRegionTransfer },
    request.operation,
  );
  const password = typeof request.password === 'string' ? request.password : await request.password();
  const repo = await Repository.init(backend, password, {
    ...(request.kdf ? { kdf: request.kdf } : {}),
    ...(request.clock ? { clock: request.clock } : {}),
  });
  recordRepositoryAdded(records, { ...place, id: repo.config.id, label: request.label }, 'repository.created');
  return { repo, region: place.region };
}
