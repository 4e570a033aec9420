/**
 * Check: proves the repository is whole. Always: every index file, snapshot and tree decrypts
 * and authenticates, every pack the index names exists with a plausible size, and every blob a
 * recovery point references is indexed. With `readData` (all packs) or a subset, it also reads
 * packs: the SHA-256 of each must equal its name, its header must match the index, and each
 * blob must decrypt and match its id. Problems are collected, never thrown, so one damaged
 * object does not hide another. When data is lost, the result also names the recovery points it
 * affects, what the next backup stores again (affected.ts) and which command repairs what
 * (advice.ts).
 */
import { isNotFound } from '../backend/types.js';
import { sha256Hex } from '../crypto/ids.js';
import { CairnError } from '../errors.js';
import { decodeBlob } from '../format/blob-codec.js';
import type { IndexFile } from '../format/index-file.js';
import { decodePackHeader, type PackEntry } from '../format/pack.js';
import type { SnapshotRecord } from '../format/snapshot.js';
import type { Repository } from '../repo/repository.js';
import { bypassRestriction } from '../repo/restriction.js';
import { joinRepoPath } from '../util/paths.js';
import { type RepairAdvice, repairAdvice } from './advice.js';
import { type AffectedPoint, assessLoss, type Healable, noLoss } from './affected.js';
import type { LostCause } from './lost-data.js';

export type { RepairAdvice } from './advice.js';
export type { AffectedPoint, Healable } from './affected.js';

export type DataSubset =
  | { kind: 'all' }
  | { kind: 'group'; n: number; of: number }
  | { kind: 'fraction'; fraction: number }
  /** An explicit list of packs (e.g. a rolling-verification slice); ids not stored are skipped. */
  | { kind: 'packs'; ids: string[] };

export interface CheckOptions {
  readData?: DataSubset;
  onProgress?: (p: { phase: 'index' | 'snapshots' | 'data'; done: number; total: number }) => void;
}

export interface CheckProblem {
  /** What is damaged: `pack <id>`, `snapshot <id>`, `index <id>`, `tree <id>`… */
  object: string;
  message: string;
}

export interface CheckResult {
  ok: boolean;
  errors: CheckProblem[];
  /** Not damage: e.g. packs left by an interrupted backup, which prune removes. */
  notes: string[];
  snapshots: number;
  trees: number;
  blobsReferenced: number;
  packs: number;
  packsRead: number;
  bytesRead: number;
  /** Ids of the packs whose data was read and found intact. */
  packsVerified: string[];
  /** Recovery points that lack data because of the problems found (counts and a few paths each). */
  affected: AffectedPoint[];
  /** For each problem that loses data (named as its `errors[].object`): the recovery points it affects. */
  affectedBy: Record<string, string[]>;
  /** Recovery points whose file cannot be read (full ids). */
  unreadableSnapshots: string[];
  /** What the next backup stores again by itself. */
  healable: Healable;
  /** Which command repairs which problem, in the order to run them (empty when all is well). */
  advice: RepairAdvice[];
}

/** Parses `n/t` (the n-th of t groups) or `x%` (a random share). */
export function parseSubset(text: string): DataSubset {
  const group = /^(\d+)\/(\d+)$/.exec(text);
  if (group) {
    const n = Number(group[1]);
    const of = Number(group[2]);
    if (of >= 1 && n >= 1 && n <= of) return { kind: 'group', n, of };
  }
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (pct) {
    const fraction = Number(pct[1]) / 100;
    if (fraction > 0 && fraction <= 1) return { kind: 'fraction', fraction };
  }
  throw new CairnError(
    'invalid-argument',
    `"${text}" is not a data subset: use n/t (e.g. 2/5) or a percentage (e.g. 10%)`,
  );
}

export function selectPacks(packIds: string[], subset: DataSubset): string[] {
  if (subset.kind === 'all') return packIds;
  if (subset.kind === 'packs') {
    const wanted = new Set(subset.ids);
    return packIds.filter((id) => wanted.has(id));
  }
  if (subset.kind === 'group')
    return packIds.filter((id) => (Number.parseInt(id.slice(0, 8), 16) % subset.of) + 1 === subset.n);
  const shuffled = [...packIds].sort(() => Math.random() - 0.5);
  return shuffled.slice(0, Math.max(1, Math.round(packIds.length * subset.fraction)));
}

/** Checks the repository, frozen (restricted) recovery points included: a check reads, never shows, them. */
export function check(repo: Repository, options: CheckOptions = {}): Promise<CheckResult> {
  return bypassRestriction('check', () => checkAll(repo, options));
}

async function checkAll(repo: Repository, options: CheckOptions): Promise<CheckResult> {
  const result: CheckResult = {
    ok: true,
    errors: [],
    notes: [],
    snapshots: 0,
    trees: 0,
    blobsReferenced: 0,
    packs: 0,
    packsRead: 0,
    bytesRead: 0,
    packsVerified: [],
    ...noLoss(),
    unreadableSnapshots: [],
    advice: [],
  };
  const fail = (object: string, message: string) => result.errors.push({ object, message });

  // 1. Index files.
  const indexed = new Map<string, PackEntry[]>();
  const blobs = new Map<string, { pack: string; entry: PackEntry }>();
  const indexIds = await repo.listIds('index');
  const files: { id: string; index: IndexFile }[] = [];
  const unreadableIndexFiles: { id: string; message: string }[] = [];
  for (const [i, id] of indexIds.entries()) {
    options.onProgress?.({ phase: 'index', done: i, total: indexIds.length });
    try {
      files.push({ id, index: await repo.loadIndexFile(id) });
    } catch (err) {
      unreadableIndexFiles.push({ id, message: messageOf(err) });
    }
  }
  const superseded = new Set(files.flatMap((f) => f.index.supersedes));
  let damagedIndexFiles = 0;
  for (const { id, message } of unreadableIndexFiles) {
    // No reader uses a superseded file, damaged or not: it is a leftover, removed by prune or repair.
    if (superseded.has(id))
      result.notes.push(`index file ${id.slice(0, 12)} is damaged (${message}) but superseded: no reader uses it`);
    else {
      damagedIndexFiles++;
      fail(`index ${id.slice(0, 12)}`, message);
    }
  }
  for (const { id, index } of files) {
    if (superseded.has(id)) continue;
    for (const pack of index.packs) {
      indexed.set(pack.id, pack.blobs);
      for (const entry of pack.blobs) if (!blobs.has(entry.id)) blobs.set(entry.id, { pack: pack.id, entry });
    }
  }
  // Trees are read through the session index: build it from the index files that could be read.
  repo.adoptIndexFiles(files);

  // 2. Packs: every indexed pack exists and is large enough.
  const stored = new Map<string, number>();
  for await (const info of repo.backend.list('data')) stored.set(info.id, info.size);
  result.packs = stored.size;
  let missingPacks = 0;
  let truncatedPacks = 0;
  for (const [packId, entries] of indexed) {
    const size = stored.get(packId);
    if (size === undefined) {
      missingPacks++;
      fail(`pack ${packId.slice(0, 12)}`, `missing: ${entries.length} blobs it held are lost`);
      continue;
    }
    const end = entries.reduce((m, e) => Math.max(m, e.offset + e.length), 0);
    if (size < end + 4) {
      truncatedPacks++;
      fail(`pack ${packId.slice(0, 12)}`, `truncated: ${size} bytes, the index needs at least ${end + 4}`);
    }
  }
  const unindexed = [...stored.keys()].filter((id) => !indexed.has(id));
  if (unindexed.length > 0) {
    result.notes.push(
      `${unindexed.length} pack(s) are not indexed (left by an interrupted backup): they are not damage, and a later backup reuses their data`,
    );
  }

  // 3. Snapshots and the trees they reach.
  const snapshotIds = await repo.listIds('snapshots');
  const seenTrees = new Set<string>();
  const referenced = new Set<string>();
  const snapshots: SnapshotRecord[] = [];
  let missingFromIndex = 0;
  for (const [i, id] of snapshotIds.entries()) {
    options.onProgress?.({ phase: 'snapshots', done: i, total: snapshotIds.length });
    let snapshot: SnapshotRecord;
    try {
      snapshot = await repo.loadSnapshot(id);
    } catch (err) {
      if (isNotFound(err)) continue; // forgotten while we listed
      result.unreadableSnapshots.push(id);
      fail(`snapshot ${id.slice(0, 8)}`, messageOf(err));
      continue;
    }
    snapshots.push(snapshot);
    result.snapshots++;
    const stack: { tree: string; path: string }[] = [{ tree: snapshot.tree, path: '/' }];
    while (stack.length > 0) {
      const { tree: treeId, path } = stack.pop() as { tree: string; path: string };
      if (seenTrees.has(treeId)) continue;
      seenTrees.add(treeId);
      referenced.add(treeId);
      if (!blobs.has(treeId)) {
        missingFromIndex++;
        fail(`tree ${treeId.slice(0, 12)}`, `folder ${path} of snapshot ${id.slice(0, 8)} is missing from the index`);
        continue;
      }
      try {
        const tree = await repo.loadTree(treeId);
        result.trees++;
        for (const node of tree.nodes) {
          const childPath = joinRepoPath(path, node.name);
          if (node.type === 'dir' && node.subtree) stack.push({ tree: node.subtree, path: childPath });
          for (const blob of node.content ?? []) {
            if (referenced.has(blob)) continue;
            referenced.add(blob);
            if (!blobs.has(blob)) {
              missingFromIndex++;
              fail(
                `blob ${blob.slice(0, 12)}`,
                `${childPath} in snapshot ${id.slice(0, 8)} references data that is missing`,
              );
            }
          }
        }
      } catch (err) {
        fail(`tree ${treeId.slice(0, 12)}`, `folder ${path} of snapshot ${id.slice(0, 8)}: ${messageOf(err)}`);
      }
    }
  }
  result.blobsReferenced = referenced.size;

  // 4. Pack contents.
  /** `pack:blob` of every indexed blob found damaged where it lies. */
  const damagedBlobs = new Set<string>();
  let damagedPacks = 0;
  let damagedUnindexedPacks = 0;
  if (options.readData) {
    const toRead = selectPacks([...stored.keys()].sort(), options.readData);
    for (const [i, packId] of toRead.entries()) {
      options.onProgress?.({ phase: 'data', done: i, total: toRead.length });
      const before = result.errors.length;
      await checkPack(repo, packId, indexed.get(packId), result, fail, damagedBlobs);
      if (result.errors.length === before) result.packsVerified.push(packId);
      else if (indexed.has(packId)) damagedPacks++;
      else damagedUnindexedPacks++;
    }
  }

  // 5. What the problems cost, and what repairs them.
  if (result.errors.length > 0) {
    // A blob is there when any pack that holds it is stored, long enough and not found damaged.
    const intact = new Set<string>();
    for (const [packId, entries] of indexed) {
      const size = stored.get(packId);
      if (size === undefined) continue;
      for (const e of entries) {
        if (e.offset + e.length <= size && !damagedBlobs.has(`${packId}:${e.id}`)) intact.add(e.id);
      }
    }
    const lostCause: LostCause = (id, type) => {
      const at = blobs.get(id);
      if (!at) return `${type === 'tree' ? 'tree' : 'blob'} ${id.slice(0, 12)}`;
      return intact.has(id) ? undefined : `pack ${at.pack.slice(0, 12)}`;
    };
    const indexedButBroken = (id: string) => {
      const at = blobs.get(id);
      return at !== undefined && stored.has(at.pack);
    };
    Object.assign(result, await assessLoss(repo, snapshots, lostCause, indexedButBroken));
    result.advice = repairAdvice({
      damagedIndexFiles,
      missingPacks,
      truncatedPacks,
      unindexedPacks: unindexed.length,
      missingFromIndex,
      damagedPacks,
      damagedUnindexedPacks,
      affected: result.affected,
      repairedOriginals: new Set(snapshots.flatMap((s) => (s.repaired ? [s.repaired.original] : []))),
      unreadableSnapshots: result.unreadableSnapshots,
    });
  }
  result.ok = result.errors.length === 0;
  return result;
}

/** Reads one pack whole; adds `pack:blob` of every blob found damaged to `damagedBlobs`. */
async function checkPack(
  repo: Repository,
  packId: string,
  indexedEntries: PackEntry[] | undefined,
  result: CheckResult,
  fail: (object: string, message: string) => void,
  damagedBlobs: Set<string>,
): Promise<void> {
  const name = `pack ${packId.slice(0, 12)}`;
  let pack: Buffer;
  try {
    pack = await repo.backend.load({ kind: 'data', id: packId });
  } catch (err) {
    fail(name, isNotFound(err) ? 'missing' : messageOf(err));
    return;
  }
  result.packsRead++;
  result.bytesRead += pack.length;
  if (sha256Hex(pack) !== packId) fail(name, 'its content does not match its name: the file was modified or damaged');
  let entries: PackEntry[];
  try {
    entries = decodePackHeader(repo.keys.dataKey, pack, name);
  } catch (err) {
    fail(name, messageOf(err));
    // Without the header, the index's entries still say where each blob lies: check those.
    for (const e of indexedEntries ?? []) {
      try {
        if (e.offset + e.length > pack.length) throw new Error(`blob ${e.id.slice(0, 12)} lies beyond the pack's end`);
        decodeBlob(repo.keys.dataKey, repo.keys.idKey, pack.subarray(e.offset, e.offset + e.length), e.id, e.rawLength);
      } catch (blobErr) {
        damagedBlobs.add(`${packId}:${e.id}`);
        fail(name, messageOf(blobErr));
      }
    }
    return;
  }
  if (indexedEntries) {
    const byId = new Map(entries.map((e) => [e.id, e]));
    for (const e of indexedEntries) {
      const h = byId.get(e.id);
      if (!h || h.offset !== e.offset || h.length !== e.length)
        fail(name, `the index and the pack header disagree on blob ${e.id.slice(0, 12)}`);
    }
  }
  for (const e of entries) {
    try {
      decodeBlob(repo.keys.dataKey, repo.keys.idKey, pack.subarray(e.offset, e.offset + e.length), e.id, e.rawLength);
    } catch (err) {
      damagedBlobs.add(`${packId}:${e.id}`);
      fail(name, messageOf(err));
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
