/**
 * Which parts of recovery points are lost: files with a data blob that is lost, and folders whose
 * listing (tree) is lost or cannot be read. `check` uses it to name the recovery points a problem
 * affects, `repair snapshots` to write copies without the lost parts.
 *
 * Each tree is walked once, however many recovery points share it. A copy of a tree is made
 * (through `save`) only when something below it is lost, so every intact subtree keeps its id
 * and only the trees on the way to damage are written again. A lost folder stays in its parent
 * as an empty folder, so the copy still shows that it was there.
 */
import { blobId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import { encodeTree, type Tree, type TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { joinRepoPath } from '../util/paths.js';

/** Lost paths a summary keeps as examples, so reports stay short however much is lost. */
export const MAX_EXAMPLES = 5;

/**
 * Why a blob is lost, named like the problem `check` reports for it (`pack 1a2b…`, `blob 3c4d…`,
 * `tree 5e6f…`), or undefined when it is there.
 */
export type LostCause = (id: string, type: 'data' | 'tree') => string | undefined;

/** Stores a tree and returns its id (or only computes the id, for checks and dry runs). */
export type SaveTree = (tree: Tree) => Promise<string>;

export interface TreeOutcome {
  /** The tree without its lost parts: the tree's own id when nothing below it is lost. */
  id: string;
  /** Files left out because some of their data is lost. */
  lostFiles: number;
  /** Folders whose own tree is lost (they become empty folders). */
  lostFolders: number;
  /** The first few lost files and folders (folders end in `/`), relative to this tree's folder. */
  examples: string[];
  /** The causes of those losses (see `LostCause`). */
  causes: ReadonlySet<string>;
  /** Regular files that remain below, and their bytes. */
  files: number;
  bytes: number;
}

/** A tree that is itself lost, with the cause. */
export interface LostTree {
  lost: string;
}

/** One lost entry below a tree: a file with lost data, or a folder whose listing is lost. */
export interface LostEntry {
  path: string;
  node: TreeNode;
  kind: 'file' | 'folder';
}

const NONE: ReadonlySet<string> = new Set();

/** A `SaveTree` that stores nothing: the id the tree would have. */
export function treeIdOnly(repo: Repository): SaveTree {
  return async (tree) => blobId(repo.keys.idKey, encodeTree(tree));
}

export class LostDataWalker {
  private readonly memo = new Map<string, TreeOutcome | LostTree>();
  private emptyTree?: Promise<string>;

  constructor(
    private readonly repo: Repository,
    private readonly lostCause: LostCause,
    private readonly save: SaveTree,
  ) {}

  /** The outcome of the tree `id`, or the cause when the tree itself is lost. */
  async tree(id: string): Promise<TreeOutcome | LostTree> {
    const known = this.memo.get(id);
    if (known) return known;
    const outcome = await this.walk(id);
    this.memo.set(id, outcome);
    return outcome;
  }

  /**
   * Every lost file and folder below tree `id` (which is the folder `at`), reading only the trees
   * that hold some. The tree itself must not be lost.
   */
  async *lostEntries(id: string, at: string): AsyncGenerator<LostEntry> {
    const outcome = await this.tree(id);
    if ('lost' in outcome || (outcome.lostFiles === 0 && outcome.lostFolders === 0)) return;
    for (const node of (await this.repo.loadTree(id)).nodes) {
      const nodePath = joinRepoPath(at, node.name);
      if (node.type === 'file' && (node.content ?? []).some((blob) => this.lostCause(blob, 'data'))) {
        yield { path: nodePath, node, kind: 'file' };
      } else if (node.type === 'dir' && node.subtree) {
        if ('lost' in (await this.tree(node.subtree))) yield { path: nodePath, node, kind: 'folder' };
        else yield* this.lostEntries(node.subtree, nodePath);
      }
    }
  }

  private async walk(id: string): Promise<TreeOutcome | LostTree> {
    const cause = this.lostCause(id, 'tree');
    if (cause) return { lost: cause };
    let tree: Tree;
    try {
      tree = await this.repo.loadTree(id);
    } catch (err) {
      // Indexed but unreadable (damaged blob, pack gone or cut short): as lost as a missing one.
      if (err instanceof IntegrityError) return { lost: `tree ${id.slice(0, 12)}` };
      throw err;
    }
    const nodes: TreeNode[] = [];
    const examples: string[] = [];
    const causes = new Set<string>();
    let lostFiles = 0;
    let lostFolders = 0;
    let files = 0;
    let bytes = 0;
    let changed = false;
    const example = (text: string) => {
      if (examples.length < MAX_EXAMPLES) examples.push(text);
    };
    for (const node of tree.nodes) {
      if (node.type === 'file') {
        const lost = (node.content ?? []).map((blob) => this.lostCause(blob, 'data')).filter((c) => c !== undefined);
        if (lost.length > 0) {
          lostFiles++;
          example(node.name);
          for (const c of lost) causes.add(c);
          changed = true;
          continue;
        }
        files++;
        bytes += node.size ?? 0;
      } else if (node.type === 'dir' && node.subtree) {
        const sub = await this.tree(node.subtree);
        if ('lost' in sub) {
          lostFolders++;
          example(`${node.name}/`);
          causes.add(sub.lost);
          // The tree's own problem too (check reports a tree it cannot load under the tree's name).
          causes.add(`tree ${node.subtree.slice(0, 12)}`);
          nodes.push({ ...node, subtree: await this.empty() });
          changed = true;
          continue;
        }
        lostFiles += sub.lostFiles;
        lostFolders += sub.lostFolders;
        files += sub.files;
        bytes += sub.bytes;
        for (const e of sub.examples) example(`${node.name}/${e}`);
        for (const c of sub.causes) causes.add(c);
        if (sub.id !== node.subtree) {
          nodes.push({ ...node, subtree: sub.id });
          changed = true;
          continue;
        }
      }
      nodes.push(node);
    }
    return {
      id: changed ? await this.save({ nodes }) : id,
      lostFiles,
      lostFolders,
      examples,
      causes: causes.size > 0 ? causes : NONE,
      files,
      bytes,
    };
  }

  private empty(): Promise<string> {
    this.emptyTree ??= this.save({ nodes: [] });
    return this.emptyTree;
  }
}
