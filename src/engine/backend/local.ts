/**
 * LocalBackend: a repository in a directory on a local or mounted disk.
 *
 * Layout under rootDir: `config`, `keys/<id>`, `data/<first two hex chars>/<id>`, `index/<id>`,
 * `snapshots/<id>`, `locks/<id>`. Saves are atomic: the bytes go to a `.tmp-<hex>` file in the
 * target folder, are fsynced, then moved into place (a hard link when the object must not be
 * replaced, so an existing object is never overwritten), and the folder is fsynced. A staged
 * object (`stage`) is a `.tmp-<hex>` file in its kind's folder that grows with each append and
 * is moved into place the same way on commit. Leftover `.tmp-*` files from a crash are never
 * listed; `cleanTemporaryFiles` removes them. `shred` overwrites a file in place before unlinking it.
 * Files are created 0600 and folders 0700. Only regular files are read, never through a symlink
 * and never waiting on a FIFO (regular-file.ts), and none above the `maxLength` the caller gives.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { systemClock } from '../util/clock.js';
import { assertRange, assertValidKind, assertValidRef, describeRef, isValidId } from './refs.js';
import {
  describeFileType,
  notRegularFileError,
  openRegularFile,
  openRegularFileSync,
  readFullySync,
  WRITE_FLAGS,
} from './regular-file.js';
import { assertWithinLimit } from './size-limit.js';
import {
  type Backend,
  BackendError,
  type LoadOptions,
  type ObjectInfo,
  type ObjectKind,
  type ObjectRef,
  type SaveOptions,
  type StagedObject,
} from './types.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const TMP_PREFIX = '.tmp-';
const FOLDER_KINDS = ['keys', 'data', 'index', 'snapshots', 'locks'] as const;
const SHARDS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Files desktop systems drop into any folder; they do not make a folder "non-empty" for create(). */
const OS_CLUTTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.directory']);
/** Errors from link() meaning "this filesystem has no hard links" (FAT, exFAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/**
 * Maps a Node.js filesystem error to a BackendError with a message fit for a user.
 * `what` names the thing being accessed, e.g. "data object 3fa2…" or "the repository folder /x".
 */
export function toBackendError(err: unknown, what: string): BackendError {
  if (err instanceof BackendError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ENOENT':
      return new BackendError('not-found', `${what} does not exist`, { cause: err });
    case 'EEXIST':
      return new BackendError('exists', `${what} already exists`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new BackendError('no-space', `the storage location is full (${what}: ${code})`, { cause: err });
    case 'EROFS':
      return new BackendError('permission', `the storage location is read-only (${what})`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new BackendError('permission', `no permission to access ${what} (${code})`, { cause: err });
    default:
      return new BackendError('io', `${what}: ${detail}`, { cause: err });
  }
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

export class LocalBackend implements Backend {
  readonly location: string;
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
    this.location = this.root;
  }

  /** The file path of an object; the ref is validated first so the path always stays under rootDir. */
  private pathOf(ref: ObjectRef): string {
    assertValidRef(ref);
    if (ref.kind === 'config') return path.join(this.root, 'config');
    if (ref.kind === 'data') return path.join(this.root, 'data', ref.id.slice(0, 2), ref.id);
    return path.join(this.root, ref.kind, ref.id);
  }

  async save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[], options?: SaveOptions): Promise<void> {
    const target = this.pathOf(ref);
    const dir = path.dirname(target);
    const tmp = path.join(dir, TMP_PREFIX + randomBytes(8).toString('hex'));
    try {
      await this.writeDurably(tmp, data, dir);
      if (options?.overwrite) await fs.rename(tmp, target);
      else await this.moveIntoPlaceWithoutReplacing(tmp, target, ref);
      await syncDir(dir);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw toBackendError(err, describeRef(ref));
    }
  }

  /**
   * Only a regular file is read (regular-file.ts: a FIFO would block, a symlink would be
   * followed), and only up to the caller's `maxLength`, checked before anything is
   * allocated: a whole load against the file's size, a ranged load against the range's end.
   */
  async load(ref: ObjectRef, range?: { offset: number; length: number }, options: LoadOptions = {}): Promise<Buffer> {
    const file = this.pathOf(ref);
    const what = describeRef(ref);
    if (range) assertRange(ref, Number.POSITIVE_INFINITY, range); // the numbers themselves, before any I/O
    let opened: { handle: fs.FileHandle; size: number } | undefined;
    try {
      opened = await openRegularFile(file, what);
      const { handle, size } = opened;
      if (!range) {
        assertWithinLimit(ref, size, options.maxLength);
        return await readFully(handle, ref, { offset: 0, length: size }, false);
      }
      assertRange(ref, size, range);
      assertWithinLimit(ref, range.offset + range.length, options.maxLength, true);
      return await readFully(handle, ref, range, true);
    } catch (err) {
      throw toBackendError(err, what);
    } finally {
      await opened?.handle.close();
    }
  }

  /** `load` of a whole object without waiting (Backend.loadSync): the same checks, synchronously. */
  loadSync(ref: ObjectRef, options: LoadOptions = {}): Buffer {
    const what = describeRef(ref);
    try {
      const { fd, size } = openRegularFileSync(this.pathOf(ref), what);
      try {
        assertWithinLimit(ref, size, options.maxLength);
        return readFullySync(fd, Buffer.allocUnsafe(size), size);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      throw toBackendError(err, what);
    }
  }

  /** The ids `list` yields, in its order, without waiting (Backend.listSync). */
  listSync(kind: ObjectKind): string[] {
    assertValidKind(kind);
    if (kind === 'config') return existsSync(path.join(this.root, 'config')) ? ['config'] : [];
    const kindDir = path.join(this.root, kind);
    const names = (dir: string) => {
      try {
        return readdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw toBackendError(err, `the ${kind} folder of ${this.location}`);
      }
    };
    const dirs = kind === 'data' ? names(kindDir).filter((n) => /^[0-9a-f]{2}$/.test(n)) : [''];
    return dirs.flatMap((sub) => names(path.join(kindDir, sub)).filter((name) => isValidId(kind, name)));
  }

  async stat(ref: ObjectRef): Promise<{ size: number }> {
    const file = this.pathOf(ref);
    try {
      // lstat: a symlink is reported, never followed; stat never opens, so a FIFO cannot block it.
      const stats = await fs.lstat(file);
      if (!stats.isFile()) throw notRegularFileError(describeRef(ref), describeFileType(stats));
      return { size: stats.size };
    } catch (err) {
      throw toBackendError(err, describeRef(ref));
    }
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    assertValidKind(kind);
    if (kind === 'config') {
      const size = await this.sizeIfPresent(path.join(this.root, 'config'));
      if (size !== undefined) yield { kind, id: 'config', size };
      return;
    }
    const kindDir = path.join(this.root, kind);
    const dirs = kind === 'data' ? (await this.readDir(kindDir)).filter((n) => /^[0-9a-f]{2}$/.test(n)) : [''];
    for (const sub of dirs) {
      const dir = path.join(kindDir, sub);
      // A stray file (e.g. `.DS_Store`) or a `.tmp-*` leftover is not a valid id and is skipped.
      // An entry with a valid name that is not a regular file (a FIFO, a symlink) is listed: reading
      // it then fails with a message, so the caller reports a damaged object instead of missing it.
      const ids = (await this.readDir(dir)).filter((name) => isValidId(kind, name));
      const sizes = await Promise.all(ids.map((id) => this.sizeIfPresent(path.join(dir, id))));
      for (const [i, id] of ids.entries()) {
        const size = sizes[i];
        if (size !== undefined) yield { kind, id, size };
      }
    }
  }

  async remove(ref: ObjectRef): Promise<void> {
    const file = this.pathOf(ref);
    try {
      await fs.unlink(file);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw toBackendError(err, describeRef(ref));
    }
  }

  async stage(kind: ObjectKind): Promise<StagedObject> {
    assertValidKind(kind);
    const dir = kind === 'config' ? this.root : path.join(this.root, kind);
    const tmp = path.join(dir, TMP_PREFIX + randomBytes(8).toString('hex'));
    let handle: fs.FileHandle;
    try {
      handle = await this.createFile(tmp, dir);
    } catch (err) {
      throw toBackendError(err, `a new ${kind} object`);
    }
    return new LocalStagedObject(kind, tmp, handle, async (id, file) => {
      const ref = { kind, id };
      const target = this.pathOf(ref);
      try {
        await this.moveIntoPlaceWithoutReplacing(file, target, ref);
      } catch (err) {
        // A shard folder dropped by a sync tool: make it again and retry once.
        if (errnoCode(err) !== 'ENOENT') throw err;
        await this.ensureFolder(path.dirname(target));
        await this.moveIntoPlaceWithoutReplacing(file, target, ref);
      }
      await syncDir(path.dirname(target));
    });
  }

  async exists(): Promise<boolean> {
    return (await this.sizeIfPresent(path.join(this.root, 'config'))) !== undefined;
  }

  /**
   * Overwrites the file in place with random bytes of its length (opened without truncating and
   * never through a symlink, so the writes land on the file's own blocks), flushes it, then
   * unlinks it and flushes the folder. An entry that is not a regular file is only removed: never
   * write through a symlink (it may lead to a file outside the repository) or into a FIFO or
   * device. Best effort below the file system: an SSD's flash translation layer and copy-on-write
   * file systems (btrfs, ZFS, APFS) write the new bytes elsewhere, and snapshots keep the old ones.
   */
  async shred(ref: ObjectRef): Promise<void> {
    const file = this.pathOf(ref);
    let handle: fs.FileHandle | undefined;
    try {
      const opened = await openRegularFile(file, describeRef(ref), WRITE_FLAGS);
      handle = opened.handle;
      await overwriteWithRandom(handle, opened.size);
      await handle.sync();
    } catch (err) {
      const notRegular = err instanceof BackendError && err.code === 'invalid-object';
      if (!notRegular && errnoCode(err) !== 'ENOENT') throw toBackendError(err, describeRef(ref));
    } finally {
      await handle?.close();
    }
    await this.remove(ref);
    try {
      await syncDir(path.dirname(file));
    } catch (err) {
      // No folder, no name in it to make durable.
      if (errnoCode(err) !== 'ENOENT') throw toBackendError(err, describeRef(ref));
    }
  }

  /** Removes the repository folder and everything still in it. */
  async destroy(): Promise<void> {
    try {
      await fs.rm(this.root, { recursive: true, force: true });
    } catch (err) {
      throw toBackendError(err, `the repository folder ${this.root}`);
    }
  }

  async create(): Promise<void> {
    if (await this.exists()) {
      throw new BackendError('exists', `a Cairn repository already exists at ${this.root}`);
    }
    try {
      if ((await fs.stat(this.root).catch(() => undefined))?.isDirectory() === false) {
        throw new BackendError('exists', `${this.root} is a file, not a folder`);
      }
      await fs.mkdir(this.root, { recursive: true, mode: DIR_MODE });
      const entries = (await fs.readdir(this.root)).filter((name) => !OS_CLUTTER.has(name));
      // Folders of our own layout are accepted so that an interrupted create() can be retried.
      const foreign = entries.filter((name) => !(FOLDER_KINDS as readonly string[]).includes(name));
      if (foreign.length > 0) {
        throw new BackendError('exists', `${this.root} is not empty and holds no Cairn repository`);
      }
      for (const kind of FOLDER_KINDS) await fs.mkdir(path.join(this.root, kind), { recursive: true, mode: DIR_MODE });
      const dataDir = path.join(this.root, 'data');
      await Promise.all(SHARDS.map((s) => fs.mkdir(path.join(dataDir, s), { recursive: true, mode: DIR_MODE })));
      await syncDir(dataDir);
      await syncDir(this.root);
    } catch (err) {
      throw toBackendError(err, `the repository folder ${this.root}`);
    }
  }

  async close(): Promise<void> {
    // Every operation opens and closes its own file handles: nothing is held between calls.
  }

  /**
   * Removes `.tmp-*` files (left by a crash during a save) last modified more than `olderThanMs`
   * before `now`. Pass an age well above the longest save so that saves in progress are left
   * alone. Returns the number of files removed.
   */
  async cleanTemporaryFiles(olderThanMs: number, now = systemClock()): Promise<number> {
    const cutoff = now - olderThanMs;
    const dirs = [this.root, ...FOLDER_KINDS.map((k) => path.join(this.root, k))];
    const dataDir = path.join(this.root, 'data');
    for (const shard of await this.readDir(dataDir)) dirs.push(path.join(dataDir, shard));
    let removed = 0;
    for (const dir of dirs) {
      for (const name of await this.readDir(dir)) {
        if (!name.startsWith(TMP_PREFIX)) continue;
        const file = path.join(dir, name);
        try {
          const info = await fs.lstat(file);
          if (!info.isFile() || info.mtimeMs > cutoff) continue;
          await fs.unlink(file);
          removed++;
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw toBackendError(err, `the temporary file ${file}`);
        }
      }
    }
    return removed;
  }

  /** Writes `data` to a new file and flushes it to disk; recreates the object's folder if it went missing. */
  private async writeDurably(file: string, data: Uint8Array | readonly Uint8Array[], dir: string): Promise<void> {
    const handle = await this.createFile(file, dir);
    try {
      if (Array.isArray(data)) await writeAllParts(handle, data);
      else await handle.writeFile(data as Uint8Array);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Creates a new file (never opening an existing one) in `dir`; recreates `dir` if it went missing. */
  private async createFile(file: string, dir: string): Promise<fs.FileHandle> {
    try {
      return await fs.open(file, 'wx', FILE_MODE);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      await this.ensureFolder(dir);
      return await fs.open(file, 'wx', FILE_MODE);
    }
  }

  /** Moves `tmp` to `target` unless `target` exists (then fails with 'exists'); never replaces it. */
  private async moveIntoPlaceWithoutReplacing(tmp: string, target: string, ref: ObjectRef): Promise<void> {
    try {
      await fs.link(tmp, target);
      await fs.unlink(tmp);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') throw new BackendError('exists', `${describeRef(ref)} already exists`, { cause: err });
      if (!code || !NO_HARD_LINKS.has(code)) throw err;
    }
    // No hard links on this filesystem: check, then rename. A concurrent writer of the very same
    // object could slip in between, but objects are content-addressed, so both hold the same bytes.
    if ((await this.sizeIfPresent(target)) !== undefined) {
      throw new BackendError('exists', `${describeRef(ref)} already exists`);
    }
    await fs.rename(tmp, target);
  }

  /**
   * Recreates a missing kind or shard folder (some sync tools drop empty folders). Only folders
   * below rootDir are made: a missing rootDir (e.g. an unplugged drive) stays an error.
   */
  private async ensureFolder(dir: string): Promise<void> {
    const relative = path.relative(this.root, dir);
    let current = this.root;
    for (const part of relative.split(path.sep).filter(Boolean)) {
      current = path.join(current, part);
      try {
        await fs.mkdir(current, { mode: DIR_MODE });
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') {
          throw new BackendError('not-found', `the repository folder ${this.root} does not exist`, { cause: err });
        }
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
    }
  }

  /** Names in a folder, or none when the folder does not exist. */
  private async readDir(dir: string): Promise<string[]> {
    try {
      return await fs.readdir(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
      throw toBackendError(err, `the folder ${dir}`);
    }
  }

  /** The size of whatever entry stands at `file` (lstat: a symlink or FIFO counts, and is never followed or opened). */
  private async sizeIfPresent(file: string): Promise<number | undefined> {
    try {
      return (await fs.lstat(file)).size;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
      throw toBackendError(err, file);
    }
  }
}

/**
 * Reads `range` of an open file into a new buffer. A whole load (`exact` false) returns what
 * the file held up to its size at open (shorter if it shrank since); a ranged load fails
 * with code 'range' when the file ends first.
 */
async function readFully(
  handle: fs.FileHandle,
  ref: ObjectRef,
  range: { offset: number; length: number },
  exact: boolean,
): Promise<Buffer> {
  // allocUnsafeSlow: never a slice of Node's shared pool, and every byte is overwritten below.
  const buffer = Buffer.allocUnsafeSlow(range.length);
  let filled = 0;
  while (filled < range.length) {
    const { bytesRead } = await handle.read(buffer, filled, range.length - filled, range.offset + filled);
    if (bytesRead === 0) {
      if (!exact) return buffer.subarray(0, filled);
      assertRange(ref, (await handle.stat()).size, range);
      throw new BackendError('range', `${describeRef(ref)} ended before offset ${range.offset + range.length}`);
    }
    filled += bytesRead;
  }
  return buffer;
}

/** Pieces a shred writes at a time: a large object is overwritten without holding all of it in memory. */
const SHRED_PIECE = 1024 * 1024;

/** Writes `size` random bytes over the file from its start, a piece at a time (a write may be short). */
async function overwriteWithRandom(handle: fs.FileHandle, size: number): Promise<void> {
  for (let at = 0; at < size; ) {
    const piece = randomBytes(Math.min(SHRED_PIECE, size - at));
    for (let done = 0; done < piece.length; ) {
      const { bytesWritten } = await handle.write(piece, done, piece.length - done, at + done);
      if (bytesWritten <= 0) throw new BackendError('io', 'the file system accepted no bytes while overwriting');
      done += bytesWritten;
    }
    at += piece.length;
  }
}

/** Flushes a folder's entries (new names, renames) to disk. Windows cannot open folders for this. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some filesystems (certain network mounts) refuse fsync on a folder; the data itself is synced.
    if (errnoCode(err) !== 'EINVAL' && errnoCode(err) !== 'ENOTSUP') throw err;
  } finally {
    await handle.close();
  }
}

/**
 * A staged object: appends go to the end of a temporary file; `commit` flushes it and hands it
 * to `moveIntoPlace`, `discard` (or a failed commit) removes it.
 */
class LocalStagedObject implements StagedObject {
  private position = 0;
  private handle?: fs.FileHandle;

  constructor(
    private readonly kind: ObjectKind,
    private readonly file: string,
    handle: fs.FileHandle,
    private readonly moveIntoPlace: (id: string, file: string) => Promise<void>,
  ) {
    this.handle = handle;
  }

  async append(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const handle = this.openHandle();
    const parts = Array.isArray(data) ? data : [data as Uint8Array];
    try {
      this.position = await writeAllParts(handle, parts, this.position);
    } catch (err) {
      throw toBackendError(err, `a new ${this.kind} object`);
    }
  }

  async commit(id: string): Promise<void> {
    const handle = this.openHandle();
    this.handle = undefined;
    try {
      try {
        assertValidRef({ kind: this.kind, id });
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.moveIntoPlace(id, this.file);
    } catch (err) {
      await fs.rm(this.file, { force: true }).catch(() => {});
      throw toBackendError(err, describeRef({ kind: this.kind, id }));
    }
  }

  async discard(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => {});
    await fs.rm(this.file, { force: true }).catch(() => {});
  }

  private openHandle(): fs.FileHandle {
    if (!this.handle)
      throw new BackendError('io', `this staged ${this.kind} object was already committed or discarded`);
    return this.handle;
  }
}

/**
 * Writes the parts back to back from `position` with vectored writes, continuing after short
 * writes; returns the position after the last byte.
 */
async function writeAllParts(handle: fs.FileHandle, parts: readonly Uint8Array[], position = 0): Promise<number> {
  for (let i = 0; i < parts.length; ) {
    const group = parts.slice(i, i + 512);
    const expected = group.reduce((n, p) => n + p.length, 0);
    const { bytesWritten } = await handle.writev(group as Uint8Array[], position);
    if (bytesWritten < expected) {
      // Rare (signals, quotas): write the rest of this group plainly.
      const rest = Buffer.concat(group).subarray(bytesWritten);
      let done = 0;
      while (done < rest.length) {
        const r = await handle.write(rest, done, rest.length - done, position + bytesWritten + done);
        done += r.bytesWritten;
      }
    }
    position += expected;
    i += group.length;
  }
  return position;
}
