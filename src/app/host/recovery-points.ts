/**
 * Reading recovery points for the Recovery points screen: the difference between two points
 * ('snapshots.diff', over the engine's tree diff, which skips identical subtrees unread) and a
 * file-name search across every point with each path's version history ('snapshots.search').
 *
 * The search walks each point's trees; consecutive points share most subtrees, so every tree id is
 * visited once per search (its matches are remembered by id) and tree loads go through the
 * repository's tree cache. It is bounded by a number of matching paths and of folders read.
 */
import type { Result } from '../../contract/methods.js';
import { type Change, diffTrees } from '../../engine/browse/walk.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import type { NodeType } from '../../engine/format/tree.js';
import type { Repository } from '../../engine/repo/repository.js';
import { joinRepoPath } from '../../engine/util/paths.js';

type DiffResult = Result<'snapshots.diff'>;
type SearchResult = Result<'snapshots.search'>;

export async function diffSnapshots(repo: Repository, refA: string, refB: string, limit: number): Promise<DiffResult> {
  await repo.loadIndex();
  const a = await repo.findSnapshot(refA);
  const b = await repo.findSnapshot(refB);
  const all: Change[] = await diffTrees(repo, a.tree, b.tree);
  const counts = { added: 0, removed: 0, modified: 0, metadata: 0 };
  for (const c of all) counts[c.change]++;
  return {
    a: a.id,
    b: b.id,
    changes: all.slice(0, limit).map((c) => ({
      path: c.path,
      change: c.change,
      type: c.type,
      sizeBefore: c.sizeBefore ?? null,
      sizeAfter: c.sizeAfter ?? null,
    })),
    counts,
    truncated: all.length > limit,
  };
}

interface Match {
  path: string;
  type: NodeType;
  size: number | null;
  mtime: number;
  /** Identity of the content: blob ids of a file, target of a symlink, subtree of a folder. */
  content: string;
}

export interface SearchOptions {
  limit: number;
  maxFolders: number;
}

export async function searchSnapshots(repo: Repository, query: string, options: SearchOptions): Promise<SearchResult> {
  await repo.loadIndex();
  const needle = query.toLocaleLowerCase();
  const snapshots = (await repo.listSnapshots()).reverse(); // newest first
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
