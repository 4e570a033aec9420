/**
 * Erasure's tree surgery: the root tree of a recovery point without one path. Only the trees on
 * the way from `/` to the erased entry are rebuilt (each with that one node removed or its
 * `subtree` replaced); every other subtree keeps its id, so nothing else is stored again.
 * Also: the path as erasure takes it, finding it by an `ErasedPath` (name or keyed hashes), and
 * the blobs an erased entry reaches.
 */
import { CairnError } from '../errors.js';
import type { Tree, TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { normalizeRepoPath, repoPathComponents, toRepoPath } from '../util/paths.js';
import type { ErasedPath } from './path-match.js';

/**
 * The absolute repository path of `input` as recovery points store it: `/home/me/x` stays, a
 * Windows path `C:\Users\me` becomes `/C/Users/me`. Refuses relative paths and `/`.
 */
export function erasurePath(input: string): string {
  const text = input.trim();
  let repoPath: string;
  if (/^[A-Za-z]:[\\/]/.test(text)) repoPath = toRepoPath(text, 'win32');
  else if (text.startsWith('/')) repoPath = normalizeRepoPath(text);
  else {
    throw new CairnError(
      'invalid-argument',
      `"${input}" is not an absolute path: give the path as it was backed up, e.g. /home/me/Documents/secret.txt (see "cairn ls")`,
    );
  }
  if (repoPathComponents(repoPath).includes('..')) {
    throw new CairnError('invalid-argument', `"${input}" contains "..": give the path as it was backed up`);
  }
  if (repoPath === '/') {
    throw new CairnError(
      'invalid-argument',
      'erasing "/" would empty every recovery point: to erase everything use "cairn privacy erase --all"',
    );
  }
  return repoPath;
}

/** The trees from the root down to the folder holding `path`'s last component, or undefined. */
async function chainTo(repo: Repository, rootTree: string, parts: string[]): Promise<Tree[] | undefined> {
  const chain: Tree[] = [await repo.loadTree(rootTree)];
  for (const part of parts.slice(0, -1)) {
    const node = (chain.at(-1) as Tree).nodes.find((n) => n.name === part);
    if (node?.type !== 'dir' || !node.subtree) return undefined;
    chain.push(await repo.loadTree(node.subtree));
  }
  return chain;
}

/** The node at `repoPath` below `rootTree` (cheap: reads only the trees on the way), or undefined. */
export async function nodeAt(repo: Repository, rootTree: string, repoPath: string): Promise<TreeNode | undefined> {
  const parts = repoPathComponents(repoPath);
  const chain = await chainTo(repo, rootTree, parts);
  return chain?.at(-1)?.nodes.find((n) => n.name === parts.at(-1));
}

/**
 * The erased path below `rootTree`, found by `erased` without its name: at each depth the one
 * entry whose path leads to it (only the trees on the way are read). Returns the path as the tree
 * names it, and its node; undefined when the tree does not hold it.
 */
export async function locate(
  repo: Repository,
  rootTree: string,
  erased: ErasedPath,
): Promise<{ path: string; node: TreeNode } | undefined> {
  let tree = await repo.loadTree(rootTree);
  let prefix = '';
  for (let depth = 1; ; depth++) {
    let next: { path: string; node: TreeNode } | undefined;
    for (const node of tree.nodes) {
      const candidate = `${prefix}/${node.name}`;
      if (erased.isPrefix(candidate, depth)) {
        next = { path: candidate, node };
        break;
      }
    }
    if (!next) return undefined;
    if (depth === erased.depth) return next;
    if (next.node.type !== 'dir' || !next.node.subtree) return undefined;
    tree = await repo.loadTree(next.node.subtree);
    prefix = next.path;
  }
}

export interface TreeWithout {
  /** Id of the new root tree. */
  tree: string;
  /** The node that was removed. */
  removed: TreeNode;
  /** Ids of the trees that were replaced (root first): they named or led to the erased entry. */
  replacedTrees: string[];
}

/**
 * Writes the trees of `rootTree` without `repoPath` (through `repo.saveTree`, so the caller must
 * `flush` or save a snapshot afterwards) and returns the new root. Undefined when the path is not
 * in the tree.
 */
export async function treeWithout(
  repo: Repository,
  rootTree: string,
  repoPath: string,
): Promise<TreeWithout | undefined> {
  const parts = repoPathComponents(repoPath);
  const chain = await chainTo(repo, rootTree, parts);
  const last = parts.at(-1) as string;
  const removed = chain?.at(-1)?.nodes.find((n) => n.name === last);
  if (!chain || !removed) return undefined;
  const replacedTrees = [rootTree];
  let current = rootTree;
  for (const part of parts.slice(0, -1)) {
    const tree = await repo.loadTree(current);
    current = tree.nodes.find((n) => n.name === part)?.subtree as string;
    replacedTrees.push(current);
  }
  // Bottom up: the folder holding the entry loses it; each folder above points at the new child.
  let childId = await repo.saveTree({ nodes: (chain.at(-1) as Tree).nodes.filter((n) => n.name !== last) });
  for (let level = chain.length - 2; level >= 0; level--) {
    const name = parts[level] as string;
    const nodes = (chain[level] as Tree).nodes.map((n) => (n.name === name ? { ...n, subtree: childId } : n));
    childId = await repo.saveTree({ nodes });
  }
  return { tree: childId, removed, replacedTrees };
}

/** Every tree and data blob reachable from `node` (its own subtree and content included). */
export async function blobsBelow(
  repo: Repository,
  node: TreeNode,
  into: Set<string> = new Set(),
): Promise<Set<string>> {
  for (const blob of node.content ?? []) into.add(blob);
  if (node.type !== 'dir' || !node.subtree || into.has(node.subtree)) return into;
  into.add(node.subtree);
  for (const child of (await repo.loadTree(node.subtree)).nodes) await blobsBelow(repo, child, into);
  return into;
}

/** Files and bytes below `node` (a file counts itself). */
export async function countBelow(repo: Repository, node: TreeNode): Promise<{ files: number; bytes: number }> {
  if (node.type === 'file') return { files: 1, bytes: node.size ?? 0 };
  if (node.type !== 'dir' || !node.subtree) return { files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  for (const child of (await repo.loadTree(node.subtree)).nodes) {
    const c = await countBelow(repo, child);
    files += c.files;
    bytes += c.bytes;
  }
  return { files, bytes };
}
