/**
 * Browsing recovery points, as `cairn snapshots|ls|diff|stats` and the app's Recovery points and
 * Restore screens do: the list (each marked frozen or not, damaged ones apart), the files of one
 * point, the difference between two (over the engine's tree diff, which skips identical
 * subtrees unread), a file-name search across every point with each path's version history, and
 * the repository's sizes.
 *
 * A frozen point (restricted under GDPR Art. 18) is listed, marked frozen, but not read: the
 * engine refuses its contents to every caller (src/engine/repo/restriction.ts, with the guard of
 * src/app/privacy/restriction/guard.ts), so browsing or comparing it is refused there, and the
 * search leaves out the points the same guard restricts.
 *
 * The search walks each point's trees; consecutive points share most subtrees, so every tree id is
 * visited once per search (its matches are remembered by id) and tree loads go through the
 * repository's tree cache. It is bounded by a number of matching paths and of folders read.
 */
import { type RepositoryStats, repositoryStats } from '../../engine/browse/stats.js';
import { type Change, diffTrees, type WalkEntry, walk } from '../../engine/browse/walk.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import type { NodeType } from '../../engine/format/tree.js';
import type { Repository } from '../../engine/repo/repository.js';
import type { DamagedSnapshot } from '../../engine/repo/snapshot-list.js';
import { joinRepoPath } from '../../engine/util/paths.js';
import type { FrozenPoints } from '../privacy/restriction/frozen.js';

export type { Change, DamagedSnapshot, RepositoryStats, SnapshotRecord, WalkEntry };

/** The frozen points, as far as the list needs them (to mark each point). */
export type FrozenView = Pick<FrozenPoints, 'ids'>;

export type RecoveryPoint = SnapshotRecord & { frozen: boolean };

export interface PointFilter {
  /** Only points with every one of these tags. */
  tags?: string[];
  hostname?: string;
  /** Only points that backed up this path. */
  path?: string;
}

/** The readable recovery points oldest first, each marked frozen or not, and the damaged ones. */
export async function listRecoveryPoints(
  repo: Repository,
  frozen: FrozenView,
  filter: PointFilter = {},
): Promise<{ points: RecoveryPoint[]; damaged: DamagedSnapshot[] }> {
  const held = frozen.ids(repo.config.id);
  const { snapshots, damaged } = await repo.listSnapshotsChecked();
  const tags = filter.tags ?? [];
  const points = snapshots
    .filter(
      (s) =>
        (!filter.hostname || s.hostname === filter.hostname) &&
        tags.every((t) => s.tags.includes(t)) &&
        (!filter.path || s.paths.includes(filter.path)),
    )
    .map((s) => ({ ...s, frozen: held.has(s.id) }));
  return { points, damaged };
}

/** The entries below `path` in a recovery point (not a frozen one), depth first in name order. */
export async function listFiles(
  repo: Repository,
  ref: string,
  path: string,
  options: { recursive: boolean },
): Promise<{ snapshot: SnapshotRecord; entries: WalkEntry[] }> {
  await repo.loadIndex();
  const snapshot = await repo.findSnapshot(ref);
  const entries: WalkEntry[] = [];
  for await (const e of walk(repo, snapshot.tree, path, options)) entries.push(e);
  return { snapshot, entries };
}

export interface PointDiff {
  before: SnapshotRecord;
  after: SnapshotRecord;
  changes: Change[];
  counts: Record<Change['change'], number>;
}

/** What changed from one recovery point to another; neither may be frozen. */
export async function diffRecoveryPoints(repo: Repository, refBefore: string, refAfter: string): Promise<PointDiff> {
  await repo.loadIndex();
  const before = await repo.findSnapshot(refBefore);
  const after = await repo.findSnapshot(refAfter);
  const changes = await diffTrees(repo, before.tree, after.tree);
  const counts = { added: 0, removed: 0, modified: 0, metadata: 0 };
  for (const c of changes) counts[c.change]++;
  return { before, after, changes, counts };
}

/** Sizes, deduplication and compression of the repository. */
export function repositoryStatistics(repo: Repository): Promise<RepositoryStats> {
  return repositoryStats(repo);
}

export interface SearchOptions {
  /** Stop after this many matching paths. */
  limit: number;
  /** Stop after reading this many folders. */
  maxFolders: number;
}

export interface SearchHit {
  path: string;
  type: NodeType;
  /** The points holding the path, newest first. */
  versions: {
    snapshotId: string;
    time: string;
    size: number | null;
    mtime: string;
    /** Not the same content as the next older version listed (or the oldest listed). */
    changed: boolean;
  }[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** The search stopped at its limit of matches or folders read. */
  truncated: boolean;
  snapshotsSearched: number;
}

interface Match {
  path: string;
  type: NodeType;
  size: number | null;
  mtime: number;
  /** Identity of the content: blob ids of a file, target of a symlink, subtree of a folder. */
  content: string;
}

/** Paths whose name contains `query` (case-insensitive) in every point but the frozen ones. */
export async function searchRecoveryPoints(
  repo: Repository,
  query: string,
  options: SearchOptions,
): Promise<SearchResult> {
  await repo.loadIndex();
  const needle = query.toLocaleLowerCase();
  const all = await repo.listSnapshots();
  const snapshots = all.filter((s) => !repo.restriction.restricts(s.id)).reverse(); // newest first
  /** Matches below a tree id (by path), so a subtree shared by many points is read once. */
  const byTree = new Map<string, Match[]>();
  const hits = new Map<string, { path: string; type: NodeType; versions: { s: SnapshotRecord; m: Match }[] }>();
  let folders = 0;
  let truncated = false;
  let searched = 0;

  async function matchesBelow(treeId: string, at: string): Promise<Match[]> {
    const key = `${treeId}\0${at}`;
    const known = byTree.get(key);
    if (known) return known;
    if (folders >= options.maxFolders) {
      truncated = true;
      return [];
    }
    folders++;
    const tree = await repo.loadTree(treeId);
    const out: Match[] = [];
    for (const node of tree.nodes) {
      const p = joinRepoPath(at, node.name);
      if (node.name.toLocaleLowerCase().includes(needle)) {
        out.push({
          path: p,
          type: node.type,
          size: node.type === 'file' ? (node.size ?? 0) : null,
          mtime: node.mtime,
          content:
            node.type === 'file'
              ? (node.content ?? []).join()
              : node.type === 'dir'
                ? (node.subtree ?? '')
                : (node.target ?? ''),
        });
      }
      if (node.type === 'dir' && node.subtree) out.push(...(await matchesBelow(node.subtree, p)));
      if (out.length > options.limit) truncated = true;
      if (truncated) break;
    }
    byTree.set(key, out);
    return out;
  }

  for (const s of snapshots) {
    const found = await matchesBelow(s.tree, '/');
    searched++;
    for (const m of found) {
      let hit = hits.get(m.path);
      if (!hit) {
        if (hits.size >= options.limit) {
          truncated = true;
          continue;
        }
        hit = { path: m.path, type: m.type, versions: [] };
        hits.set(m.path, hit);
      }
      hit.versions.push({ s, m });
    }
    if (truncated) break;
  }

  return {
    hits: [...hits.values()]
      .sort((x, y) => x.path.localeCompare(y.path))
      .map((h) => ({
        path: h.path,
        type: h.type,
        versions: h.versions.map(({ s, m }, i) => {
          const older = h.versions[i + 1];
          return {
            snapshotId: s.id,
            time: s.time,
            size: m.size,
            mtime: new Date(m.mtime).toISOString(),
            changed: !older || older.m.content !== m.content || older.m.type !== m.type,
          };
        }),
      })),
    truncated,
    snapshotsSearched: searched,
  };
}
