/**
 * The `snapshots.*` methods: the recovery points of an unlocked repository (list, browse a
 * folder, compare two, search by name), freezing and unfreezing one (GDPR Art. 18: a frozen
 * point cannot be browsed, restored, compared or removed), and removing recovery points by id,
 * a damaged one included. Listing, browsing, comparing and searching are the recovery points
 * service's (src/app/services/recovery-points.ts); the session's engine refuses a frozen point's
 * contents to all of them (src/engine/repo/restriction.ts, installed by OpenRepositories).
 */
import type { ParsedParams, Result } from '../../../contract/methods.js';
import { forget as forgetRecoveryPoints } from '../../services/forget.js';
import { freezeRecoveryPoint, unfreezeRecoveryPoint } from '../../services/freeze.js';
import {
  diffRecoveryPoints,
  listFiles,
  listRecoveryPoints,
  searchRecoveryPoints,
} from '../../services/recovery-points.js';
import type { HostServices } from '../host-services.js';
import type { Handlers, Namespace } from './types.js';

export type SnapshotsDeps = Pick<HostServices, 'repositories' | 'frozen' | 'privacy' | 'events' | 'clock'>;

export function snapshotsHandlers(deps: SnapshotsDeps): Handlers<Namespace<'snapshots'>> {
  const repoOf = (id: string) => deps.repositories.unlocked(id).repo;
  return {
    'snapshots.list': (p) => listSnapshots(deps, p),
    'snapshots.browse': (p) => browse(deps, p),
    'snapshots.diff': (p) => diff(deps, p),
    'snapshots.search': (p) => searchRecoveryPoints(repoOf(p.repositoryId), p.query, p),
    'snapshots.freeze': (p) => freeze(deps, p),
    'snapshots.unfreeze': async (p) => {
      unfreeze(deps, p);
      return { ok: true as const };
    },
    'snapshots.forget': (p) => forget(deps, p),
  };
}

/** The recovery points, newest first, each marked frozen or not. */
async function listSnapshots(
  deps: SnapshotsDeps,
  p: ParsedParams<'snapshots.list'>,
): Promise<Result<'snapshots.list'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  const { points } = await listRecoveryPoints(repo, deps.frozen);
  return points
    .map((s) => ({
      id: s.id,
      time: s.time,
      hostname: s.hostname,
      paths: s.paths,
      tags: s.tags,
      partial: s.partial,
      filesNew: s.summary.filesNew,
      filesChanged: s.summary.filesChanged,
      filesUnchanged: s.summary.filesUnchanged,
      totalFiles: s.summary.totalFiles,
      totalBytes: s.summary.totalBytes,
      dataAdded: s.summary.dataAdded,
      dataAddedStored: s.summary.dataAddedStored,
      frozen: s.frozen,
    }))
    .reverse();
}

/** The entries of one folder of a recovery point (not a frozen one). */
async function browse(deps: SnapshotsDeps, p: ParsedParams<'snapshots.browse'>): Promise<Result<'snapshots.browse'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  const { entries } = await listFiles(repo, p.snapshotId, p.path || '/', { recursive: false });
  return entries.map((e) => ({
    name: e.node.name,
    path: e.path,
    type: e.node.type,
    size: e.node.type === 'file' ? (e.node.size ?? 0) : null,
    mtime: new Date(e.node.mtime).toISOString(),
  }));
}

/** What changed between two recovery points (neither frozen), the first `limit` changes listed. */
async function diff(deps: SnapshotsDeps, p: ParsedParams<'snapshots.diff'>): Promise<Result<'snapshots.diff'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  const d = await diffRecoveryPoints(repo, p.a, p.b);
  return {
    a: d.before.id,
    b: d.after.id,
    changes: d.changes.slice(0, p.limit).map((c) => ({
      path: c.path,
      change: c.change,
      type: c.type,
      sizeBefore: c.sizeBefore ?? null,
      sizeAfter: c.sizeAfter ?? null,
    })),
    counts: d.counts,
    truncated: d.changes.length > p.limit,
  };
}

/** Freezes a recovery point (audited; src/app/services/freeze.ts, as `cairn privacy freeze`). */
async function freeze(deps: SnapshotsDeps, p: ParsedParams<'snapshots.freeze'>): Promise<Result<'snapshots.freeze'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  const point = await freezeRecoveryPoint(repo, recordsOf(deps), p.snapshotId, p.reason);
  const { repositoryId, snapshotId, frozenAt, reason } = point;
  return { repositoryId, snapshotId, frozenAt, reason };
}

/** Unfreezes the one frozen recovery point whose id starts with the given prefix (audited). */
function unfreeze(deps: SnapshotsDeps, p: ParsedParams<'snapshots.unfreeze'>): void {
  const record = deps.repositories.requireRecord(p.repositoryId);
  unfreezeRecoveryPoint(record.id, recordsOf(deps), p.snapshotId);
}

/**
 * Removes recovery points by id or prefix (a damaged one too; a frozen one is refused), decided
 * and removed under the exclusive lock: the forget use case of src/app/services/forget.ts.
 */
async function forget(deps: SnapshotsDeps, p: ParsedParams<'snapshots.forget'>): Promise<Result<'snapshots.forget'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  const { removed } = await forgetRecoveryPoints(repo, { ids: p.ids }, recordsOf(deps));
  deps.events.emitStatus();
  return { removed };
}

/** The frozen points and the privacy records of the app's data folder, and the app's clock. */
function recordsOf(deps: SnapshotsDeps) {
  return { frozen: deps.frozen, records: deps.privacy.port, clock: deps.clock };
}
