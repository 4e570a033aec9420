/**
 * A staged object for S3: the appended bytes are kept in memory and sent in one go on commit
 * (S3 has no append, and a multipart upload needs parts of 5 MiB or more, which appends are
 * not). Packs are at most 128 MiB, 16 MiB by default, so holding one is affordable; a crash
 * leaves nothing on the server, or at most an unfinished multipart upload, which is invisible
 * and which `cleanTemporaryFiles` aborts.
 *
 * Each append is copied, once, into a few growing blocks: the contract lets the caller reuse a
 * buffer as soon as `append` resolves (types.ts, StagedObject), so a reference would not do.
 * The copy is also hashed there and then, one MD5 per upload part, so `commit` starts sending at
 * once instead of making another pass over every byte.
 */
import { createHash, type Hash } from 'node:crypto';
import { assertValidRef } from '../refs.js';
import { BackendError, type ObjectKind, type StagedObject } from '../types.js';
import { PART_SIZE } from './upload.js';

const KiB = 1024;
const FIRST_BLOCK = 256 * KiB;
const LARGEST_BLOCK = 8 * 1024 * KiB;

/** Sends the parts (back to back) as `id`, given the MD5 of each PART_SIZE piece. */
export type CommitStaged = (id: string, parts: readonly Uint8Array[], md5s: readonly string[]) => Promise<void>;

export class S3StagedObject implements StagedObject {
  /** Filled blocks, then the one being filled (`current`, `used` bytes of it). */
  private blocks: Buffer[] = [];
  private current: Buffer | undefined;
  private used = 0;
  private size = 0;
  private hash: Hash = createHash('md5');
  private hashed = 0;
  private md5s: string[] = [];
  private finished = false;

  constructor(
    private readonly kind: ObjectKind,
    private readonly send: CommitStaged,
  ) {}

  async append(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    this.assertOpen();
    for (const part of Array.isArray(data) ? data : [data as Uint8Array]) this.copyIn(part);
  }

  async commit(id: string): Promise<void> {
    this.assertOpen();
    this.finished = true;
    try {
      assertValidRef({ kind: this.kind, id });
      if (this.hashed > 0 || this.md5s.length === 0) this.md5s.push(this.hash.digest('base64'));
      if (this.current && this.used > 0) this.blocks.push(this.current.subarray(0, this.used));
      await this.send(id, this.blocks, this.md5s);
    } finally {
      this.release();
    }
  }

  async discard(): Promise<void> {
    this.finished = true;
    this.release();
  }

  private copyIn(part: Uint8Array): void {
    let at = 0;
    while (at < part.byteLength) {
      if (!this.current || this.used === this.current.length) this.nextBlock(part.byteLength - at);
      const block = this.current as Buffer;
      const take = Math.min(block.length - this.used, part.byteLength - at);
      const copy = block.subarray(this.used, this.used + take);
      copy.set(part.subarray(at, at + take));
      this.hashPiece(copy);
      this.used += take;
      at += take;
    }
    this.size += part.byteLength;
  }

  /** Blocks grow with the object (a small index file stays small), up to LARGEST_BLOCK. */
  private nextBlock(wanted: number): void {
    if (this.current) this.blocks.push(this.current);
    const capacity = Math.min(LARGEST_BLOCK, Math.max(FIRST_BLOCK, this.size, wanted));
    this.current = Buffer.allocUnsafeSlow(capacity);
    this.used = 0;
  }

  /** Feeds the per-part MD5s: a new hash starts at every PART_SIZE boundary. */
  private hashPiece(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.byteLength) {
      const take = Math.min(PART_SIZE - this.hashed, bytes.byteLength - at);
      this.hash.update(bytes.subarray(at, at + take));
      this.hashed += take;
      at += take;
      if (this.hashed === PART_SIZE) {
        this.md5s.push(this.hash.digest('base64'));
        this.hash = createHash('md5');
        this.hashed = 0;
      }
    }
  }

  private release(): void {
    this.blocks = [];
    this.current = undefined;
    this.used = 0;
  }

  private assertOpen(): void {
    if (this.finished) {
      throw new BackendError('io', `this staged ${this.kind} object was already committed or discarded`);
    }
  }
}
