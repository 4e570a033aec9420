/**
 * Whether every tree and data blob a snapshot reaches is indexed: what `saveSnapshot` checks
 * when the index changed under a backup (docs/repository-format.md §14, "A snapshot never points
 * at data that is gone").
 */
import type { Tree } from '../format/tree.js';
import { joinRepoPath } from '../util/paths.js';

/** The path of the first folder or file under `root` whose tree or data is not indexed, if any. */
export async function firstUnreachable(
  root: string,
  indexed: (blob: string) => boolean,
  loadTree: (id: string) => Promise<Tree>,
): Promise<string | undefined> {
  const seen = new Set<string>();
  const stack: { tree: string; path: string }[] = [{ tree: root, path: '/' }];
  while (stack.length > 0) {
    const { tree, path } = stack.pop() as { tree: string; path: string };
    if (seen.has(tree)) continue;
    seen.add(tree);
    if (!indexed(tree)) return `folder ${path}`;
    for (const node of (await loadTree(tree)).nodes) {
      const nodePath = joinRepoPath(path, node.name);
      if (node.content?.some((blob) => !indexed(blob))) return nodePath;
      if (node.type === 'dir' && node.subtree) stack.push({ tree: node.subtree, path: nodePath });
    }
  }
  return undefined;
}
