/**
 * Collects stored blobs into packs of about `targetSize` bytes and saves each pack, at most
 * `maxUploads` at once. Reports every saved pack so the caller can index it; a pack is only
 * reported after its save completed, so an index never lists a pack that is not stored.
 */
import { createHash } from 'node:crypto';
import type { Backend } from '../backend/types.js';
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

  /**
   * Adds a stored blob. Waits first while `maxUploads` packs are being saved, so every caller
   * feels the backpressure and memory stays at about (maxUploads + 1) × targetSize.
   */
  async add(type: BlobType, id: string, stored: Buffer, rawLength: number): Promise<void> {
    while (this.uploads.size >= this.maxUploads) await Promise.race(this.uploads);
    this.throwIfFailed();
    this.entries.push({ type, id, offset: this.bytes, length: stored.length, rawLength });
    this.parts.push(stored);
    this.bytes += stored.length;
    if (this.bytes >= this.targetSize) this.finishPack();
  }

  /** Saves the partly filled pack, waits for every upload, and rethrows the first failure. */
  async flush(): Promise<void> {
    if (this.entries.length > 0) this.finishPack();
    while (this.uploads.size > 0) await Promise.allSettled([...this.uploads]);
    this.throwIfFailed();
  }

  /** Seals the header and starts saving the pack; the upload is tracked in `uploads`. */
  private finishPack(): void {
    const entries = this.entries;
    const parts = this.parts;
    parts.push(encodePackHeader(this.dataKey, entries));
    this.entries = [];
    this.parts = [];
    this.bytes = 0;
    const hash = createHash('sha256');
    let size = 0;
    for (const part of parts) {
      hash.update(part);
      size += part.length;
    }
    const id = hash.digest('hex');
    const upload: Promise<void> = this.backend
      .save({ kind: 'data', id }, parts)
      .then(
        () => this.onSaved({ id, size, entries }),
        (err: unknown) => {
          this.failure ??= err;
        },
      )
      .finally(() => this.uploads.delete(upload));
    this.uploads.add(upload);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
