/**
 * SftpBackend: a repository in a folder on an SSH server, over SFTP (OpenSSH's sftp-server or
 * internal-sftp, and other servers that keep SFTP v3's rename rule).
 *
 * Same layout as LocalBackend (layout.ts). A save writes a `.tmp-<hex>` file in the target's
 * folder with pipelined requests, fsyncs it (`fsync@openssh.com`, when the server offers it),
 * closes it and renames it into place: with plain SFTP rename, which OpenSSH performs as a hard
 * link and so refuses to replace an existing object (exactly one of racing saves wins); with
 * `posix-rename@openssh.com` when `overwrite` asks to replace (config, lock refreshes). Loads
 * lstat first — only regular files are opened, so a FIFO can never stall the server, and the
 * caller's `maxLength` is checked before a byte is read — then read pipelined. `shred` writes
 * random bytes over a file in place before removing it (overwrite.ts).
 *
 * Requests go over one connection (connection.ts), opened on first use and opened again on the
 * next call after it was lost; `transfer.connections` calls run at once, the rest wait their turn.
 * Nothing is retried here (a retry wrapper does that) and nothing is throttled (likewise).
 * Round trips are what make SFTP slow, so none is spent on checks the server makes anyway:
 * folders are made once by `create()` and again only when a write finds one missing.
 */
import path from 'node:path';
import { systemClock } from '../../util/clock.js';
import { Budget, mapLimit } from '../../util/concurrency.js';
import { formatLocation } from '../location.js';
import type { SftpOptions, TransferOptions } from '../options.js';
import { assertRange, assertValidKind, describeRef, isValidId } from '../refs.js';
import { notRegularFileError } from '../regular-file.js';
import { assertWithinLimit } from '../size-limit.js';
import {
  type Backend,
  BackendError,
  type LoadOptions,
  type ObjectInfo,
  type ObjectKind,
  type ObjectRef,
  type SaveOptions,
  type StagedObject,
} from '../types.js';
import { SftpConnection } from './connection.js';
import { SFTP_STATUS, serverName, toSftpError } from './errors.js';
import {
  describeMode,
  FOLDER_KINDS,
  isFolder,
  isRegularFile,
  normalizeRoot,
  OS_CLUTTER,
  objectPath,
  SHARD_NAME,
  SHARDS,
  stagingFolder,
  TMP_PREFIX,
  temporaryPath,
} from './layout.js';
import { shredFile } from './overwrite.js';
import { createFile, explainFailure, finishFile, moveIntoPlace, replaceWith } from './placement.js';
import {
  isStatus,
  lstatIfPresent,
  makeFolder,
  makeFolderPath,
  readdirIfPresent,
  removeContents,
  removeFile,
  removeTree,
  TREE_CONCURRENCY,
} from './remote-tree.js';
import type { SftpSession } from './session.js';
import { SftpStagedObject, type StagingHost } from './staged.js';
import { PipelinedWriter, readPipelined } from './transfer.js';

/** Calls at once when `transfer.connections` is not set (as TransferOptions documents). */
const DEFAULT_CONNECTIONS = 4;
/**
 * Shard folders listed per batch (one request slot each batch, all of its folders read at once)
 * when listing data objects. Every backup and restore lists them, so the 256 folders take two
 * batches of two round trips each (SftpSession.readdir); 32 at a time took 8 waves.
 */
const LIST_BATCH = 128;

export class SftpBackend implements Backend {
  readonly location: string;
  /** The repository folder on the server. */
  readonly root: string;
  /** `user@host:port`, as messages name the server. */
  readonly server: string;
  private readonly connection: SftpConnection;
  /** Calls running at once (`transfer.connections`); each is pipelined within itself. */
  private readonly slots: Budget;
  private readonly staging: StagingHost;

  constructor(
    location: { user: string; host: string; port: number; path: string },
    options: SftpOptions = {},
    transfer: TransferOptions = {},
  ) {
    const { user, host, port } = location;
    this.root = normalizeRoot(location.path);
    this.location = formatLocation({ kind: 'sftp', user, host, port, path: this.root });
    this.server = serverName(location);
    this.connection = new SftpConnection({ user, host, port }, options);
    this.slots = new Budget(Math.max(1, Math.floor(transfer.connections || DEFAULT_CONNECTIONS)));
    this.staging = {
      runOn: (session, doing, what, fn) => this.runOn(session, doing, what, fn),
      finish: (session, handle) => finishFile(session, handle),
      moveIntoPlace: (session, file, kind, id) => moveIntoPlace(session, this, file, { kind, id }),
      removeQuietly: (session, file) =>
        removeFile(session, file).then(
          () => {},
          () => {},
        ),
    };
  }

  async save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[], options: SaveOptions = {}): Promise<void> {
    const target = objectPath(this.root, ref);
    const what = describeRef(ref);
    const parts = Array.isArray(data) ? (data as readonly Uint8Array[]) : [data as Uint8Array];
    const doing = `saving ${what}`;
    await this.run(doing, what, async (session) => {
      const folder = path.posix.dirname(target);
      const tmp = temporaryPath(folder);
      const handle = await createFile(session, this, tmp, folder);
      // Closed exactly once: the server reuses handle values, so a second close could hit another file.
      let handleOpen = true;
      try {
        const writer = new PipelinedWriter(session, handle);
        await writer.write(parts);
        await writer.flush();
        handleOpen = false;
        await finishFile(session, handle);
        if (options.overwrite) await replaceWith(session, tmp, target);
        else await moveIntoPlace(session, this, tmp, ref);
      } catch (err) {
        if (handleOpen) session.closeQuietly(handle);
        // Asked before the partial file is removed, which would free the space again.
        const explained = await explainFailure(session, this, err, doing);
        await removeFile(session, tmp).catch(() => {});
        throw explained;
      }
    });
  }

  async load(ref: ObjectRef, range?: { offset: number; length: number }, options: LoadOptions = {}): Promise<Buffer> {
    const file = objectPath(this.root, ref);
    const what = describeRef(ref);
    if (range) assertRange(ref, Number.POSITIVE_INFINITY, range); // the numbers themselves, before any request
    return this.run(`loading ${what}`, what, async (session) => {
      const size = await this.regularFileSize(session, file, what);
      const wanted = range ?? { offset: 0, length: size };
      if (range) {
        assertRange(ref, size, range);
        assertWithinLimit(ref, range.offset + range.length, options.maxLength, true);
      } else {
        assertWithinLimit(ref, size, options.maxLength);
      }
      if (wanted.length === 0) return Buffer.alloc(0);
      const handle = await session.open(file, 'r');
      try {
        // allocUnsafeSlow: never a slice of Node's shared pool, and every byte returned is overwritten.
        const buffer = Buffer.allocUnsafeSlow(wanted.length);
        const filled = await readPipelined(session, handle, buffer, wanted.offset);
        if (filled === wanted.length) return buffer;
        // The file shrank since the lstat: a whole load returns what is there, a range cannot.
        if (!range) return buffer.subarray(0, filled);
        throw new BackendError('range', `${what} ended before offset ${range.offset + range.length}`);
      } finally {
        session.closeQuietly(handle); // nothing to wait for after reads
      }
    });
  }

  async stat(ref: ObjectRef): Promise<{ size: number }> {
    const file = objectPath(this.root, ref);
    const what = describeRef(ref);
    return this.run(`checking ${what}`, what, async (session) => ({
      size: await this.regularFileSize(session, file, what),
    }));
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    assertValidKind(kind);
    const doing = `listing the ${kind} objects`;
    const what = `the ${kind} folder`;
    if (kind === 'config') {
      const info = await this.run(doing, what, (s) => lstatIfPresent(s, `${this.root}/config`));
      if (info) yield { kind, id: 'config', size: info.size };
      return;
    }
    const folder = `${this.root}/${kind}`;
    const top = await this.run(doing, what, (s) => readdirIfPresent(s, folder));
    if (kind !== 'data') {
      // Stray files and `.tmp-*` leftovers have no valid id and are skipped; an entry with a
      // valid name that is not a regular file is listed, so reading it reports the damage.
      for (const entry of top)
        if (isValidId(kind, entry.filename)) yield { kind, id: entry.filename, size: entry.attrs.size };
      return;
    }
    const shards = top.filter((e) => SHARD_NAME.test(e.filename)).map((e) => `${folder}/${e.filename}`);
    for (let i = 0; i < shards.length; i += LIST_BATCH) {
      const batch = shards.slice(i, i + LIST_BATCH);
      // The slot is held while a batch is read, never while the caller consumes what is yielded.
      const lists = await this.run(doing, what, (s) =>
        mapLimit(batch, s.handlesAtOnce(LIST_BATCH), (f) => readdirIfPresent(s, f)),
      );
      for (const entries of lists) {
        for (const entry of entries) {
          if (isValidId(kind, entry.filename)) yield { kind, id: entry.filename, size: entry.attrs.size };
        }
      }
    }
  }

  async remove(ref: ObjectRef): Promise<void> {
    const file = objectPath(this.root, ref);
    const what = describeRef(ref);
    await this.run(`removing ${what}`, what, async (session) => {
      await removeFile(session, file);
    });
  }

  /** Overwrites the file on the server in place with random bytes, flushes it, then removes it (overwrite.ts). */
  async shred(ref: ObjectRef): Promise<void> {
    const file = objectPath(this.root, ref);
    const what = describeRef(ref);
    await this.run(`erasing ${what}`, what, (session) => shredFile(session, file));
  }

  async stage(kind: ObjectKind): Promise<StagedObject> {
    const folder = stagingFolder(this.root, kind);
    const what = `a new ${kind} object`;
    return this.run(`starting ${what}`, what, async (session) => {
      const tmp = temporaryPath(folder);
      const handle = await createFile(session, this, tmp, folder);
      return new SftpStagedObject(this.staging, session, kind, tmp, handle);
    });
  }

  async exists(): Promise<boolean> {
    const config = `${this.root}/config`;
    return this.run('looking for a repository', 'the repository config', async (session) => {
      return (await lstatIfPresent(session, config)) !== undefined;
    });
  }

  async create(): Promise<void> {
    const root = this.root;
    await this.run('creating the repository', `the repository folder ${root}`, async (session) => {
      if ((await lstatIfPresent(session, `${root}/config`)) !== undefined) {
        throw new BackendError('exists', `a Cairn repository already exists at ${this.location}`);
      }
      // stat, not lstat: the root itself may well be reached through a symlink (NAS volumes often are).
      const rootInfo = await session.stat(root).catch((err: unknown) => {
        if (isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) return undefined;
        throw err;
      });
      if (rootInfo && !isFolder(rootInfo.mode)) {
        throw new BackendError('exists', `${root} on sftp server ${this.server} is a file, not a folder`);
      }
      if (!rootInfo) await makeFolderPath(session, root);
      // Folders of our own layout are accepted so that an interrupted create() can be retried.
      const foreign = (await session.readdir(root))
        .map((e) => e.filename)
        .filter((name) => !OS_CLUTTER.has(name) && !(FOLDER_KINDS as readonly string[]).includes(name));
      if (foreign.length > 0) {
        throw new BackendError(
          'exists',
          `${root} on sftp server ${this.server} is not empty and holds no Cairn repository`,
        );
      }
      await mapLimit(FOLDER_KINDS, FOLDER_KINDS.length, (kind) => makeFolder(session, `${root}/${kind}`));
      await mapLimit(SHARDS, TREE_CONCURRENCY, (shard) => makeFolder(session, `${root}/data/${shard}`));
    });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Removes `.tmp-*` files (left by interrupted saves and staged objects) last modified more than
   * `olderThanMs` before `now`. The server reports whole seconds, so a file counts as modified at
   * the end of its second: one is never removed younger than asked. Returns how many were removed.
   */
  async cleanTemporaryFiles(olderThanMs: number, now = systemClock()): Promise<number> {
    const cutoff = now - olderThanMs;
    const root = this.root;
    return this.run('removing leftover temporary files', `the repository folder ${root}`, async (session) => {
      const folders = [root, ...FOLDER_KINDS.map((kind) => `${root}/${kind}`)];
      const shards = await readdirIfPresent(session, `${root}/data`);
      for (const shard of shards) if (SHARD_NAME.test(shard.filename)) folders.push(`${root}/data/${shard.filename}`);
      const listed = await mapLimit(folders, TREE_CONCURRENCY, (folder) => readdirIfPresent(session, folder));
      const old = listed.flatMap((entries, i) =>
        entries
          .filter((e) => e.filename.startsWith(TMP_PREFIX) && isRegularFile(e.attrs.mode))
          .filter((e) => (e.attrs.mtime + 1) * 1000 <= cutoff)
          .map((e) => `${folders[i]}/${e.filename}`),
      );
      const removed = await mapLimit(old, TREE_CONCURRENCY, (file) => removeFile(session, file));
      return removed.filter(Boolean).length;
    });
  }

  /** Removes the repository folder with everything in it (never following a symlink inside). */
  async destroy(): Promise<void> {
    if (this.root === '/')
      throw new BackendError('permission', `refusing to remove the whole of sftp server ${this.server}`);
    const root = this.root;
    await this.run('removing the repository', `the repository folder ${root}`, async (session) => {
      const info = await lstatIfPresent(session, root);
      if (info === undefined) return;
      if (isFolder(info.mode)) return removeTree(session, root);
      // A root reached through a symlink: the repository is what it leads to, then the link goes.
      await removeContents(session, root);
      await removeFile(session, root);
    });
  }

  /** Runs `fn` on the live session (connecting if needed) holding a slot; maps every failure. */
  private async run<T>(doing: string, what: string, fn: (session: SftpSession) => Promise<T>): Promise<T> {
    await this.slots.acquire(1);
    try {
      let session: SftpSession;
      try {
        session = await this.connection.get();
      } catch (err) {
        throw toSftpError(err, { server: this.server, doing, what }, false);
      }
      return await this.attempt(session, doing, what, () => fn(session));
    } finally {
      this.slots.release(1);
    }
  }

  /** Runs `fn` on a given session (a staged object's) holding a slot; maps every failure. */
  private async runOn<T>(session: SftpSession, doing: string, what: string, fn: () => Promise<T>): Promise<T> {
    await this.slots.acquire(1);
    try {
      return await this.attempt(session, doing, what, fn);
    } finally {
      this.slots.release(1);
    }
  }

  private async attempt<T>(session: SftpSession, doing: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toSftpError(await explainFailure(session, this, err, doing), { server: this.server, doing, what }, true);
    }
  }

  /** The size of the regular file at `file`; anything else stored there is refused (lstat: a symlink is never followed). */
  private async regularFileSize(session: SftpSession, file: string, what: string): Promise<number> {
    const info = await session.lstat(file);
    if (!isRegularFile(info.mode)) throw notRegularFileError(what, describeMode(info.mode));
    return info.size;
  }
}
