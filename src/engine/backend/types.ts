/**
 * The storage backend interface: the only way the engine touches where a repository lives.
 *
 * A backend stores opaque, already-encrypted byte strings under names made of a kind and an id.
 * It knows nothing of the format. Every backend (local directory, in-memory, SFTP, S3)
 * passes the same conformance suite in `test/backends/conformance.ts`.
 *
 * Contract, for every implementation:
 * - `save` is atomic: a reader sees either no object or the whole object, never a partial one,
 *   also after a crash or power loss half-way (write to a temporary name, flush, rename).
 *   Saving an object that already exists with the same name fails with `AlreadyExistsError` unless
 *   `overwrite` is set; objects are immutable in normal operation (only `config` is rewritten).
 * - `load` returns the whole object, or `length` bytes from `offset` when given. Reading past the
 *   end fails with `RangeError`-like `BackendError` (code 'range'). A missing object fails with
 *   `NotFoundError`. An object larger than `maxLength` (or a range ending beyond it) fails with
 *   'invalid-object' before its bytes are read; so does anything stored under the name that is
 *   not an object (a FIFO, a symlink, a folder), without blocking.
 * - `stat` returns the size, or fails with `NotFoundError`.
 * - `list` yields every object of a kind, in no particular order, each once.
 * - `remove` is idempotent: removing a missing object succeeds.
 * - `stage` starts an object that is written piece by piece and named only at the end (a pack,
 *   whose name is the hash of its bytes): see `StagedObject`. Until `commit` it is invisible to
 *   `load`, `stat` and `list`; a crash leaves at most an invisible leftover.
 * - Errors are `BackendError`s carrying a `code` ('not-found', 'exists', 'range', 'no-space',
 *   'permission', 'io', 'invalid-object') and a message fit to show a user; the original error is kept as `cause`.
 */

/** The kinds of objects a repository stores; each maps to a folder (or key prefix). */
export type ObjectKind = 'config' | 'keys' | 'data' | 'index' | 'snapshots' | 'locks';

export const OBJECT_KINDS: readonly ObjectKind[] = ['config', 'keys', 'data', 'index', 'snapshots', 'locks'];

/** Names an object. For kind 'config' the id is always 'config'. Ids are lower-case hex (64 chars) or 'config'. */
export interface ObjectRef {
  kind: ObjectKind;
  id: string;
}

export interface ObjectInfo {
  kind: ObjectKind;
  id: string;
  size: number;
}

export interface LoadOptions {
  /**
   * The largest object (or range end) the caller accepts: a larger one fails with
   * 'invalid-object' before any of its bytes are read (the repository passes each kind's cap).
   */
  maxLength?: number;
}

export interface SaveOptions {
  /** Replace an existing object (only used for 'config' and lock refreshes). */
  overwrite?: boolean;
}

/**
 * An object being written in pieces (`Backend.stage`). Calls must not overlap: each `append`
 * resolves before the next call. The caller must not change a buffer it passed to `append` until
 * the staged object is finished (`commit` or `discard` has resolved): a retrying wrapper
 * (retrying-backend.ts) keeps the buffers by reference and sends them again to a fresh staged
 * object after a transient failure. The pack writer never reuses a buffer it appended.
 */
export interface StagedObject {
  /** Adds bytes after those appended before; `data` may be given in parts. After a failed append, only `discard` is of use. */
  append(data: Uint8Array | readonly Uint8Array[]): Promise<void>;
  /**
   * Makes everything appended visible as `{ kind, id }`, atomically and durably, as `save` does
   * without `overwrite` (fails with 'exists' when the object is already there, leaving it as it
   * was). The staged object is finished afterwards, whether the commit succeeded or not.
   */
  commit(id: string): Promise<void>;
  /** Drops the bytes appended so far. Idempotent; also allowed after `commit`. */
  discard(): Promise<void>;
}

export interface Backend {
  /** Human-readable location, e.g. `/mnt/drive/cairn` or `memory:`; never contains secrets. */
  readonly location: string;
  /** `data` may be given in parts (e.g. the blobs of a pack), stored back to back without copying. */
  save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[], options?: SaveOptions): Promise<void>;
  load(ref: ObjectRef, range?: { offset: number; length: number }, options?: LoadOptions): Promise<Buffer>;
  stat(ref: ObjectRef): Promise<{ size: number }>;
  list(kind: ObjectKind): AsyncIterable<ObjectInfo>;
  remove(ref: ObjectRef): Promise<void>;
  /** Starts an object of `kind` to be written piece by piece (see the contract above). */
  stage(kind: ObjectKind): Promise<StagedObject>;
  /** True when a repository seems to live here (a `config` object exists). */
  exists(): Promise<boolean>;
  /** Prepares an empty location (creates folders). Fails with code 'exists' if a config is already there. */
  create(): Promise<void>;
  /** Releases connections, file handles. Idempotent. */
  close(): Promise<void>;
  /**
   * Optional (removed key slots, erasing everything): overwrites the object's stored bytes in
   * place with random bytes of the same length and flushes them, then removes it — where the
   * storage lets a file be written in place (local folders, SFTP). Idempotent like `remove`;
   * anything under the name that is not a regular file is only removed, never written through.
   * Best effort: SSDs, copy-on-write file systems (btrfs, ZFS, APFS) and snapshots may keep the
   * old blocks. S3 has none: a PUT over an object stores new bytes beside the old ones (kept as a
   * version in a versioned bucket), so it would add a copy, not destroy one. Backends without it
   * are erased with `remove`.
   */
  shred?(ref: ObjectRef): Promise<void>;
  /**
   * Optional: `load` of a whole object and `list`'s ids, synchronously, with the same checks, for
   * backends that keep objects as local files. For work that must start before the process does
   * anything asynchronous: the CLI starts deriving a key slot's key while its modules load.
   */
  loadSync?(ref: ObjectRef, options?: LoadOptions): Buffer;
  listSync?(kind: ObjectKind): string[];
  /**
   * Optional: removes what interrupted saves and staged objects left behind (invisible
   * leftovers) last written more than `olderThanMs` before `now` (wall-clock milliseconds,
   * default: the system clock); returns how many were removed.
   */
  cleanTemporaryFiles?(olderThanMs: number, now?: number): Promise<number>;
  /** Optional (erasure): removes the repository location itself with everything left in it. */
  destroy?(): Promise<void>;
  /**
   * Optional (remote storage): the region the storage itself reports (an S3 bucket's location
   * constraint, e.g. 'eu-central-1'), or undefined when it reports none.
   */
  reportedRegion?(): Promise<string | undefined>;
  /**
   * Optional (remote storage): ends the pauses between retries under way, so the calls waiting in
   * them fail at once with their last error. Called when the work they belong to is cancelled:
   * a backup cancelled while the storage is down stops now, not after the retry budget.
   */
  interruptRetries?(): void;
}

/**
 * `invalid-object`: what is stored under an object's name cannot be an object Cairn wrote (not a
 * regular file, or larger than its kind's cap); it holds nobody's data, unlike an 'io' failure.
 */
/**
 * Remote storage adds three codes. `unavailable`: the storage could not be reached or answered
 * with a transient failure (name not resolved, connection refused or reset, timeout, a 5xx or a
 * throttling answer); worth retrying later, and the message names the server, the operation and
 * the reason. `auth`: the server refused the credentials. `host-key`: an SSH server's key is not
 * the one known for it (see `BackendError.hostKey`).
 */
export type BackendErrorCode =
  | 'not-found'
  | 'exists'
  | 'range'
  | 'no-space'
  | 'permission'
  | 'io'
  | 'invalid-object'
  | 'unavailable'
  | 'auth'
  | 'host-key';

/** An SSH host key that was refused: never seen for this host ('unknown') or different from the one known ('changed'). */
export interface RefusedHostKey {
  host: string;
  port: number;
  status: 'unknown' | 'changed';
  /** The key's fingerprint as OpenSSH prints it: `SHA256:` and unpadded base64. */
  fingerprint: string;
  /** The key's algorithm, e.g. 'ssh-ed25519'. */
  algorithm: string;
}

export class BackendError extends Error {
  readonly code: BackendErrorCode;
  /** Set with code 'host-key'. */
  readonly hostKey?: RefusedHostKey;
  constructor(code: BackendErrorCode, message: string, options?: { cause?: unknown; hostKey?: RefusedHostKey }) {
    super(message, options);
    this.name = 'BackendError';
    this.code = code;
    if (options?.hostKey) this.hostKey = options.hostKey;
  }
}

/** True for failures worth retrying after a pause (code 'unavailable'). */
export function isTransient(err: unknown): boolean {
  return err instanceof BackendError && err.code === 'unavailable';
}

export function isNotFound(err: unknown): boolean {
  return err instanceof BackendError && err.code === 'not-found';
}
