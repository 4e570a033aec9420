/**
 * `repair index`: rebuilds the index from the packs themselves (docs/repository-format.md §13.3),
 * under an exclusive lock.
 *
 * Every stored pack's header is read on its own (its last 4 bytes, then the header), so the new
 * index lists exactly what the packs hold: entries of packs that are gone are dropped, packs no
 * index listed (an interrupted backup) are indexed, damaged index files stop mattering. A pack no
 * index lists is read whole and checked first: it may be a damaged pack an earlier repair set
 * aside. A pack whose header cannot be read keeps the entries a readable index file gave it, if
 * they fit in the pack (each blob is still authenticated whenever it is read); with no such
 * entries its data cannot be indexed, and the pack is only reported and left stored.
 *
 * With `readData` every pack is read whole and every blob decrypted and checked against its id.
 * A pack with a damaged blob, a damaged header or content that does not match its name has its
 * intact blobs copied into new packs and is left out of the index; its damaged blobs are
 * dropped, so the next backup stores them again from the source files.
 *
 * Order, as prune's (§13.1): 1. new packs (the copies), 2. ONE new index file listing every pack
 * that stays, with `supersedes` = every index file that existed, 3. the old index files are
 * removed, 4. damaged packs whose header is intact are removed (all their intact blobs are in
 * other packs now; one whose header is damaged stays, as its content cannot be told apart). A
 * crash after 1 leaves unindexed packs; after 2 the old files are superseded already; after 3
 * damaged packs no index lists. Every reader sees a whole index throughout. Nothing is written
 * when the index already matches the packs.
 */
import { BackendError, isNotFound } from '../backend/types.js';
import { sha256Hex } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import { decodeBlob } from '../format/blob-codec.js';
import type { IndexedPack, IndexFile } from '../format/index-file.js';
import { decodePackHeader, decodeSealedPackHeader, type PackEntry, packHeaderRange } from '../format/pack.js';
import { withLock } from '../repo/lock.js';
import { PackWriter, type SavedPack } from '../repo/pack-writer.js';
import type { Repository } from '../repo/repository.js';
import { type Clock, systemClock } from '../util/clock.js';
import { mapLimit } from '../util/concurrency.js';

/** Tree blobs are copied into packs of this size, like the packs backups write for them. */
const TREE_PACK_SIZE = 4 * 1024 * 1024;

export interface RepairIndexProgress {
  phase: 'index' | 'packs' | 'copy' | 'write';
  done: number;
  total: number;
}

export interface RepairIndexOptions {
  /** Also read every pack whole and drop the blobs that fail to decrypt or match their id. */
  readData?: boolean;
  /** Report what would change, write nothing. */
  dryRun?: boolean;
  onProgress?: (p: RepairIndexProgress) => void;
  /** The clock the lock reads (default: the system clock). */
  clock?: Clock;
  /** Tests only: fail right after the given step, to simulate a crash there. */
  __testFailAfter?: 'copy' | 'index';
}

/** An object that could not be read, and why. */
export interface DamagedObject {
  id: string;
  reason: string;
}

export interface RepairIndexResult {
  dryRun: boolean;
  readData: boolean;
  /** True when the index was rewritten (on a dry run: would be). */
  changed: boolean;
  indexFilesRead: number;
  /** Index files that cannot be read: the new index supersedes them. */
  indexFilesDamaged: DamagedObject[];
  /** Index files another one supersedes already (left by an interrupted prune or repair). */
  indexFilesSuperseded: number;
  packsScanned: number;
  /** Packs the index listed that are not stored: their entries are dropped. */
  packsMissing: string[];
  /**
   * Packs whose header cannot be read. `blobsKept`: entries a readable index file gave them that
   * stay indexed (without `readData` they cannot be checked); 0 means their data is not indexed.
   */
  packsUnreadable: (DamagedObject & { blobsKept: number })[];
  /** With `readData`: packs with damage; their intact blobs are copied, the damaged ones dropped. */
  packsDamaged: (DamagedObject & { blobsDamaged: number; blobsCopied: number })[];
  /** Stored packs no index listed before (an interrupted backup): indexed now. */
  packsNewlyIndexed: string[];
  /** New packs holding the copied blobs. */
  packsWritten: string[];
  /**
   * Damaged packs removed after the new index stopped listing them: their intact blobs are in
   * other packs, their damaged blobs cannot be read by anyone. (On a dry run: would be removed.)
   */
  packsRemoved: string[];
  blobsBefore: number;
  blobsAfter: number;
  /** Blobs indexed before and not any more: the recovery points using them lack that data. */
  blobsDropped: number;
  /** Blobs indexed now and not before. */
  blobsAdded: number;
  /** Of the dropped blobs: data blobs (and their plaintext bytes) and trees. The next backup stores again the data of files that still exist. */
  droppedDataBlobs: number;
  droppedDataBytes: number;
  droppedTreeBlobs: number;
  droppedBlobIds: string[];
  /** The index file written, and how many old ones were removed. */
  newIndexFile?: string;
  indexFilesRemoved: number;
}

/** What the scan found in one stored pack. */
type PackScan =
  | { id: string; kind: 'ok'; entries: PackEntry[] }
  | { id: string; kind: 'unreadable'; reason: string; kept: PackEntry[] }
  /**
   * `removable`: its header is intact, so every blob it holds is known, and each intact one is
   * indexed in another pack once the copies are made. With a damaged header it may hold blobs no
   * index names: it stays stored.
   */
  | { id: string; kind: 'damaged'; reason: string; good: PackEntry[]; damaged: number; removable: boolean };

export async function repairIndex(repo: Repository, options: RepairIndexOptions = {}): Promise<RepairIndexResult> {
  const dryRun = options.dryRun === true;
  const clock = options.clock ?? systemClock;
  return withLock(
    repo,
    dryRun ? 'repair index --dry-run' : 'repair index',
    !dryRun,
    () => repairUnderLock(repo, options),
    { clock },
  );
}

async function repairUnderLock(repo: Repository, options: RepairIndexOptions): Promise<RepairIndexResult> {
  const dryRun = options.dryRun === true;
  const readData = options.readData === true;
  const progress = options.onProgress;
  const stored = new Map<string, number>();
  for await (const info of repo.backend.list('data')) stored.set(info.id, info.size);

  // The index files as they are: what readers use now, and what they give each pack.
  const indexIds = (await repo.listIds('index')).sort();
  const { readable, damaged } = await readIndexFiles(repo, indexIds, progress);
  const superseded = new Set(readable.flatMap((f) => f.index.supersedes));
  const current = readable.filter((f) => !superseded.has(f.id));
  const before = new Map<string, PackEntry>();
  const listed = new Map<string, PackEntry[]>();
  for (const f of current) {
    for (const pack of f.index.packs) {
      if (!listed.has(pack.id)) listed.set(pack.id, pack.blobs);
      for (const e of pack.blobs) if (!before.has(e.id)) before.set(e.id, e);
    }
  }
  // Superseded files still say what a pack held, when nothing newer does.
  const known = new Map(listed);
  for (const f of readable) for (const pack of f.index.packs) if (!known.has(pack.id)) known.set(pack.id, pack.blobs);

  // Every stored pack, by its header (and with readData, by every blob).
  const packIds = [...stored.keys()].sort();
  let scanned = 0;
  const scans = await mapLimit(packIds, readData ? 2 : 8, async (id) => {
    const size = stored.get(id) as number;
    const fitting = (known.get(id) ?? []).filter((e) => e.offset + e.length <= size - 4);
    // A pack no index lists is read whole even without readData: it may be a damaged pack an
    // earlier repair took out of the index, which must not come back unchecked.
    const scan =
      readData || !listed.has(id)
        ? await readWholePack(repo, id, fitting)
        : await readHeaderOnly(repo, id, size, fitting);
    progress?.({ phase: 'packs', done: ++scanned, total: packIds.length });
    return scan;
  });

  // The new index: intact packs first, so a blob they hold is never copied.
  const packs: IndexedPack[] = [];
  const indexedNow = new Set<string>();
  const add = (id: string, blobs: PackEntry[]) => {
    if (blobs.length === 0) return;
    packs.push({ id, blobs });
    for (const e of blobs) indexedNow.add(e.id);
  };
  for (const s of scans) {
    if (s.kind === 'ok') add(s.id, s.entries);
    if (s.kind === 'unreadable') add(s.id, s.kept);
  }
  const copies = new Map<string, PackEntry[]>();
  for (const s of scans) {
    if (s.kind !== 'damaged') continue;
    const wanted = s.good.filter((e) => !indexedNow.has(e.id));
    for (const e of wanted) indexedNow.add(e.id);
    if (wanted.length > 0) copies.set(s.id, wanted);
  }
  // Damaged packs whose every intact blob is indexed elsewhere (now or by the copies): removed at
  // the end, so no later scan can take their damaged blobs for stored data.
  const removable = scans.filter((s) => s.kind === 'damaged' && s.removable).map((s) => s.id);

  const result: RepairIndexResult = {
    dryRun,
    readData,
    changed: false,
    indexFilesRead: readable.length,
    indexFilesDamaged: damaged,
    indexFilesSuperseded: readable.filter((f) => superseded.has(f.id)).length,
    packsScanned: scans.length,
    packsMissing: [...listed.keys()].filter((id) => !stored.has(id)).sort(),
    packsUnreadable: scans.flatMap((s) =>
      s.kind === 'unreadable' ? [{ id: s.id, reason: s.reason, blobsKept: s.kept.length }] : [],
    ),
    packsDamaged: scans.flatMap((s) =>
      s.kind === 'damaged'
        ? [{ id: s.id, reason: s.reason, blobsDamaged: s.damaged, blobsCopied: copies.get(s.id)?.length ?? 0 }]
        : [],
    ),
    packsNewlyIndexed: scans.filter((s) => s.kind === 'ok' && !listed.has(s.id)).map((s) => s.id),
    packsWritten: [],
    packsRemoved: [],
    blobsBefore: before.size,
    blobsAfter: indexedNow.size,
    blobsDropped: 0,
    blobsAdded: [...indexedNow].filter((id) => !before.has(id)).length,
    droppedDataBlobs: 0,
    droppedDataBytes: 0,
    droppedTreeBlobs: 0,
    droppedBlobIds: [],
    indexFilesRemoved: 0,
  };
  for (const [id, e] of before) {
    if (indexedNow.has(id)) continue;
    result.droppedBlobIds.push(id);
    if (e.type === 'tree') result.droppedTreeBlobs++;
    else {
      result.droppedDataBlobs++;
      result.droppedDataBytes += e.rawLength;
    }
  }
  result.blobsDropped = result.droppedBlobIds.length;
  const indexChanged =
    damaged.length > 0 || result.indexFilesSuperseded > 0 || copies.size > 0 || !sameIndex(listed, packs);
  result.changed = indexChanged || removable.length > 0;
  if (dryRun) {
    result.packsRemoved = removable;
    return result;
  }
  if (indexChanged) await rewriteIndex(repo, indexIds, packs, copies, result, options);
  // 4. Damaged packs no index lists any more (their intact blobs are indexed in other packs).
  await mapLimit(removable, 4, async (id) => {
    repo.assertLocksValid();
    await repo.backend.remove({ kind: 'data', id });
    result.packsRemoved.push(id);
  });
  result.packsRemoved.sort();
  return result;
}

/** Steps 1–3: copies of intact blobs, the new index file, removal of the old ones. */
async function rewriteIndex(
  repo: Repository,
  indexIds: string[],
  packs: IndexedPack[],
  copies: Map<string, PackEntry[]>,
  result: RepairIndexResult,
  options: RepairIndexOptions,
): Promise<void> {
  const progress = options.onProgress;

  // 1. Copy the intact blobs of damaged packs into new packs (saved, not indexed yet).
  const written = await copyBlobs(repo, copies, progress);
  for (const pack of written) packs.push({ id: pack.id, blobs: pack.entries });
  result.packsWritten = written.map((p) => p.id);
  if (options.__testFailAfter === 'copy') throw new Error('repair index interrupted after copying blobs (test)');

  // 2. One new index file that supersedes every existing one.
  progress?.({ phase: 'write', done: 0, total: 1 + indexIds.length });
  packs.sort((a, b) => a.id.localeCompare(b.id));
  const newIndex = await repo.saveIndexFile({ version: 1, supersedes: indexIds, packs });
  result.newIndexFile = newIndex;
  if (options.__testFailAfter === 'index')
    throw new Error('repair index interrupted after writing the new index (test)');

  // 3. The old index files: no reader uses them any more.
  let done = 1;
  await mapLimit(
    indexIds.filter((id) => id !== newIndex),
    4,
    async (id) => {
      repo.assertLocksValid();
      await repo.backend.remove({ kind: 'index', id });
      result.indexFilesRemoved++;
      progress?.({ phase: 'write', done: ++done, total: 1 + indexIds.length });
    },
  );
}

async function readIndexFiles(
  repo: Repository,
  ids: string[],
  progress: RepairIndexOptions['onProgress'],
): Promise<{ readable: { id: string; index: IndexFile }[]; damaged: DamagedObject[] }> {
  const readable: { id: string; index: IndexFile }[] = [];
  const damaged: DamagedObject[] = [];
  let done = 0;
  await mapLimit(ids, 4, async (id) => {
    try {
      readable.push({ id, index: await repo.loadIndexFile(id) });
    } catch (err) {
      // Gone while we listed: nothing to read. It is still superseded below, which is harmless.
      if (!isNotFound(err)) {
        if (!(err instanceof IntegrityError) && !(err instanceof BackendError)) throw err;
        damaged.push({ id, reason: err.message });
      }
    }
    progress?.({ phase: 'index', done: ++done, total: ids.length });
  });
  readable.sort((a, b) => a.id.localeCompare(b.id));
  damaged.sort((a, b) => a.id.localeCompare(b.id));
  return { readable, damaged };
}

/** The header alone: two ranged reads. `fitting`: what an index file gave the pack, within its size. */
async function readHeaderOnly(repo: Repository, id: string, size: number, fitting: PackEntry[]): Promise<PackScan> {
  const what = `pack ${id.slice(0, 12)}`;
  const ref = { kind: 'data' as const, id };
  try {
    const trailer = size >= 4 ? await repo.backend.load(ref, { offset: size - 4, length: 4 }) : Buffer.alloc(0);
    const { offset, length } = packHeaderRange(size, trailer, what);
    const sealed = await repo.backend.load(ref, { offset, length });
    return { id, kind: 'ok', entries: decodeSealedPackHeader(repo.keys.dataKey, sealed, size, what) };
  } catch (err) {
    if (!(err instanceof IntegrityError) && !(err instanceof BackendError && err.code === 'range')) throw err;
    return { id, kind: 'unreadable', reason: err.message, kept: fitting };
  }
}

/** The whole pack: its name, its header (or else the entries an index gave it), every blob. */
async function readWholePack(repo: Repository, id: string, fitting: PackEntry[]): Promise<PackScan> {
  const what = `pack ${id.slice(0, 12)}`;
  const bytes = await repo.backend.load({ kind: 'data', id });
  let candidates: PackEntry[];
  let headerProblem: string | undefined;
  try {
    candidates = decodePackHeader(repo.keys.dataKey, bytes, what);
  } catch (err) {
    if (!(err instanceof IntegrityError)) throw err;
    headerProblem = err.message;
    candidates = fitting;
  }
  const good: PackEntry[] = [];
  let problem = headerProblem;
  for (const e of candidates) {
    try {
      // The id proves the content; the recorded plaintext length is then only checked, and a
      // copy gets the true one.
      const plain = decodeBlob(repo.keys.dataKey, repo.keys.idKey, bytes.subarray(e.offset, e.offset + e.length), e.id);
      if (plain.length !== e.rawLength)
        problem ??= `${what}: blob ${e.id.slice(0, 12)} holds ${plain.length} bytes where the header records ${e.rawLength}`;
      good.push({ ...e, rawLength: plain.length });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      problem ??= err.message;
    }
  }
  if (!problem && sha256Hex(bytes) !== id) problem = `${what}: its content does not match its name`;
  if (!problem) return { id, kind: 'ok', entries: candidates };
  const damaged = candidates.length - good.length;
  // Blobs authenticated by their own envelope and id are intact even when the header is not.
  return { id, kind: 'damaged', reason: problem, good, damaged, removable: headerProblem === undefined };
}

/** Copies the given blobs of damaged packs into new packs, checking each again; returns the saved packs. */
async function copyBlobs(
  repo: Repository,
  copies: Map<string, PackEntry[]>,
  progress: RepairIndexOptions['onProgress'],
): Promise<SavedPack[]> {
  const saved: SavedPack[] = [];
  const work = [...copies].filter(([, entries]) => entries.length > 0);
  if (work.length === 0) return saved;
  const onSaved = (pack: SavedPack) => saved.push(pack);
  const dataWriter = new PackWriter(repo.backend, repo.keys.dataKey, repo.config.packSize, onSaved);
  const treeWriter = new PackWriter(repo.backend, repo.keys.dataKey, TREE_PACK_SIZE, onSaved);
  try {
    for (const [i, [packId, entries]] of work.entries()) {
      progress?.({ phase: 'copy', done: i, total: work.length });
      const bytes = await repo.backend.load({ kind: 'data', id: packId });
      for (const e of entries) {
        const blob = bytes.subarray(e.offset, e.offset + e.length);
        decodeBlob(repo.keys.dataKey, repo.keys.idKey, blob, e.id, e.rawLength); // still intact
        await (e.type === 'tree' ? treeWriter : dataWriter).add(e.type, e.id, Buffer.from(blob), e.rawLength);
      }
    }
    await dataWriter.flush();
    await treeWriter.flush();
  } catch (err) {
    // Packs already saved stay unindexed (a later prune removes them); nothing else was changed.
    await dataWriter.abandon();
    await treeWriter.abandon();
    throw err;
  }
  progress?.({ phase: 'copy', done: work.length, total: work.length });
  return saved;
}

/** True when `packs` lists exactly the packs and entries of `listed`. */
function sameIndex(listed: Map<string, PackEntry[]>, packs: IndexedPack[]): boolean {
  if (listed.size !== packs.length) return false;
  const key = (entries: PackEntry[]) =>
    entries
      .map((e) => `${e.id}:${e.type}:${e.offset}:${e.length}:${e.rawLength}`)
      .sort()
      .join(',');
  return packs.every((p) => {
    const old = listed.get(p.id);
    return old !== undefined && key(old) === key(p.blobs);
  });
}
