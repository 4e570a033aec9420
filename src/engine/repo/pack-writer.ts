/**
 * Collects stored blobs into packs of about `targetSize` bytes and streams each pack to the
 * backend as it fills (`Backend.stage`): blobs are appended in pieces of about APPEND_BYTES, so
 * a local folder's pack is written as it fills. (Remote storage holds a pack's appended pieces
 * until its commit: the S3 backend sends a pack whole, and the retrying wrapper keeps them to
 * send again after a dropped connection; the pieces are never copied, only kept.) A full pack gets its header and is
 * committed under the SHA-256 of its bytes (hashed as the blobs arrive); at most `maxUploads`
 * packs are being finished at once. Reports every saved pack so the caller can index it; a pack
 * is only reported after its commit completed, so an index never lists a pack that is not stored.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Backend, StagedObject } from '../backend/types.js';
import { type BlobType, encodePackHeader, type PackEntry } from '../format/pack.js';

export interface SavedPack {
  id: string;
  size: number;
  entries: PackEntry[];
}

/** Blobs are handed to the backend in appends of about this size (fewer, larger writes). */
const APPEND_BYTES = 1024 * 1024;
/** Appended bytes not yet written that a pack may hold before `add` waits for the writes. */
const MAX_UNWRITTEN = 4 * 1024 * 1024;

/** The pack being filled. Its appends run one after another on `writing`, which never rejects. */
interface OpenPack {
  staged: Promise<StagedObject>;
  writing: Promise<void>;
  failure?: unknown;
  hash: Hash;
  entries: PackEntry[];
  bytes: number;
  queued: Buffer[];
  queuedBytes: number;
  /** Bytes passed to appends that have not completed. */
  unwritten: number;
}

export class PackWriter {
  private pack?: OpenPack;
  private readonly finishing = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly backend: Backend,
    private readonly dataKey: Uint8Array,
    private readonly targetSize: number,
    private readonly onSaved: (pack: SavedPack) => void,
    private readonly maxUploads = 2,
  ) {}

  /**
   * Adds a stored blob (the caller must not change `stored` afterwards). Waits while
   * `maxUploads` packs are being finished or too many appended bytes wait for the disk, so
   * every caller feels the backpressure.
   */
  async add(type: BlobType, id: string, stored: Buffer, rawLength: number): Promise<void> {
    while (this.finishing.size >= this.maxUploads) await Promise.race(this.finishing);
    this.throwIfFailed();
    if (!this.pack) this.pack = this.openPack();
    const pack = this.pack;
    pack.entries.push({ type, id, offset: pack.bytes, length: stored.length, rawLength });
    pack.hash.update(stored);
    pack.queued.push(stored);
    pack.queuedBytes += stored.length;
    pack.bytes += stored.length;
    if (pack.bytes >= this.targetSize) {
      this.finishPack();
      return;
    }
    if (pack.queuedBytes >= APPEND_BYTES) this.appendQueued(pack);
    if (pack.unwritten > MAX_UNWRITTEN) await pack.writing;
    this.throwIfFailed();
  }

  /** Saves the partly filled pack, waits for every pack being finished, and rethrows the first failure. */
  async flush(): Promise<void> {
    if (this.pack) this.finishPack();
    while (this.finishing.size > 0) await Promise.allSettled([...this.finishing]);
    this.throwIfFailed();
  }

  /**
   * After a failure elsewhere: drops the pack being filled (its staged bytes are removed) and
   * waits for the packs being finished, so nothing is written after this resolves.
   */
  async abandon(): Promise<void> {
    const pack = this.pack;
    this.pack = undefined;
    if (pack) {
      await pack.writing;
      await pack.staged.then((staged) => staged.discard()).catch(() => undefined);
    }
    await Promise.allSettled([...this.finishing]);
  }

  private openPack(): OpenPack {
    const staged = this.backend.stage('data');
    const pack: OpenPack = {
      staged,
      writing: Promise.resolve(),
      hash: createHash('sha256'),
      entries: [],
      bytes: 0,
      queued: [],
      queuedBytes: 0,
      unwritten: 0,
    };
    pack.writing = staged.then(
      () => undefined,
      (err: unknown) => this.failed(pack, err),
    );
    return pack;
  }

  /** Queues an append of the blobs collected so far behind the pack's earlier appends. */
  private appendQueued(pack: OpenPack): void {
    const parts = pack.queued;
    const length = pack.queuedBytes;
    pack.queued = [];
    pack.queuedBytes = 0;
    pack.unwritten += length;
    pack.writing = pack.writing
      .then(async () => {
        if (pack.failure === undefined) await (await pack.staged).append(parts);
      })
      .catch((err: unknown) => this.failed(pack, err))
      .finally(() => {
        pack.unwritten -= length;
      });
  }

  /** Appends the header and commits the pack; the work is tracked in `finishing`. */
  private finishPack(): void {
    const pack = this.pack as OpenPack;
    this.pack = undefined;
    const header = encodePackHeader(this.dataKey, pack.entries);
    pack.hash.update(header);
    pack.queued.push(header);
    pack.queuedBytes += header.length;
    const size = pack.bytes + header.length;
    const id = pack.hash.digest('hex');
    this.appendQueued(pack);
    const job: Promise<void> = pack.writing
      .then(async () => {
        const staged = await pack.staged;
        if (pack.failure !== undefined) {
          await staged.discard();
          return;
        }
        await staged.commit(id);
        this.onSaved({ id, size, entries: pack.entries });
      })
      .catch((err: unknown) => this.failed(pack, err))
      .finally(() => this.finishing.delete(job));
    this.finishing.add(job);
  }

  private failed(pack: OpenPack, err: unknown): void {
    pack.failure ??= err;
    this.failure ??= err;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
