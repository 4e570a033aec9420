/**
 * Restriction of processing (GDPR Art. 18) as `cairn privacy freeze|unfreeze` and the app
 * (`snapshots.freeze`/`unfreeze`) run it. Freezing names a recovery point the repository holds
 * and can read; unfreezing names one on the list of frozen points, so a freeze can be lifted even
 * when its recovery point is gone or cannot be read. Both are recorded in the audit trail
 * (`snapshot.frozen`, `snapshot.unfrozen`), a freeze only when it is new, with the reason as
 * stored. The freezes themselves live in src/app/privacy/restriction/frozen.ts.
 */

import { CairnError } from '../../engine/errors.js';
import type { Repository } from '../../engine/repo/repository.js';
import { bypassRestriction } from '../../engine/repo/restriction.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import type { FrozenPoint, FrozenPoints } from '../privacy/restriction/frozen.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export type { FrozenPoint } from '../privacy/restriction/frozen.js';

export interface FreezeDeps {
  frozen: FrozenPoints;
  /** Where freezes are audited; a record that cannot be written never undoes the freeze. */
  records: RepositoryRecords;
  clock?: Clock;
}

export interface FreezeResult extends FrozenPoint {
  repositoryId: string;
  /** The point was frozen before: its first freeze (time and reason) is kept. */
  already: boolean;
}

/** Freezes the recovery point named by id, unique prefix or 'latest'. */
export async function freezeRecoveryPoint(
  repo: Repository,
  deps: FreezeDeps,
  ref: string,
  reason: string,
): Promise<FreezeResult> {
  const repositoryId = repo.config.id;
  // Freezing names a point that may be frozen already (restriction.ts refuses its contents only).
  const snapshot = await bypassRestriction('freeze', () => repo.findSnapshot(ref));
  const point = deps.frozen.freeze(repositoryId, snapshot.id, reason, new Date((deps.clock ?? systemClock)()));
  if (!point.already) {
    appendAudit(deps.records, 'snapshot.frozen', { repositoryId, snapshotId: snapshot.id, reason: point.reason });
  }
  return { repositoryId, ...point };
}

/** Unfreezes the one frozen recovery point of the repository whose id starts with `ref`. */
export function unfreezeRecoveryPoint(
  repositoryId: string,
  deps: FreezeDeps,
  ref: string,
): FrozenPoint & { repositoryId: string } {
  const matches = deps.frozen.list(repositoryId).filter((f) => f.snapshotId.startsWith(ref));
  const [match] = matches;
  if (!match || ref === '') throw new CairnError('not-found', `recovery point ${ref} is not frozen`);
  if (matches.length > 1) {
    throw new CairnError('invalid-argument', `recovery point prefix ${ref} is ambiguous; give more characters`);
  }
  const point = deps.frozen.unfreeze(repositoryId, match.snapshotId, new Date((deps.clock ?? systemClock)()));
  appendAudit(deps.records, 'snapshot.unfrozen', { repositoryId, snapshotId: match.snapshotId });
  return { repositoryId, ...point };
}
