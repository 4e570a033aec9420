/**
 * An open repository: the unlocked master keys, the config, and typed access to every kind of
 * object (blobs via the index and packs, trees, snapshots, index files, key slots).
 * It enforces the write order packs → index → snapshot: `saveSnapshot` first flushes the pack
 * writers and writes the index of every pack saved in this session.
 */
import os from 'node:os';
import { type Backend, BackendError, isNotFound, type ObjectKind } from '../backend/types.js';
import { type ChunkerParams, DEFAULT_CHUNKER, gearTable } from '../chunker/fastcdc.js';
import { blobId, sha256Hex } from '../crypto/ids.js';
import { DEFAULT_ARGON2ID, defaultCost, describeKdf, type KdfCost } from '../crypto/kdf.js';
import {
  createKeySlot,
  generateMasterKeys,
  type KeySlotFile,
  type MasterKeys,
  parseKeySlot,
  unlockKeySlot,
} from '../crypto/keys.js';
import { CairnError, IntegrityError, missingBlobMessage, missingPackMessage, WrongPasswordError } from '../errors.js';
import { decodeBlob, encodeBlob } from '../format/blob-codec.js';
import { ALGORITHMS_BY_VERSION, type RepositoryConfig, validateConfig, versionForKdf } from '../format/config.js';
import { fromStoredIndex, type IndexedPack, type IndexFile, toStoredIndex } from '../format/index-file.js';
import type { BlobType } from '../format/pack.js';
import { decodeDocument, encodeDocument } from '../format/sealed-json.js';
import type { Snapshot, SnapshotRecord } from '../format/snapshot.js';
import { decodeTree, encodeTree, type Tree } from '../format/tree.js';
import { mapLimit } from '../util/concurrency.js';
import { MasterIndex } from './master-index.js';
import { PackCache } from './pack-cache.js';
import { PackWriter, type SavedPack } from './pack-writer.js';

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
}

export interface KeySlotInfo {
  id: string;
  label: string;
  created: string;
  kdf: string;
  current: boolean;
  damaged?: boolean;
}

export class Repository {
  readonly index = new MasterIndex();
  readonly gear: Uint32Array;
  private indexLoaded = false;
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
  ) {
    this.gear = gearTable(keys.chunkerSeed);
  }

  get location(): string {
    return this.backend.location;
  }

  // ---------------------------------------------------------------- lifecycle

  static async init(backend: Backend, password: string, options: InitOptions = {}): Promise<Repository> {
    if (await backend.exists()) {
      throw new CairnError('invalid-argument', `a repository already exists at ${backend.location}`);
    }
    await backend.create();
    // Key slots without a config are left by an init that was interrupted: they wrap other keys.
    for await (const leftover of backend.list('keys')) await backend.remove({ kind: 'keys', id: leftover.id });
    // createKeySlot refuses a cost out of bounds, before anything is written to the slot or config.
    const kdf = options.kdf ?? DEFAULT_ARGON2ID;
    const keys = generateMasterKeys();
    const version = versionForKdf(kdf.name);
    const config: RepositoryConfig = {
      version,
      id: keys.repositoryId,
      created: new Date().toISOString(),
      algorithms: ALGORITHMS_BY_VERSION[version],
      chunker: options.chunker ?? DEFAULT_CHUNKER,
      packSize: options.packSize ?? DEFAULT_PACK_SIZE,
    };
    const slot = await createKeySlot(keys, password, {
      label: options.label ?? 'initial password',
      kdf,
    });
    const slotId = await Repository.storeKeySlot(backend, slot);
    // The config is written last: a repository without config is an unfinished init.
    await backend.save({ kind: 'config', id: 'config' }, encodeDocument(keys.dataKey, config, 'config'));
    return new Repository(backend, keys, config, slotId);
  }

  static async open(backend: Backend, password: string): Promise<Repository> {
    if (!(await backend.exists())) {
      throw new CairnError('no-repository', `there is no Cairn repository at ${backend.location}`);
    }
    const slots: { id: string; slot: KeySlotFile }[] = [];
    const damaged: string[] = [];
    for await (const info of backend.list('keys')) {
      const bytes = await backend.load({ kind: 'keys', id: info.id });
      try {
        if (sha256Hex(bytes) !== info.id) throw new IntegrityError('content does not match its name');
        slots.push({ id: info.id, slot: parseKeySlot(bytes, `key slot ${info.id.slice(0, 8)}`) });
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err;
        damaged.push(info.id.slice(0, 8));
      }
    }
    if (slots.length === 0 && damaged.length === 0) {
      throw new IntegrityError(`the repository at ${backend.location} has no key slots: it cannot be opened`);
    }
    let keys: MasterKeys | undefined;
    let slotId = '';
    for (const { id, slot } of slots) {
      try {
        keys = await unlockKeySlot(slot, password);
        slotId = id;
        break;
      } catch (err) {
        if (!(err instanceof WrongPasswordError)) damaged.push(id.slice(0, 8));
      }
    }
    if (!keys && damaged.length > 0) {
      throw new IntegrityError(
        `wrong password, or the matching key slot is damaged (damaged slots: ${damaged.join(', ')})`,
      );
    }
    if (!keys) throw new WrongPasswordError();
    const stored = await backend.load({ kind: 'config', id: 'config' });
    const config = validateConfig(
      decodeDocument<RepositoryConfig>(keys.dataKey, stored, 'config', 'the repository config'),
    );
    if (config.id !== keys.repositoryId) {
      throw new IntegrityError('the repository config belongs to another repository than its key slot');
    }
    return new Repository(backend, keys, config, slotId);
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  // ---------------------------------------------------------------- key slots

  private static async storeKeySlot(backend: Backend, slot: KeySlotFile): Promise<string> {
    const bytes = Buffer.from(JSON.stringify(slot, null, 2), 'utf8');
    const id = sha256Hex(bytes);
    await backend.save({ kind: 'keys', id }, bytes);
    return id;
  }

  async listKeySlots(): Promise<KeySlotInfo[]> {
    const out: KeySlotInfo[] = [];
    for await (const info of this.backend.list('keys')) {
      const current = info.id === this.keySlotId;
      try {
        const slot = parseKeySlot(
          await this.backend.load({ kind: 'keys', id: info.id }),
          `key slot ${info.id.slice(0, 8)}`,
        );
        out.push({
          id: info.id,
          label: slot.label,
          created: slot.created,
          kdf: describeKdf(slot.kdf),
          current,
        });
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err;
        out.push({
          id: info.id,
          label: '(damaged: cannot be used)',
          created: '',
          kdf: 'unreadable',
          current,
          damaged: true,
        });
      }
    }
    return out.sort((a, b) => a.created.localeCompare(b.created));
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
    const slot = await createKeySlot(this.keys, password, { label, kdf: cost ?? defaultCost(kdf) });
    return Repository.storeKeySlot(this.backend, slot);
  }

  /** Removes a slot; refuses to remove the last one, which would make the repository unreadable. */
  async removeKeySlot(id: string): Promise<void> {
    const slots = await this.listKeySlots();
    const match = slots.filter((s) => s.id.startsWith(id));
    if (match.length !== 1 || !match[0]) {
      throw new CairnError(
        'not-found',
        match.length === 0 ? `no key slot ${id}` : `key slot prefix ${id} is ambiguous`,
      );
    }
    if (!match[0].damaged && slots.filter((s) => !s.damaged).length === 1) {
      throw new CairnError(
        'invalid-argument',
        'refusing to remove the only key slot that can open the repository: it could never be opened again',
      );
    }
    await this.backend.remove({ kind: 'keys', id: match[0].id });
  }

  /** Adds a slot for the new password, then removes the slot that opened this session. */
  async changePassword(newPassword: string, cost?: KdfCost): Promise<string> {
    const current = (await this.listKeySlots()).find((s) => s.current);
    const id = await this.addKeySlot(newPassword, current?.label ?? 'password', cost);
    await this.backend.remove({ kind: 'keys', id: this.keySlotId });
    (this as { keySlotId: string }).keySlotId = id;
    return id;
  }

  // ---------------------------------------------------------------- index

  /** Reads every index file (once per session). */
  async loadIndex(): Promise<void> {
    if (this.indexLoaded) return;
    this.adoptIndexFiles(await this.readIndexFiles());
  }

  /**
   * Starts the session over from the stored index files: drops the session index, the blobs
   * claimed in this session, the cached trees, and whatever an interrupted backup left unindexed
   * or unwritten, then reads the index files again. Needed after a prune, which rewrites the
   * index and removes packs (including packs no index listed yet). Call it only while no backup
   * uses this Repository.
   */
  async reloadIndex(): Promise<void> {
    this.index.clear();
    this.indexLoaded = false;
    this.unindexed = [];
    await this.dataWriter?.abandon();
    await this.treeWriter?.abandon();
    this.dataWriter = undefined;
    this.treeWriter = undefined;
    this.writtenThisSession.clear();
    this.treeCache.clear();
    this.treePacks.clear();
    await this.loadIndex();
  }

  /** Builds the session index from index files already read (check reads them one by one). */
  adoptIndexFiles(files: { id: string; index: IndexFile }[]): void {
    if (this.indexLoaded) return;
    const superseded = new Set(files.flatMap((f) => f.index.supersedes));
    for (const { id, index } of files) {
      if (superseded.has(id)) continue;
      for (const pack of index.packs) this.index.addPack(pack.id, pack.blobs);
    }
    this.indexLoaded = true;
  }

  async readIndexFiles(): Promise<{ id: string; index: IndexFile }[]> {
    const ids: string[] = [];
    for await (const info of this.backend.list('index')) ids.push(info.id);
    return mapLimit(ids, 4, async (id) => ({ id, index: await this.loadIndexFile(id) }));
  }

  async loadIndexFile(id: string): Promise<IndexFile> {
    const what = `index file ${id.slice(0, 8)}`;
    const stored = await this.backend.load({ kind: 'index', id });
    if (sha256Hex(stored) !== id) throw new IntegrityError(`${what} does not match its name`);
    return fromStoredIndex(decodeDocument(this.keys.dataKey, stored, 'index', what), what);
  }

  async saveIndexFile(index: IndexFile): Promise<string> {
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

  async loadBlob(id: string): Promise<Buffer> {
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
    return decodeBlob(this.keys.dataKey, this.keys.idKey, stored, id);
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
    await this.saveIndexFile({ version: 1, supersedes: [], packs });
  }

  // ---------------------------------------------------------------- trees

  async saveTree(tree: Tree): Promise<string> {
    return (await this.saveBlob('tree', encodeTree(tree))).id;
  }

  async loadTree(id: string): Promise<Tree> {
    const cached = this.treeCache.get(id);
    if (cached) return cached;
    const tree = decodeTree(await this.loadBlob(id), `tree ${id.slice(0, 12)}`);
    if (this.treeCache.size >= 4096) this.treeCache.delete(this.treeCache.keys().next().value as string);
    this.treeCache.set(id, tree);
    return tree;
  }

  // ---------------------------------------------------------------- snapshots

  /** Flushes packs and index, then stores the snapshot (write order packs → index → snapshot). */
  async saveSnapshot(snapshot: Snapshot): Promise<string> {
    await this.flush();
    const stored = encodeDocument(this.keys.dataKey, snapshot, 'snapshot');
    const id = sha256Hex(stored);
    await this.backend.save({ kind: 'snapshots', id }, stored);
    return id;
  }

  async loadSnapshot(id: string): Promise<SnapshotRecord> {
    const what = `snapshot ${id.slice(0, 8)}`;
    const stored = await this.backend.load({ kind: 'snapshots', id });
    if (sha256Hex(stored) !== id) throw new IntegrityError(`${what} does not match its name`);
    return { ...decodeDocument<Snapshot>(this.keys.dataKey, stored, 'snapshot', what), id };
  }

  /** Every snapshot, oldest first. */
  async listSnapshots(): Promise<SnapshotRecord[]> {
    const ids = await this.listIds('snapshots');
    const all = await mapLimit(ids, 8, (id) => this.loadSnapshot(id));
    return all.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  }

  /** Finds a snapshot by id, unique id prefix, or "latest". */
  async findSnapshot(ref: string): Promise<SnapshotRecord> {
    if (ref === 'latest') {
      const all = await this.listSnapshots();
      const last = all.at(-1);
      if (!last) throw new CairnError('not-found', 'the repository has no recovery points yet');
      return last;
    }
    if (!/^[0-9a-f]{4,64}$/.test(ref)) throw new CairnError('invalid-argument', `"${ref}" is not a recovery point id`);
    const matches = (await this.listIds('snapshots')).filter((id) => id.startsWith(ref));
    if (matches.length === 0 || !matches[0]) throw new CairnError('not-found', `no recovery point ${ref}`);
    if (matches.length > 1)
      throw new CairnError('invalid-argument', `recovery point prefix ${ref} is ambiguous; give more characters`);
    return this.loadSnapshot(matches[0]);
  }

  async listIds(kind: ObjectKind): Promise<string[]> {
    const ids: string[] = [];
    for await (const info of this.backend.list(kind)) ids.push(info.id);
    return ids;
  }
}

export function defaultHostname(): string {
  return os.hostname();
}
