/**
 * A local cache of a remote repository's small immutable objects: every open of a repository
 * reads all index files, every listing of recovery points every snapshot; over a network that is
 * most of the waiting, and the same bytes each time.
 *
 * Which objects: kinds 'index' and 'snapshots'. Their names are the SHA-256 of their stored
 * bytes (docs/repository-format.md §2), so an object never changes under its name, and a cached
 * copy can be checked against its name alone. Not 'config' (rewritten in place), not 'locks'
 * (rewritten on refresh, short-lived), not 'data' (packs are large: restore reads ranges of
 * them) and not 'keys' by default: a cached key slot would be a local copy of what a password
 * guesser needs (docs/threat-model.md, "Key handling") for the saving of one 1 KiB download per
 * unlock (the `kinds` option can add them).
 *
 * How a cached copy is trusted: it is hashed on every use and used only when its SHA-256 equals
 * its id; otherwise (a torn write, a flipped bit, a file put there by hand) the object is loaded
 * from the storage and the entry written again. Hashing is sound where a size check is not (it
 * catches every change, not only truncation) and cheap: these objects are small and SHA-256
 * runs at over a gigabyte a second. It also needs no request, where a size check would need a
 * `stat` of the remote object on every load, the very round trip the cache is there to save.
 *
 * What the storage says wins: `list` always asks the storage, and when a listing of a cached
 * kind completes, entries it did not name are dropped (an object pruned or forgotten by another
 * computer leaves the cache at the next listing; until then a load of it is still answered,
 * with the bytes its name stands for). `remove` and `shred` drop the entry too; `save` writes
 * through (storage first, then the cache).
 *
 * The cache is optional: a failure to read or write it (a full disk, a read-only folder) never
 * fails an operation, it only costs a download. Entries are written to a temporary file and
 * renamed into place, so no reader sees half an entry (and one that did would fail the hash).
 * They are not flushed to disk: after a crash a damaged entry fails the hash and is fetched again.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isValidId } from './refs.js';
import { openRegularFile } from './regular-file.js';
import { passOptional } from './retrying-backend.js';
import { assertWithinLimit } from './size-limit.js';
import type { Backend, LoadOptions, ObjectInfo, ObjectKind, ObjectRef } from './types.js';

/** The kinds cached by default: small, named by the SHA-256 of their bytes, never rewritten. */
export const CACHED_KINDS: readonly ObjectKind[] = ['index', 'snapshots'];

/** Kinds whose names are the SHA-256 of their bytes: the only ones a cache entry can be checked for. */
const CONTENT_NAMED: ReadonlySet<ObjectKind> = new Set(['index', 'snapshots', 'keys', 'data']);

export interface MetadataCacheOptions {
  /** The kinds to cache (default CACHED_KINDS); kinds not named by their content are never cached. */
  kinds?: readonly ObjectKind[];
}

const sha256 = (parts: readonly Uint8Array[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

const partsOf = (data: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] =>
  Array.isArray(data) ? (data as readonly Uint8Array[]) : [data as Uint8Array];

class MetadataCache {
  private readonly kinds: ReadonlySet<ObjectKind>;
  /** For each listing under way, the ids cached while it ran: it must not drop what it could not have seen. */
  private readonly listings = new Set<{ kind: ObjectKind; written: Set<string> }>();
  /** Temporary files this process is writing: a listing's clean-up leaves them alone. */
  private readonly writing = new Set<string>();

  constructor(
    private readonly inner: Backend,
    private readonly dir: string,
    kinds: readonly ObjectKind[],
  ) {
    this.kinds = new Set(kinds.filter((kind) => CONTENT_NAMED.has(kind)));
  }

  cached(kind: ObjectKind): boolean {
    return this.kinds.has(kind);
  }

  /** The entry's file; only for refs of a cached kind with a valid id (so the path stays in `dir`). */
  private fileOf(ref: ObjectRef): string {
    return path.join(this.dir, ref.kind, ref.id);
  }

  async load(ref: ObjectRef, options: LoadOptions): Promise<Buffer> {
    const hit = await this.read(ref, options.maxLength);
    if (hit) return hit;
    const loaded = await this.inner.load(ref, undefined, options);
    await this.write(ref, [loaded]);
    return loaded;
  }

  /** The cached bytes of `ref` when they are there, within `maxLength`, and hash to its id; else undefined. */
  private async read(ref: ObjectRef, maxLength: number | undefined): Promise<Buffer | undefined> {
    if (!isValidId(ref.kind, ref.id)) return undefined; // the storage refuses it, in its words
    try {
      // Only a regular file: a FIFO planted in the folder must not block the load.
      const { handle, size } = await openRegularFile(this.fileOf(ref), 'a cache entry');
      try {
        // Larger than the caller accepts: the storage's answer (an 'invalid-object' refusal) is the one to give.
        assertWithinLimit(ref, size, maxLength);
        const bytes = await handle.readFile();
        return sha256([bytes]) === ref.id ? bytes : undefined;
      } finally {
        await handle.close();
      }
    } catch {
      return undefined;
    }
  }

  /** Caches `data` as `ref` when it hashes to its id (a damaged copy from the storage is not kept). Never throws. */
  async write(ref: ObjectRef, data: readonly Uint8Array[]): Promise<void> {
    if (!isValidId(ref.kind, ref.id) || sha256(data) !== ref.id) return;
    const file = this.fileOf(ref);
    const temp = path.join(path.dirname(file), `.tmp-${randomBytes(8).toString('hex')}`);
    this.writing.add(temp);
    try {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await fs.writeFile(temp, Buffer.concat(data), { mode: 0o600, flag: 'wx' });
      await fs.rename(temp, file);
      for (const listing of this.listings) if (listing.kind === ref.kind) listing.written.add(ref.id);
    } catch {
      await fs.rm(temp, { force: true }).catch(() => undefined);
    } finally {
      this.writing.delete(temp);
    }
  }

  /** Drops the entry of `ref`, if any. Never throws. */
  async drop(ref: ObjectRef): Promise<void> {
    if (!isValidId(ref.kind, ref.id)) return;
    await fs.rm(this.fileOf(ref), { force: true }).catch(() => undefined);
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    const listing = { kind, written: new Set<string>() };
    const listed = new Set<string>();
    this.listings.add(listing);
    try {
      for await (const info of this.inner.list(kind)) {
        listed.add(info.id);
        yield info;
      }
      // Only a complete listing shows what is gone; one broken off shows nothing.
      await this.prune(kind, listed, listing.written);
    } finally {
      this.listings.delete(listing);
    }
  }

  /** Removes the entries of `kind` the storage no longer lists, and leftover temporary files. Never throws. */
  private async prune(kind: ObjectKind, listed: ReadonlySet<string>, written: ReadonlySet<string>): Promise<void> {
    const folder = path.join(this.dir, kind);
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const gone = isValidId(kind, name) && !listed.has(name) && !written.has(name);
      const leftover = name.startsWith('.tmp-') && !this.writing.has(path.join(folder, name));
      if (gone || leftover) await fs.rm(path.join(folder, name), { force: true }).catch(() => undefined);
    }
  }

  /** Removes the whole cache folder. Never throws. */
  async clear(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * `inner` with its small immutable objects cached in `dir` (see the header). `dir` belongs to
 * this one repository: the app passes `<app data>/cache/<repository id or location hash>`.
 */
export function withMetadataCache(inner: Backend, dir: string, options: MetadataCacheOptions = {}): Backend {
  const cache = new MetadataCache(inner, dir, options.kinds ?? CACHED_KINDS);
  const wrapped: Backend = {
    location: inner.location,
    save: async (ref, data, saveOptions) => {
      await inner.save(ref, data, saveOptions);
      if (cache.cached(ref.kind)) await cache.write(ref, partsOf(data));
    },
    load: (ref, range, loadOptions = {}) =>
      range || !cache.cached(ref.kind) ? inner.load(ref, range, loadOptions) : cache.load(ref, loadOptions),
    stat: (ref) => inner.stat(ref),
    list: (kind) => (cache.cached(kind) ? cache.list(kind) : inner.list(kind)),
    remove: async (ref) => {
      await inner.remove(ref);
      if (cache.cached(ref.kind)) await cache.drop(ref);
    },
    stage: (kind) => inner.stage(kind),
    exists: () => inner.exists(),
    create: () => inner.create(),
    close: () => inner.close(),
  };
  passOptional(wrapped, inner);
  const { shred, destroy } = inner;
  if (shred) {
    wrapped.shred = async (ref) => {
      await shred.call(inner, ref);
      if (cache.cached(ref.kind)) await cache.drop(ref);
    };
  }
  if (destroy) {
    wrapped.destroy = async () => {
      await destroy.call(inner);
      await cache.clear();
    };
  }
  return wrapped;
}
