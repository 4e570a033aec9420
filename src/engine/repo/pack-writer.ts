/**
 * Collects stored blobs into packs of about `targetSize` bytes and saves each pack, at most
 * `maxUploads` at once. Reports every saved pack so the caller can index it; a pack is only
 * reported after its save completed, so an index never lists a pack that is not stored.
 */
import type { Backend } from '../backend/types.js';
import { sha256Hex } from '../crypto/ids.js';
import { type BlobType, encodePackHeader, type PackEntry } from '../format/pack.js';

export interface SavedPack {
  id: string;
  size: number;
  entries: PackEntry[];
}

export class PackWriter {
  private parts: Buffer[] = [];
  private entries: PackEntry[] = [];
  private bytes = 0;
  private readonly uploads = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly backend: Backend,
    private readonly dataKey: Uint8Array,
    private readonly targetSize: number,
    private readonly onSaved: (pack: SavedPack) => void,
    private readonly maxUploads = 2,
  ) {}

  /** Bytes held in the pack being filled. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Adds a stored blob; resolves once there is room (backpressure from uploads). */
  async add(type: BlobType, id: string, stored: Buffer, rawLength: number): Promise<void> {
    this.throwIfFailed();
    this.entries.push({ type, id, offset: this.bytes, length: stored.length, rawLength });
    this.parts.push(stored);
    this.bytes += stored.length;
    if (this.bytes >= this.targetSize) await this.finishPack();
  }

  /** Saves the partly filled pack, waits for every upload, and rethrows the first failure. */
  async flush(): Promise<void> {
    if (this.entries.length > 0) await this.finishPack();
    while (this.uploads.size > 0) await Promise.allSettled([...this.uploads]);
    this.throwIfFailed();
  }

  private async finishPack(): Promise<void> {
    const entries = this.entries;
    const parts = this.parts;
    parts.push(encodePackHeader(this.dataKey, entries));
    this.entries = [];
    this.parts = [];
    this.bytes = 0;
    const pack = Buffer.concat(parts);
    const id = sha256Hex(pack);
    const upload = this.backend
      .save({ kind: 'data', id }, pack)
      .then(
        () => this.onSaved({ id, size: pack.length, entries }),
        (err: unknown) => {
          // An identical pack saved earlier (same blobs, same nonces) cannot occur; treat 'exists' as failure too.
          this.failure ??= err;
        },
      )
      .finally(() => this.uploads.delete(upload));
    this.uploads.add(upload);
    while (this.uploads.size >= this.maxUploads) await Promise.race(this.uploads);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
