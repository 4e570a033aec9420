/**
 * An open repository: the unlocked master keys, the config, and typed access to every kind of
 * object (blobs via the index and packs, trees, snapshots, index files, key slots).
 * It enforces the write order packs → index → snapshot: `saveSnapshot` first flushes the pack
 * writers and writes the index of every pack saved in this session.
 */
import { type Backend, BackendError, isNotFound, type ObjectKind } from '../backend/types.js';
import { type ChunkerParams, DEFAULT_CHUNKER, gearTable } from '../chunker/fastcdc.js';
import { blobId, sha256Hex } from '../crypto/ids.js';
import { DEFAULT_ARGON2ID, defaultCost, type KdfCost } from '../crypto/kdf.js';
import { createKeySlot, type DerivedAhead, generateMasterKeys, type MasterKeys } from '../crypto/keys.js';
import { CairnError, IntegrityError, missingBlobMessage, missingPackMessage } from '../errors.js';
import { decodeBlob, encodeBlob } from '../format/blob-codec.js';
import { ALGORITHMS_BY_VERSION, type RepositoryConfig, validateConfig, versionForKdf } from '../format/config.js';
import { type IndexedPack, type IndexFile, toStoredIndex } from '../format/index-file.js';
import type { BlobType } from '../format/pack.js';
import { decodeDocument, encodeDocument } from '../format/sealed-json.js';
import type { Snapshot, SnapshotRecord } from '../format/snapshot.js';
import { parseSnapshot } from '../format/snapshot-check.js';
import { decodeTree, encodeTree, type Tree } from '../format/tree.js';
import { type Clock, isoTime, systemClock } from '../util/clock.js';
import { withSizeCaps } from './capped-backend.js';
import { sessionEndedBecause } from './identity.js';
import { readCompactIndex, readIndexFile } from './index-reader.js';
import { destroyKeySlot, listKeySlots, slotToRemove, storeKeySlot, unlockWithPassword } from './key-slots.js';
import type { RepositoryLock } from './lock.js';
import { MasterIndex } from './master-index.js';
import { PackCache } from './pack-cache.js';
import { PackWriter, type SavedPack } from './pack-writer.js';
import { firstUnreachable } from './reachable.js';
import { SnapshotRestriction } from './restriction.js';
import { type IndexRefresh, SessionIndex } from './session-index.js';
import { type DamagedSnapshot, readSnapshots } from './snapshot-list.js';

export type { KeySlotInfo } from './key-slots.js';
export type { IndexRefresh } from './session-index.js';
export type { DamagedSnapshot } from './snapshot-list.js';

export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;
/** Trees go to packs of their own, so listing and diffing read few, small packs. */
const TREE_PACK_SIZE = 4 * 1024 * 1024;
/** Write an index file after this many packs, so an interrupted backup keeps its uploads usable. */
const PACKS_PER_INDEX = 32;
/** Whole tree packs kept in memory (at most ~4 MiB each). */
const TREE_PACK_CACHE_BYTES = 32 * 1024 * 1024;

export interface InitOptions {
  /**
   * The key derivation of the repository's slots and its cost (default: Argon2id at its default
   * cost). scrypt makes a format-version-1 repository, Argon2id a version-2 one.
   */
  kdf?: KdfCost;
  chunker?: ChunkerParams;
  packSize?: number;
  label?: string;
  /** Dates the config and the first key slot (default: the system clock). */
  clock?: Clock;
}

export class Repository {
  readonly index = new MasterIndex();
  readonly gear: Uint32Array;
  /** Told once of each damaged object found while reading (damaged index files, recovery points). */
  onDamage?: (message: string) => void;
  /** Which recovery points' contents may not be read (restriction.ts); its guard is the opener's. */
  readonly restriction = new SnapshotRestriction(() => this.config.id);
  private readonly session = new SessionIndex(
    this.index,
    (id) => readCompactIndex(this.backend, this.keys.dataKey, id),
    (id, reason) =>
      this.reportDamage(
        id,
        `index file ${id.slice(0, 8)} cannot be read (${reason}): the data it lists is treated as missing until "cairn repair index" rebuilds the index`,
      ),
  );
  private readonly damageReported = new Set<string>();
  /** Backups writing through this session now (see `beginWrite`). */
  private activeWrites = 0;
  /**
   * Set by every blob claimed or queued, cleared when the operation that wrote it is over (its
   * lock released, or `endWrite`): until then a refresh keeps the write's state.
   */
  private writing = false;
  /** Locks this session holds; each must still be valid before anything is committed. */
  private readonly locks = new Set<RepositoryLock>();
  /** Set when the repository changed under this session so that it must not be used any more. */
  private invalidReason?: CairnError;
  private unindexed: IndexedPack[] = [];
  private dataWriter?: PackWriter;
  private treeWriter?: PackWriter;
  private readonly treeCache = new Map<string, Tree>();
  private readonly treePacks = new PackCache(TREE_PACK_CACHE_BYTES, (id) => this.backend.load({ kind: 'data', id }));
  private readonly writtenThisSession = new Set<string>();

  private constructor(
    readonly backend: Backend,
    readonly keys: MasterKeys,
    readonly config: RepositoryConfig,
    /** The key slot that unlocked this session. */
    readonly keySlotId: string,
    /** Dates what this session writes on its own (new key slots). */
    readonly clock: Clock,
  ) {
    this.gear = gearTable(keys.chunkerSeed);
  }

  get location(): string {
    return this.backend.location;
  }

  // ---------------------------------------------------------------- lifecycle

  static async init(raw: Backend, password: string, options: InitOptions = {}): Promise<Repository> {
    const backend = withSizeCaps(raw);
    if (await backend.exists()) {
      throw new CairnError('invalid-argument', `a repository already exists at ${backend.location}`);
    }
    await backend.create();
    // Key slots without a config are left by an init that was interrupted: they wrap other keys.
    for await (const leftover of backend.list('keys')) await destroyKeySlot(backend, leftover.id);
    // createKeySlot refuses a cost out of bounds, before anything is written to the slot or config.
    const kdf = options.kdf ?? DEFAULT_ARGON2ID;
    const clock = options.clock ?? systemClock;
    const keys = generateMasterKeys();
    const version = versionForKdf(kdf.name);
    const config: RepositoryConfig = {
      version,
      id: keys.repositoryId,
      created: isoTime(clock),
      algorithms: ALGORITHMS_BY_VERSION[version],
      chunker: options.chunker ?? DEFAULT_CHUNKER,
      packSize: options.packSize ?? DEFAULT_PACK_SIZE,
    };
    // A config that would not open again (a pack size out of bounds) is refused before any write.
    validateConfig(config);
    const slot = await createKeySlot(keys, password, { label: options.label ?? 'initial password', kdf, clock });
    const slotId = await storeKeySlot(backend, slot);
    // The config is written last: a repository without config is an unfinished init.
    await backend.save({ kind: 'config', id: 'config' }, encodeDocument(keys.dataKey, config, 'config'));
    return new Repository(backend, keys, config, slotId, clock);
  }

  /**
   * Opens the repository with `password`. `ahead`: a key derivation started earlier for one of
   * its slots and this password (the CLI's early unlock).
   */
  static async open(
    raw: Backend,
    password: string,
    options: { clock?: Clock; ahead?: DerivedAhead } = {},
  ): Promise<Repository> {
    // Every read of the repository is capped at its kind's size (capped-backend.ts).
    const backend = withSizeCaps(raw);
    if (!(await backend.exists())) {
      throw new CairnError('no-repository', `there is no Cairn repository at ${backend.location}`);
    }
    const { keys, slotId } = await unlockWithPassword(backend, password, options.ahead);
    const stored = await backend.load({ kind: 'config', id: 'config' });
    const config = validateConfig(
      decodeDocument<RepositoryConfig>(keys.dataKey, stored, 'config', 'the repository config'),
    );
    if (config.id !== keys.repositoryId) {
      throw new IntegrityError('the repository config belongs to another repository than its key slot');
    }
    return new Repository(backend, keys, config, slotId, options.clock ?? systemClock);
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  // ---------------------------------------------------------------- key slots

  async listKeySlots() {
    return listKeySlots(this.backend, this.keySlotId);
  }

  /**
   * Adds a slot for `password`. Its key derivation is the repository's own (Argon2id in version 2,
   * scrypt in version 1), at `cost` (that KDF's default when omitted).
   */
  async addKeySlot(password: string, label: string, cost?: KdfCost): Promise<string> {
    const kdf = this.config.algorithms.keyDerivation;
    if (cost && cost.name !== kdf) {
      throw new CairnError(
        'invalid-argument',
        `this repository's key slots use ${kdf} (format version ${this.config.version}), not ${cost.name}`,
      );
    }
    const slot = await createKeySlot(this.keys, password, { label, kdf: cost ?? defaultCost(kdf), clock: this.clock });
    this.assertLocksValid();
    return storeKeySlot(this.backend, slot);
  }

  /** Shreds a slot (key-slots.ts); refuses to remove the last one, which would make the repository unreadable. */
  async removeKeySlot(id: string): Promise<void> {
    const slot = slotToRemove(await this.listKeySlots(), id);
    this.assertLocksValid();
    await destroyKeySlot(this.backend, slot.id);
  }

  /** Adds a slot for the new password, then removes the slot that opened this session. */
  async changePassword(newPassword: string, cost?: KdfCost): Promise<string> {
    const current = (await this.listKeySlots()).find((s) => s.current);
    const id = await this.addKeySlot(newPassword, current?.label ?? 'password', cost);
    this.assertLocksValid();
    await destroyKeySlot(this.backend, this.keySlotId);
    (this as { keySlotId: string }).keySlotId = id;
    return id;
  }

  // ---------------------------------------------------------------- index

  /**
   * Brings the session index up to date with the index files stored now (the first call reads
   * them all). Cheap when nothing changed: one listing. Another process may have added index
   * files (a backup), or superseded and removed them (a prune, an erasure, a repair): added files
   * are read and merged; when any file the session relied on is gone or superseded, the session
   * index is rebuilt from the files as they are.
   */
  async loadIndex(): Promise<void> {
    await this.refreshIndex();
  }

  /** `loadIndex`, saying whether the session index only grew or was rebuilt. */
  async refreshIndex(): Promise<IndexRefresh> {
    this.assertUsable();
    const listed = await this.listIds('index');
    const idle = this.activeWrites === 0 && !this.writing;
    // Packs an unfinished write left unindexed may since have been pruned elsewhere: drop them.
    const leftovers = idle && this.unindexed.length > 0;
    if (idle) await this.resetWriteState();
    return this.session.refresh(listed, leftovers, this.unindexed);
  }

  /**
   * Damaged index files (id → reason): skipped, so the repository stays usable; the blobs only
   * they list count as missing (a backup stores them again). `cairn repair index` rewrites them.
   */
  get indexProblems(): ReadonlyMap<string, string> {
    return this.session.problems;
  }

  /**
   * Starts the session over from the stored index files: drops the session index, the blobs
   * claimed in this session, the cached trees, and whatever an interrupted backup left unindexed
   * or unwritten, then reads the index files again. Call it only while no backup uses this
   * Repository.
   */
  async reloadIndex(): Promise<void> {
    await this.resetWriteState();
    this.treeCache.clear();
    this.treePacks.clear();
    this.session.forget();
    await this.refreshIndex();
  }

  /** Builds the session index from exactly these index files (check reads them one by one). */
  adoptIndexFiles(files: { id: string; index: IndexFile }[]): void {
    this.session.adopt(files, this.unindexed);
  }

  private reportDamage(key: string, message: string): void {
    if (this.damageReported.has(key)) return;
    this.damageReported.add(key);
    this.onDamage?.(message);
  }

  /**
   * Drops what a finished or failed write left in this session: claimed blob ids (a claim that
   * failed never stored its blob), packs saved but not indexed (a prune elsewhere may since have
   * removed them), and half-filled packs.
   */
  private async resetWriteState(): Promise<void> {
    this.writtenThisSession.clear();
    this.unindexed = [];
    const writers = [this.dataWriter, this.treeWriter];
    this.dataWriter = undefined;
    this.treeWriter = undefined;
    for (const w of writers) await w?.abandon();
  }

  /**
   * Marks the start of a backup writing through this session (until `endWrite`): while one is
   * running, a refresh for another operation keeps the backup's claimed blobs and unindexed packs.
   */
  beginWrite(): void {
    this.activeWrites++;
  }

  endWrite(): void {
    this.activeWrites = Math.max(0, this.activeWrites - 1);
    if (this.activeWrites === 0) this.writing = false;
  }

  /**
   * Drops from the session index the packs that are not stored any more (deleted or lost by the
   * storage). A blob stored elsewhere too is then read from there (restore after a backup healed
   * it); one stored nowhere else counts as missing, so that a backup stores that data again from
   * the source instead of pointing at it. With `keepSole` (restore), such a blob keeps its
   * location instead, so that reading it names the pack that is missing. Returns the number of
   * missing packs.
   */
  async dropMissingPacks(options: { keepSole?: boolean } = {}): Promise<number> {
    const missing = await this.missingPacks();
    this.index.removePacks(new Set(missing), options);
    return missing.length;
  }

  /** Packs the session index names that are not stored (one listing of `data/`). */
  async missingPacks(): Promise<string[]> {
    const stored = new Set(await this.listIds('data'));
    return [...this.index.packIds()].filter((id) => !stored.has(id));
  }

  async loadIndexFile(id: string): Promise<IndexFile> {
    return readIndexFile(this.backend, this.keys.dataKey, id);
  }

  async saveIndexFile(index: IndexFile): Promise<string> {
    this.assertLocksValid();
    const stored = encodeDocument(this.keys.dataKey, toStoredIndex(index), 'index');
    const id = sha256Hex(stored);
    await this.backend.save({ kind: 'index', id }, stored);
    return id;
  }

  // ---------------------------------------------------------------- blobs

  private writerFor(type: BlobType): PackWriter {
    const onSaved = (pack: SavedPack) => this.packSaved(pack);
    if (type === 'tree') {
      this.treeWriter ??= new PackWriter(this.backend, this.keys.dataKey, TREE_PACK_SIZE, onSaved);
      return this.treeWriter;
    }
    this.dataWriter ??= new PackWriter(this.backend, this.keys.dataKey, this.config.packSize, onSaved);
    return this.dataWriter;
  }

  private packSaved(pack: SavedPack): void {
    this.index.addPack(pack.id, pack.entries);
    this.unindexed.push({ id: pack.id, blobs: pack.entries });
  }

  /** True when the blob is stored, or queued for storage in this session. */
  hasBlob(id: string): boolean {
    return this.index.has(id) || this.writtenThisSession.has(id);
  }

  /**
   * Reserves a blob id for this session: true when the caller must store it (it is neither
   * stored nor reserved yet), false when it is already known. A reserved blob must then be
   * passed to `addStoredBlob`, or the session must fail.
   */
  claimBlob(id: string): boolean {
    if (this.hasBlob(id)) return false;
    this.writtenThisSession.add(id);
    this.writing = true;
    return true;
  }

  /** Queues a claimed, already-encoded blob (see `encodeBlob`) for a pack; `flush` makes it durable. */
  async addStoredBlob(type: BlobType, id: string, stored: Buffer, rawLength: number): Promise<void> {
    await this.writerFor(type).add(type, id, stored, rawLength);
    if (this.unindexed.length >= PACKS_PER_INDEX) await this.writeIndex();
  }

  /** Encodes and queues a blob unless it is known; returns its id and the stored bytes added. */
  async saveBlob(type: BlobType, plain: Uint8Array): Promise<{ id: string; added: boolean; storedLength: number }> {
    const id = blobId(this.keys.idKey, plain);
    if (!this.claimBlob(id)) return { id, added: false, storedLength: 0 };
    const stored = encodeBlob(this.keys.dataKey, plain);
    await this.addStoredBlob(type, id, stored, plain.length);
    return { id, added: true, storedLength: stored.length };
  }

  /**
   * Reads, authenticates and decompresses one blob. When its pack is gone, the index files are
   * listed again once: a prune or repair elsewhere may have moved the blob to another pack.
   */
  async loadBlob(id: string): Promise<Buffer> {
    try {
      return await this.loadBlobOnce(id);
    } catch (err) {
      const packGone = err instanceof IntegrityError && isNotFound(err.cause);
      if (!packGone && this.index.has(id)) throw err;
      const before = this.index.get(id);
      await this.refreshIndex();
      // The pack may be lost while another copy of the blob is stored (a backup healed it).
      if (packGone && this.index.get(id)?.pack === before?.pack) await this.dropMissingPacks();
      const after = this.index.get(id);
      if (!after || after.pack === before?.pack) throw err;
      return this.loadBlobOnce(id);
    }
  }

  private async loadBlobOnce(id: string): Promise<Buffer> {
    const loc = this.index.get(id);
    if (!loc) throw new IntegrityError(missingBlobMessage(id));
    let stored: Buffer;
    try {
      // Tree packs are read whole and cached: a walk reads many trees of the same pack.
      stored =
        loc.type === 'tree'
          ? (await this.treePacks.get(loc.pack, loc.offset + loc.length)).subarray(loc.offset, loc.offset + loc.length)
          : await this.backend.load({ kind: 'data', id: loc.pack }, { offset: loc.offset, length: loc.length });
      if (stored.length !== loc.length) throw new BackendError('range', 'short read');
    } catch (err) {
      if (isNotFound(err)) throw new IntegrityError(missingPackMessage(loc.pack), { cause: err });
      if (err instanceof BackendError && err.code === 'range') {
        throw new IntegrityError(`pack ${loc.pack.slice(0, 12)} is shorter than the index says: it was truncated`, {
          cause: err,
        });
      }
      throw err;
    }
    return decodeBlob(this.keys.dataKey, this.keys.idKey, stored, id, loc.rawLength);
  }

  /** Writes the partly filled packs and an index of every pack saved since the last index. */
  async flush(): Promise<void> {
    await this.dataWriter?.flush();
    await this.treeWriter?.flush();
    await this.writeIndex();
  }

  private async writeIndex(): Promise<void> {
    if (this.unindexed.length === 0) return;
    const packs = this.unindexed;
    this.unindexed = [];
    let id: string;
    try {
      id = await this.saveIndexFile({ version: 1, supersedes: [], packs });
    } catch (err) {
      // Still unindexed: the caller's error path tries again (see the archiver's flush).
      this.unindexed = [...packs, ...this.unindexed];
      throw err;
    }
    this.session.written(id, packs);
  }

  // ---------------------------------------------------------------- trees

  async saveTree(tree: Tree): Promise<string> {
    return (await this.saveBlob('tree', encodeTree(tree))).id;
  }

  async loadTree(id: string): Promise<Tree> {
    this.restriction.assertTreeReadable(id);
    const cached = this.treeCache.get(id);
    if (cached) return cached;
    const tree = decodeTree(await this.loadBlob(id), `tree ${id.slice(0, 12)}`);
    if (this.treeCache.size >= 4096) this.treeCache.delete(this.treeCache.keys().next().value as string);
    this.treeCache.set(id, tree);
    return tree;
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Flushes packs and index, then stores the snapshot (write order packs → index → snapshot).
   * Before that it makes sure the snapshot points at nothing that is gone: when an index file the
   * session relied on was removed or superseded meanwhile (a prune or repair by a process that
   * did not see our lock), every tree and data blob the snapshot reaches is looked up again in
   * the index as stored now, and the snapshot is refused if any is missing.
   */
  async saveSnapshot(snapshot: Snapshot): Promise<string> {
    await this.flush();
    this.assertLocksValid();
    const hadIndex = this.session.isLoaded;
    if ((await this.refreshIndex()) === 'rebuilt' && hadIndex) await this.assertReachable(snapshot.tree);
    this.assertLocksValid();
    const stored = encodeDocument(this.keys.dataKey, snapshot, 'snapshot');
    const id = sha256Hex(stored);
    await this.backend.save({ kind: 'snapshots', id }, stored);
    this.restriction.noteRoot({ id, tree: snapshot.tree });
    return id;
  }

  /** Throws when a tree or data blob reachable from `root` is not in the session index. */
  private async assertReachable(root: string): Promise<void> {
    const missing = await firstUnreachable(
      root,
      (id) => this.index.has(id),
      (id) => this.loadTree(id),
    );
    if (missing) {
      throw new CairnError(
        'integrity',
        `another process removed data this backup relied on while it ran (the stored data of ${missing} is gone), so its recovery point was not saved; back up again: the next backup stores that data again`,
      );
    }
  }

  async loadSnapshot(id: string): Promise<SnapshotRecord> {
    const what = `snapshot ${id.slice(0, 8)}`;
    const stored = await this.backend.load({ kind: 'snapshots', id });
    if (sha256Hex(stored) !== id) throw new IntegrityError(`${what} does not match its name`);
    const record = parseSnapshot(decodeDocument<unknown>(this.keys.dataKey, stored, 'snapshot', what), what);
    return this.restriction.noteRoot({ ...record, id });
  }

  /**
   * Every recovery point that can be read, oldest first. One that cannot (damaged, or not a
   * regular file) is left out and reported through `onDamage`; `listSnapshotsChecked` lists them.
   */
  async listSnapshots(): Promise<SnapshotRecord[]> {
    return (await this.listSnapshotsChecked()).snapshots;
  }

  /** Every recovery point, the readable ones oldest first and the damaged ones with the reason. */
  async listSnapshotsChecked(): Promise<{ snapshots: SnapshotRecord[]; damaged: DamagedSnapshot[] }> {
    const listed = await readSnapshots(await this.listIds('snapshots'), (id) => this.loadSnapshot(id));
    for (const { id, reason } of listed.damaged) {
      this.reportDamage(
        `snapshot:${id}`,
        `recovery point ${id.slice(0, 8)} cannot be read (${reason}); the others are usable. Remove it with "cairn forget ${id.slice(0, 8)}"`,
      );
    }
    return listed;
  }

  /** Removes a recovery point (forget, erasure): only under a lock that is still valid. */
  async removeSnapshot(id: string): Promise<void> {
    this.assertLocksValid();
    await this.backend.remove({ kind: 'snapshots', id });
    this.restriction.forget(id);
  }

  /** Finds a snapshot by id, unique id prefix, or "latest"; refuses a restricted one (restriction.ts). */
  async findSnapshot(ref: string): Promise<SnapshotRecord> {
    if (ref !== 'latest') return this.restriction.readable(await this.loadSnapshot(await this.resolveSnapshotId(ref)));
    const last = (await this.listSnapshots()).at(-1);
    if (!last) throw new CairnError('not-found', 'the repository has no recovery points yet');
    return this.restriction.readable(last);
  }

  /** The full id of the recovery point named by an id or unique prefix, without reading it. */
  async resolveSnapshotId(ref: string): Promise<string> {
    if (!/^[0-9a-f]{4,64}$/.test(ref)) throw new CairnError('invalid-argument', `"${ref}" is not a recovery point id`);
    const matches = (await this.listIds('snapshots')).filter((id) => id.startsWith(ref));
    if (matches.length === 0 || !matches[0]) throw new CairnError('not-found', `no recovery point ${ref}`);
    if (matches.length > 1)
      throw new CairnError('invalid-argument', `recovery point prefix ${ref} is ambiguous; give more characters`);
    return matches[0];
  }

  // ---------------------------------------------------------------- freshness and locks

  /**
   * Brings everything this session believes up to date (called after taking a lock): the
   * repository must still be the one it opened (a config with the same id), the key slot that
   * unlocked it must still exist (a password removed elsewhere ends the session), and the index
   * is refreshed. A session found invalid stays so: every later call fails with the reason.
   */
  async refresh(): Promise<void> {
    this.assertUsable();
    const ended = await sessionEndedBecause(this.backend, this.keys, this.config, this.keySlotId);
    if (ended) this.invalidate(ended);
    await this.refreshIndex();
  }

  private invalidate(reason: CairnError): never {
    this.invalidReason = reason;
    throw reason;
  }

  /** Why this session must not be used any more, if it must not. */
  get invalid(): CairnError | undefined {
    return this.invalidReason;
  }

  private assertUsable(): void {
    if (this.invalidReason) throw this.invalidReason;
  }

  /** Called by `RepositoryLock` when it is taken and released. */
  holdLock(lock: RepositoryLock): void {
    this.locks.add(lock);
  }

  dropLock(lock: RepositoryLock): void {
    this.locks.delete(lock);
    // The operations of this session are over: what they left unfinished is stale from now on.
    if (this.locks.size === 0 && this.activeWrites === 0) this.writing = false;
  }

  /** Throws when a lock this session holds is no longer valid: nothing may be committed then. */
  assertLocksValid(): void {
    for (const lock of this.locks) lock.assertValid();
  }

  async listIds(kind: ObjectKind): Promise<string[]> {
    const ids: string[] = [];
    for await (const info of this.backend.list(kind)) ids.push(info.id);
    return ids;
  }
}
