/**
 * The instruction to store a repository outside the chosen region (GDPR Art. 44–49), given or
 * revoked for a repository already set up, as `cairn privacy region --instruct|--revoke` and the
 * app's repository settings (`transfers.*`) do it. Setting a repository up outside the chosen
 * region takes the instruction at once (./create-repository.ts); this is for later, e.g. after the
 * chosen region changed. The privacy records audit both and the records of processing list them.
 */
import { CairnError } from '../../engine/errors.js';
import type { PrivacyRecords } from '../privacy/index.js';
import { type LocationRecord, outsideChosenRegion } from '../privacy/regions.js';

/** A repository's place as the caller knows it (the app's catalog, or the recorded locations). */
export interface PlacedRepository {
  id: string;
  location: string;
  region: string;
}

export interface TransferState {
  repositoryId: string;
  location: string;
  region: string;
  chosenRegion: string | null;
  outsideChosenRegion: boolean;
  instruction: string | null;
  instructedAt: string | null;
  revokedAt: string | null;
}

function state(records: PrivacyRecords, repo: PlacedRepository, record: LocationRecord | undefined): TransferState {
  const chosen = records.regions.chosen();
  return {
    repositoryId: repo.id,
    location: repo.location,
    region: repo.region,
    chosenRegion: chosen,
    outsideChosenRegion: outsideChosenRegion(repo.region, chosen),
    instruction: record?.instruction ?? null,
    instructedAt: record?.instruction ? (record.instructedAt ?? record.declaredAt) : null,
    revokedAt: record?.revokedAt ?? null,
  };
}

const recordOf = (records: PrivacyRecords, repo: PlacedRepository) =>
  records.regions.locations().find((l) => l.repositoryId === repo.id && l.location === repo.location);

export function transferState(records: PrivacyRecords, repo: PlacedRepository): TransferState {
  return state(records, repo, recordOf(records, repo));
}

export function instructTransfer(records: PrivacyRecords, repo: PlacedRepository, instruction: string): TransferState {
  const record = records.regions.instruct({
    repositoryId: repo.id,
    location: repo.location,
    region: repo.region,
    instruction,
    via: records.actor,
  });
  return state(records, repo, record);
}

export function revokeTransfer(records: PrivacyRecords, repo: PlacedRepository): TransferState {
  return state(records, repo, records.regions.revoke({ repositoryId: repo.id, location: repo.location }));
}

/** A recorded location by its repository id (or a prefix of it), for the command line. */
export function recordedRepository(records: PrivacyRecords, id: string): PlacedRepository {
  const found = records.regions.locations().filter((l) => l.repositoryId.startsWith(id.trim()));
  const ids = new Set(found.map((l) => l.repositoryId));
  if (id.trim() === '' || ids.size === 0) {
    throw new CairnError(
      'not-found',
      `no storage location of repository ${id} is recorded (see "cairn privacy region")`,
    );
  }
  if (ids.size > 1 || found.length > 1) {
    throw new CairnError('invalid-argument', `repository ${id} is ambiguous: give more of its id`);
  }
  const l = found[0] as LocationRecord;
  return { id: l.repositoryId, location: l.location, region: l.region };
}
