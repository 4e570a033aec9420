/**
 * The app's restriction guard: the frozen points of the data folder (./frozen.ts) as the engine's
 * `RestrictionGuard` (src/engine/repo/restriction.ts), which every session the app or the CLI
 * opens carries (`restrictFrozen`: the host's OpenRepositories and the CLI's openRepository). The
 * engine then refuses, in one place, to read a frozen point's contents, whichever method or
 * command asks; the refusal says which point, since when and why, and how to lift it.
 * The guard reads frozen.json on each question, so a freeze or unfreeze by another process (the
 * CLI beside the app) counts at once.
 */
import type { Repository } from '../../../engine/repo/repository.js';
import type { RestrictionGuard } from '../../../engine/repo/restriction.js';
import type { FrozenPoint, FrozenPoints } from './frozen.js';

/** The refusal of a frozen point's contents, for people (the renderer reads its date and reason back). */
export function frozenRefusal(point: FrozenPoint): string {
  const short = point.snapshotId.slice(0, 8);
  return `recovery point ${short} is frozen (restricted under GDPR Art. 18) since ${point.frozenAt} (${point.reason}): its files cannot be browsed, restored, compared, searched or exported until it is unfrozen; unfreeze it in Privacy in the app, or with "cairn privacy unfreeze ${short}"`;
}

/** The frozen points of the data folder as the engine's guard. */
export function frozenGuard(frozen: Pick<FrozenPoints, 'get'>): RestrictionGuard {
  return (repositoryId, snapshotId) => {
    const point = frozen.get(repositoryId, snapshotId);
    return point ? frozenRefusal(point) : null;
  };
}

/** Hands `repo` the guard of the frozen points; returns it. */
export function restrictFrozen(repo: Repository, frozen: Pick<FrozenPoints, 'get'>): Repository {
  repo.restriction.guard = frozenGuard(frozen);
  return repo;
}
