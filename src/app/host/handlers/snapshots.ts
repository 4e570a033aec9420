/**
 * The `snapshots.*` methods: the recovery points of an unlocked repository (list, browse a
 * folder, compare two, search by name), freezing and unfreezing one (GDPR Art. 18: a frozen
 * point cannot be browsed, restored, compared or removed), and removing recovery points by id,
 * a damaged one included. Comparing and searching are in ../recovery-points.ts.
 */
import { ContractError } from '../../../contract/errors.js';
import type { ParsedParams, Result } from '../../../contract/methods.js';
import { walk } from '../../../engine/browse/walk.js';
import { withLock } from '../../../engine/repo/lock.js';
import type { HostServices } from '../host-services.js';
import { diffSnapshots, searchSnapshots } from '../recovery-points.js';
import type { Handlers, Namespace } from './types.js';

export type SnapshotsDeps = Pick<HostServices, 'repositories' | 'frozen' | 'privacy' | 'events'>;

export function snapshotsHandlers(deps: SnapshotsDeps): Handlers<Namespace<'snapshots'>> {
  const repoOf = (id: string) => deps.repositories.unlocked(id).repo;
  return {
    'snapshots.list': (p) => listSnapshots(deps, p),
    'snapshots.browse': (p) => browse(deps, p),
    'snapshots.diff': (p) => diffSnapshots(repoOf(p.repositoryId), p.a, p.b, p.limit),
    'snapshots.search': (p) => searchSnapshots(repoOf(p.repositoryId), p.query, p),
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
  const all = await repo.listSnapshots();
  const frozen = deps.frozen.ids(p.repositoryId);
  return all
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
      frozen: frozen.has(s.id),
    }))
    .reverse();
}

/** The entries of one folder of a recovery point (not a frozen one). */
async function browse(deps: SnapshotsDeps, p: ParsedParams<'snapshots.browse'>): Promise<Result<'snapshots.browse'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  await repo.loadIndex();
  const snapshot = await repo.findSnapshot(p.snapshotId);
  deps.frozen.assertNotFrozen(p.repositoryId, snapshot.id, 'browse');
  const entries: Result<'snapshots.browse'> = [];
  for await (const e of walk(repo, snapshot.tree, p.path || '/', { recursive: false })) {
    entries.push({
      name: e.node.name,
      path: e.path,
      type: e.node.type,
      size: e.node.type === 'file' ? (e.node.size ?? 0) : null,
      mtime: new Date(e.node.mtime).toISOString(),
    });
  }
  return entries;
}

/** Freezes a recovery point (audited). */
async function freeze(deps: SnapshotsDeps, p: ParsedParams<'snapshots.freeze'>): Promise<Result<'snapshots.freeze'>> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const snapshot = await repo.findSnapshot(p.snapshotId);
  const point = deps.frozen.freeze(record.id, snapshot.id, p.reason);
  deps.privacy.audit('snapshot.frozen', { repositoryId: record.id, snapshotId: snapshot.id, reason: p.reason });
  return { repositoryId: record.id, snapshotId: point.snapshotId, frozenAt: point.frozenAt, reason: point.reason };
}

/** Unfreezes the one frozen recovery point whose id starts with the given prefix (audited). */
function unfreeze(deps: SnapshotsDeps, p: ParsedParams<'snapshots.unfreeze'>): void {
  const record = deps.repositories.requireRecord(p.repositoryId);
  const matches = deps.frozen.list(record.id).filter((f) => f.snapshotId.startsWith(p.snapshotId));
  if (matches.length !== 1 || !matches[0]) {
    throw new ContractError(
      matches.length === 0 ? 'not-found' : 'invalid-argument',
      matches.length === 0
        ? `recovery point ${p.snapshotId} is not frozen`
        : `recovery point prefix ${p.snapshotId} is ambiguous; give more characters`,
    );
  }
  deps.frozen.unfreeze(record.id, matches[0].snapshotId);
  deps.privacy.audit('snapshot.unfrozen', { repositoryId: record.id, snapshotId: matches[0].snapshotId });
}

/** Removes recovery points by id or prefix under the exclusive lock; a frozen one is refused. */
async function forget(deps: SnapshotsDeps, p: ParsedParams<'snapshots.forget'>): Promise<Result<'snapshots.forget'>> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const frozen = deps.frozen.ids(record.id);
  const removed = await withLock(repo, 'forget', true, async () => {
    // Resolved without reading them: a damaged recovery point can be removed too.
    const ids = [...new Set(await Promise.all(p.ids.map((ref) => repo.resolveSnapshotId(ref))))];
    const held = ids.find((id) => frozen.has(id));
    if (held) {
      throw new ContractError(
        'invalid-argument',
        `recovery point ${held.slice(0, 8)} is frozen (restricted under GDPR Art. 18): unfreeze it before removing it`,
      );
    }
    for (const id of ids) await repo.removeSnapshot(id);
    return ids;
  });
  deps.privacy.audit('snapshots.forgotten', { repositoryId: record.id, removed, policy: null });
  deps.events.emitStatus();
  return { removed };
}
