/**
 * S3Backend: a repository in a bucket of an S3-compatible store (AWS S3, Ceph RGW, MinIO, …),
 * below an optional key prefix; objects are laid out as in a local folder (layout.ts).
 *
 * How the contract (types.ts) maps onto S3:
 * - save: one PutObject (multipart above 32 MiB, upload.ts) with Content-MD5, and
 *   `If-None-Match: *` unless overwriting, so an existing object is never replaced (412 → 'exists').
 * - load: one GetObject (with Range for a range). The size the answer announces is checked
 *   against `maxLength` before any byte of the body is read; a refused body is dropped unread.
 * - stat: HeadObject. list: ListObjectsV2 over the kind's prefix, the next page asked for while
 *   the current one is handed out. remove: DeleteObject, which succeeds on a missing key.
 * - stage: the bytes are held in memory and uploaded on commit (staged.ts).
 * - cleanTemporaryFiles aborts old unfinished multipart uploads under the prefix; destroy deletes
 *   every object under the prefix (the bucket stays).
 * No request is retried here (client.ts): transient failures come out as 'unavailable' for the
 * retry wrapper. At most `connections` requests run at once; each holds a slot until its body
 * has been read, so a slow reader cannot make others wait inside the connection pool.
 */
import type {
  BucketLocationConstraint,
  ListMultipartUploadsCommandOutput,
  ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { systemClock } from '../../util/clock.js';
import { Budget } from '../../util/concurrency.js';
import { formatLocation } from '../location.js';
import type { S3Options, TransferOptions } from '../options.js';
import { assertRange, assertValidKind, describeRef } from '../refs.js';
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
import { discardBody, readBody } from './body.js';
import { connect, type S3Connection, type S3Endpoint } from './client.js';
import { errorFacts, isMissing, isNoSuchBucket, isUnexplained, toS3Error } from './errors.js';
import { KeyLayout } from './layout.js';
import { sdk } from './sdk.js';
import { S3StagedObject } from './staged.js';
import { type Slot, type UploadTarget, upload } from './upload.js';

const CONFIG: ObjectRef = { kind: 'config', id: 'config' };
/** The most keys DeleteObjects takes in one request. */
const DELETE_BATCH = 1000;

export class S3Backend implements Backend {
  readonly location: string;
  private readonly connection: S3Connection;
  private readonly layout: KeyLayout;
  private readonly bucket: string;
  /** `host:port` and `host:port/bucket`, for messages. */
  private readonly host: string;
  private readonly server: string;
  private readonly storageClass: string | undefined;
  private readonly slots: Budget;

  constructor(location: S3Endpoint, options: S3Options = {}, transfer: TransferOptions = {}) {
    this.layout = new KeyLayout(location.prefix);
    this.bucket = location.bucket;
    const prefix = this.layout.root.replace(/\/$/, '');
    this.location = formatLocation({ kind: 's3', ...location, prefix });
    const hostName = location.host.includes(':') ? `[${location.host}]` : location.host;
    this.host = `${hostName}:${location.port ?? (location.tls ? 443 : 80)}`;
    this.server = `${this.host}/${this.bucket}`;
    this.storageClass = options.storageClass || undefined;
    this.connection = connect(location, options, transfer);
    this.slots = new Budget(this.connection.connections);
  }

  async save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[], options?: SaveOptions): Promise<void> {
    const what = describeRef(ref);
    try {
      const parts = Array.isArray(data) ? data : [data as Uint8Array];
      await upload(this.target(ref, options?.overwrite ?? false), parts);
    } catch (err) {
      throw this.fail(err, 'save', what, ref.kind);
    }
  }

  async load(ref: ObjectRef, range?: { offset: number; length: number }, options: LoadOptions = {}): Promise<Buffer> {
    const what = describeRef(ref);
    try {
      const key = this.layout.keyOf(ref);
      if (!range) return await this.slot(() => this.getWhole(ref, key, options.maxLength));
      assertRange(ref, Number.POSITIVE_INFINITY, range); // the numbers themselves, before any request
      if (range.length === 0) {
        // "bytes=a-(a-1)" is no range: ask for the size instead.
        assertRange(ref, (await this.stat(ref)).size, range);
        return Buffer.alloc(0);
      }
      return await this.slot(() => this.getRange(ref, key, range, options.maxLength));
    } catch (err) {
      if (range && errorFacts(err).status === 416) {
        // Past the end: say by how much, as the other backends do.
        assertRange(ref, (await this.stat(ref)).size, range);
      }
      throw this.fail(err, 'load', what);
    }
  }

  async stat(ref: ObjectRef): Promise<{ size: number }> {
    const what = describeRef(ref);
    try {
      const key = this.layout.keyOf(ref);
      const answer = await this.head(key);
      return { size: answer.ContentLength ?? 0 };
    } catch (err) {
      throw this.fail(err, 'read the size of', what);
    }
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    assertValidKind(kind);
    if (kind === 'config') {
      const size = await this.configSize();
      if (size !== undefined) yield { kind, id: 'config', size };
      return;
    }
    const prefix = this.layout.kindPrefix(kind);
    const operation = `list the ${kind} objects in`;
    let next: Promise<ListObjectsV2CommandOutput> | undefined = this.listPage(prefix, operation);
    while (next) {
      const page: ListObjectsV2CommandOutput = await next;
      const token = page.IsTruncated ? page.NextContinuationToken : undefined;
      // The next page is on its way while this one is handed out. Its failure is marked as
      // handled now (it is thrown when awaited), so a consumer that takes its time over this page,
      // or stops early, never leaves an unhandled rejection behind.
      next = token ? this.listPage(prefix, operation, token) : undefined;
      next?.catch(() => {});
      for (const object of page.Contents ?? []) {
        const id = object.Key === undefined ? undefined : this.layout.idOf(kind, object.Key);
        if (id !== undefined) yield { kind, id, size: object.Size ?? 0 };
      }
    }
  }

  async remove(ref: ObjectRef): Promise<void> {
    const what = describeRef(ref);
    try {
      const key = this.layout.keyOf(ref);
      await this.slot(() => this.client.send(new (sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: key })));
    } catch (err) {
      // No bucket, no object: removing it has nothing left to do.
      if (isNoSuchBucket(err)) return;
      throw this.fail(err, 'remove', what);
    }
  }

  async stage(kind: ObjectKind): Promise<StagedObject> {
    assertValidKind(kind);
    return new S3StagedObject(kind, async (id, parts, md5s) => {
      const ref = { kind, id };
      try {
        await upload(this.target(ref, false), parts, md5s);
      } catch (err) {
        throw this.fail(err, 'save', describeRef(ref), kind);
      }
    });
  }

  async exists(): Promise<boolean> {
    return (await this.configSize()) !== undefined;
  }

  /**
   * Creates the bucket when it is missing. Refuses ('exists') where a config is, or where the
   * prefix holds objects that are not of a repository's layout; objects of the layout without a
   * config are taken for an interrupted create.
   */
  async create(): Promise<void> {
    if (await this.exists()) throw new BackendError('exists', `a Cairn repository already exists at ${this.location}`);
    let page: ListObjectsV2CommandOutput;
    try {
      page = await this.slot(() =>
        this.client.send(
          new (sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: this.layout.root, MaxKeys: 100 }),
        ),
      );
    } catch (err) {
      if (!isNoSuchBucket(err)) throw this.fail(err, 'look into', '');
      await this.createBucket();
      return;
    }
    if ((page.Contents ?? []).some((o) => !this.layout.isOurs(o.Key ?? ''))) {
      throw new BackendError('exists', `${this.location} is not empty and holds no Cairn repository`);
    }
  }

  /** Closes the pooled connections. Idempotent; a later call opens new ones. */
  async close(): Promise<void> {
    this.connection.destroy();
  }

  /**
   * Aborts the multipart uploads under the prefix (of objects of the layout) started more than
   * `olderThanMs` before `now`: what an interrupted large save leaves behind, invisible but
   * billed. Returns how many were aborted.
   */
  async cleanTemporaryFiles(olderThanMs: number, now = systemClock()): Promise<number> {
    const cutoff = now - olderThanMs;
    return this.abortUploads((initiated) => initiated <= cutoff, 'remove unfinished uploads in');
  }

  /** Deletes every object under the prefix (the whole bucket's contents when there is none), not the bucket. */
  async destroy(): Promise<void> {
    const operation = 'delete the repository in';
    try {
      await this.abortUploads(() => true, operation, true);
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await this.listPage(this.layout.root, operation, token);
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
        for (let i = 0; i < keys.length; i += DELETE_BATCH) await this.deleteBatch(keys.slice(i, i + DELETE_BATCH));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      if (isNoSuchBucket(err) || (err instanceof BackendError && err.code === 'not-found')) return;
      throw this.fail(err, operation, '');
    }
  }

  /** The bucket's location constraint: an empty one is us-east-1, Ceph RGW says 'default'. */
  async reportedRegion(): Promise<string | undefined> {
    try {
      const answer = await this.slot(() =>
        this.client.send(new (sdk().GetBucketLocationCommand)({ Bucket: this.bucket })),
      );
      const region = answer.LocationConstraint as string | undefined;
      if (!region) return 'us-east-1';
      return region === 'EU' ? 'eu-west-1' : region; // the legacy name of Ireland
    } catch (err) {
      throw this.fail(err, 'ask the region of', '');
    }
  }

  private get client() {
    return this.connection.client;
  }

  /** Runs a request in one of the `connections` slots (see the header). */
  private readonly slot: Slot = async (request) => {
    await this.slots.acquire(1);
    try {
      return await request();
    } finally {
      this.slots.release(1);
    }
  };

  private target(ref: ObjectRef, overwrite: boolean): UploadTarget {
    const key = this.layout.keyOf(ref);
    return {
      client: this.client,
      bucket: this.bucket,
      key,
      head: () => this.head(key),
      storageClass: ref.kind === 'data' ? this.storageClass : undefined,
      overwrite,
      connections: this.connection.connections,
      slot: this.slot,
    };
  }

  /** The BackendError for `err`; `saving` names the kind of an object being saved (for its storage class). */
  private fail(err: unknown, operation: string, what: string, saving?: ObjectKind): BackendError {
    return toS3Error(err, {
      server: this.server,
      host: this.host,
      bucket: this.bucket,
      operation,
      what,
      storageClass: saving === 'data' ? this.storageClass : undefined,
      secrets: this.connection.secrets,
    });
  }

  private async getWhole(ref: ObjectRef, key: string, maxLength: number | undefined): Promise<Buffer> {
    const answer = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: key }));
    const size = answer.ContentLength;
    try {
      if (size === undefined) throw new BackendError('io', `the server did not say the size of ${describeRef(ref)}`);
      assertWithinLimit(ref, size, maxLength);
    } catch (err) {
      discardBody(answer.Body);
      throw err;
    }
    return readBody(answer.Body, size, describeRef(ref));
  }

  private async getRange(
    ref: ObjectRef,
    key: string,
    range: { offset: number; length: number },
    maxLength: number | undefined,
  ): Promise<Buffer> {
    const last = range.offset + range.length - 1;
    const answer = await this.client.send(
      new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: key, Range: `bytes=${range.offset}-${last}` }),
    );
    const announced = answer.ContentLength;
    // "bytes FIRST-LAST/TOTAL"; a server that ignored the range sends the whole object (no Content-Range).
    const total = answer.ContentRange ? Number(/\/(\d+)$/.exec(answer.ContentRange)?.[1]) : announced;
    const partial = answer.ContentRange !== undefined;
    try {
      if (announced === undefined || total === undefined || !Number.isSafeInteger(total)) {
        throw new BackendError('io', `the server did not say the size of ${describeRef(ref)}`);
      }
      assertRange(ref, total, range);
      assertWithinLimit(ref, range.offset + range.length, maxLength, true);
      if (partial && announced !== range.length) {
        throw new BackendError('io', `the server sent ${announced} bytes for a range of ${range.length}`);
      }
    } catch (err) {
      discardBody(answer.Body);
      throw err;
    }
    const window = partial ? { skip: 0, length: range.length } : { skip: range.offset, length: range.length };
    return readBody(answer.Body, announced, describeRef(ref), window);
  }

  /**
   * HeadObject. A refusal to a HEAD has no body and so no reason (a wrong secret and a missing
   * permission are both a bare 403): the same key is then asked for with a GET to learn why.
   */
  private async head(key: string) {
    try {
      return await this.slot(() => this.client.send(new (sdk().HeadObjectCommand)({ Bucket: this.bucket, Key: key })));
    } catch (err) {
      if (!isUnexplained(err)) throw err;
      const explained = await this.slot(() =>
        this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: key, Range: 'bytes=0-0' })),
      ).then(
        (answer) => {
          discardBody(answer.Body);
          return err;
        },
        (why: unknown) => why,
      );
      throw explained;
    }
  }

  /** The config's size, or undefined when there is none (or no bucket). */
  private async configSize(): Promise<number | undefined> {
    try {
      const answer = await this.head(this.layout.keyOf(CONFIG));
      return answer.ContentLength ?? 0;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.fail(err, 'look for', describeRef(CONFIG));
    }
  }

  private async listPage(prefix: string, operation: string, token?: string): Promise<ListObjectsV2CommandOutput> {
    try {
      return await this.slot(() =>
        this.client.send(
          new (sdk().ListObjectsV2Command)({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
    } catch (err) {
      throw this.fail(err, operation, '');
    }
  }

  private async deleteBatch(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const answer = await this.slot(() =>
      this.client.send(
        new (sdk().DeleteObjectsCommand)({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    const failure = answer.Errors?.find((e) => e.Code !== 'NoSuchKey');
    if (failure) {
      throw Object.assign(new Error(failure.Message ?? 'UnknownError'), {
        name: failure.Code ?? 'Unknown',
        Code: failure.Code,
      });
    }
  }

  /** Aborts the multipart uploads under the prefix that `select` picks by start time; returns how many. */
  private async abortUploads(select: (initiated: number) => boolean, operation: string, all = false) {
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      let page: ListMultipartUploadsCommandOutput;
      do {
        page = await this.slot(() =>
          this.client.send(
            new (sdk().ListMultipartUploadsCommand)({
              Bucket: this.bucket,
              Prefix: this.layout.root,
              ...(keyMarker ? { KeyMarker: keyMarker } : {}),
              ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
            }),
          ),
        );
        for (const u of page.Uploads ?? []) {
          if (!u.Key || !u.UploadId || !(all || this.layout.isOurs(u.Key))) continue;
          if (!select(u.Initiated?.getTime() ?? Number.NEGATIVE_INFINITY)) continue;
          try {
            await this.slot(() =>
              this.client.send(
                new (sdk().AbortMultipartUploadCommand)({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }),
              ),
            );
            removed++;
          } catch (err) {
            // Finished or aborted by someone else meanwhile: nothing left to remove.
            if (errorFacts(err).code !== 'NoSuchUpload' && !isMissing(err)) throw err;
          }
        }
        keyMarker = page.NextKeyMarker;
        uploadIdMarker = page.NextUploadIdMarker;
      } while (page.IsTruncated);
    } catch (err) {
      if (isNoSuchBucket(err)) return removed; // no bucket, nothing left behind
      throw this.fail(err, operation, '');
    }
    return removed;
  }

  private async createBucket(): Promise<void> {
    const region = this.connection.region;
    try {
      await this.slot(() =>
        this.client.send(
          new (sdk().CreateBucketCommand)({
            Bucket: this.bucket,
            // us-east-1 is the one region that must not be named (AWS refuses it as a constraint).
            ...(region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
          }),
        ),
      );
    } catch (err) {
      const { code } = errorFacts(err);
      if (code === 'BucketAlreadyOwnedByYou') return;
      if (code === 'BucketAlreadyExists') {
        throw new BackendError(
          'permission',
          `the bucket name '${this.bucket}' is taken by another account at ${this.host}: choose another`,
          { cause: err },
        );
      }
      throw this.fail(err, 'create the bucket', `'${this.bucket}'`);
    }
  }
}
