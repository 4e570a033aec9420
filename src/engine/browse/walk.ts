/**
 * Reading recovery points as file trees: find the node at a path, walk everything below a
 * path (depth first, in name order), and compare two recovery points.
 */
import { CairnError } from '../errors.js';
import type { TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { joinRepoPath, normalizeRepoPath, repoPathComponents } from '../util/paths.js';

export interface WalkEntry {
  path: string;
  node: TreeNode;
}

/** The node at `path` in the tree `rootTree`, or undefined; `/` gives a synthetic root dir node. */
export async function findNode(repo: Repository, rootTree: string, path: string): Promise<TreeNode | undefined> {
  let node: TreeNode = { name: '/', type: 'dir', mode: 0o755, mtime: 0, subtree: rootTree };
  for (const part of repoPathComponents(normalizeRepoPath(path))) {
    if (node.type !== 'dir' || !node.subtree) return undefined;
    const tree = await repo.loadTree(node.subtree);
    const next = tree.nodes.find((n) => n.name === part);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

/** Yields every entry below `path` (not `path` itself), depth first in name order. */
export async function* walk(
  repo: Repository,
  rootTree: string,
  path = '/',
  options: { recursive?: boolean } = {},
): AsyncGenerator<WalkEntry> {
  const start = normalizeRepoPath(path);
  const node = await findNode(repo, rootTree, start);
  if (!node) throw new CairnError('not-found', `${start} is not in this recovery point`);
  if (node.type !== 'dir') {
    yield { path: start, node };
    return;
  }
  yield* walkTree(repo, node.subtree as string, start, options.recursive ?? true);
}

async function* walkTree(
  repo: Repository,
  treeId: string,
  path: string,
  recursive: boolean,
): AsyncGenerator<WalkEntry> {
  const tree = await repo.loadTree(treeId);
  for (const node of tree.nodes) {
    const childPath = joinRepoPath(path, node.name);
    yield { path: childPath, node };
    if (recursive && node.type === 'dir' && node.subtree) yield* walkTree(repo, node.subtree, childPath, recursive);
  }
}

export type ChangeKind = 'added' | 'removed' | 'modified' | 'metadata';

export interface Change {
  path: string;
  change: ChangeKind;
  type: TreeNode['type'];
  sizeBefore?: number;
  sizeAfter?: number;
}

/** Differences between two trees; identical subtrees (same id) are skipped without reading. */
export async function diffTrees(repo: Repository, before: string, after: string, path = '/'): Promise<Change[]> {
  const changes: Change[] = [];
  await diffInto(repo, before, after, path, changes);
  return changes;
}

async function diffInto(
  repo: Repository,
  beforeId: string | undefined,
  afterId: string | undefined,
  path: string,
  out: Change[],
): Promise<void> {
  if (beforeId === afterId) return;
  const before = beforeId ? (await repo.loadTree(beforeId)).nodes : [];
  const after = afterId ? (await repo.loadTree(afterId)).nodes : [];
  const b = new Map(before.map((n) => [n.name, n]));
  const a = new Map(after.map((n) => [n.name, n]));
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  for (const name of names) {
    const x = b.get(name);
    const y = a.get(name);
    const p = joinRepoPath(path, name);
    if (x && y && x.type === y.type) {
      if (x.type === 'dir') {
        await diffInto(repo, x.subtree, y.subtree, p, out);
        continue;
      }
      const contentChanged =
        x.type === 'file' ? (x.content ?? []).join() !== (y.content ?? []).join() : x.target !== y.target;
      if (contentChanged)
        out.push({ path: p, change: 'modified', type: y.type, sizeBefore: x.size, sizeAfter: y.size });
      else if (x.mode !== y.mode || x.mtime !== y.mtime)
        out.push({ path: p, change: 'metadata', type: y.type, sizeAfter: y.size });
      continue;
    }
    if (x) await pushAll(repo, x, p, 'removed', out);
    if (y) await pushAll(repo, y, p, 'added', out);
  }
}

async function pushAll(
  repo: Repository,
  node: TreeNode,
  path: string,
  change: 'added' | 'removed',
  out: Change[],
): Promise<void> {
  const size = change === 'added' ? { sizeAfter: node.size } : { sizeBefore: node.size };
  out.push({ path, change, type: node.type, ...size });
  if (node.type === 'dir' && node.subtree) {
    for await (const e of walkTree(repo, node.subtree, path, true)) {
      const s = change === 'added' ? { sizeAfter: e.node.size } : { sizeBefore: e.node.size };
      out.push({ path: e.path, change, type: e.node.type, ...s });
    }
  }
}
