/**
 * Reading new and changed files and handing their chunks over to be encoded and packed.
 *
 * A file that fits in one chunk is read on the main thread into one reusable buffer, named by its
 * keyed id and, when the repository lacks it, copied into a SealPool batch for a worker to encode
 * (zstd + AES-256-GCM); while the workers are busy the main thread encodes waiting batches itself.
 * A larger file goes to a worker whole, which reads, cuts (FastCDC), names and encodes it. Encoded
 * blobs go into packs in the background; their failure fails the backup at the next check.
 * Memory stays bounded: at most `READ_CONCURRENCY` large files are read at once, at most
 * `ENCODE_BUDGET` bytes of small blobs wait for encoding, and each worker's encoded output waiting
 * for a pack is capped (seal-pool.ts).
 *
 * This runs for every file read: the comments below say what it must not await or allocate.
 */
import type { Stats } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { blobId } from '../crypto/ids.js';
import { CairnError, describeError } from '../errors.js';
import { encodeBlob } from '../format/blob-codec.js';
import type { TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { Budget } from '../util/concurrency.js';
import { readSmallFile } from './read-small-file.js';
import type { SealPool } from './seal-pool.js';
import type { BackupTally } from './tally.js';

const READ_CONCURRENCY = 2;
const ENCODE_BUDGET = 16 * 1024 * 1024;
/** Small blobs encoded on the main thread before any worker is started (see storeSmallBlob). */
const INLINE_BLOBS = 64;
const INLINE_BLOB_BYTES = 256 * 1024;
/** The longest the walk runs before it lets the event loop take the workers' replies. */
const YIELD_MS = 2;

export class FileArchiver {
  private readonly readSlots = new Budget(READ_CONCURRENCY);
  private readonly encodeBudget = new Budget(ENCODE_BUDGET);
  /** Background writes not yet settled (see `track`); `drain` waits for none to be left. */
  private inFlight = 0;
  private onAllSettled?: () => void;
  private failure: unknown;
  private inlineBlobs = 0;
  private helping = false;
  /** performance.now() when the event loop last turned for the walk: pacing, not a date. */
  private lastYield = 0;
  /** The one buffer small files are read into (see readSmall). */
  private smallReadBuffer?: Buffer;

  constructor(
    private readonly repo: Repository,
    private readonly pool: SealPool,
    private readonly tally: BackupTally,
  ) {}

  /**
   * Reads and stores a new or changed file (the walk settles unchanged ones without reading them).
   * `fsPath` is its path as bytes when its name is not valid UTF-8 (`localPath` then shows it).
   */
  async archiveFile(
    localPath: string,
    name: string,
    stat: Stats,
    parentNode: TreeNode | undefined,
    fsPath: string | Buffer = localPath,
  ): Promise<TreeNode | undefined> {
    const node = fileNode(name, stat.mode & 0o7777, stat);
    const content: string[] = [];
    let size = 0;
    try {
      const small =
        stat.size <= this.repo.config.chunker.minSize ? await this.readSmall(localPath, stat.size, fsPath) : undefined;
      if (small) {
        size = small.size;
        if (small.id) content.push(small.id);
      } else {
        await this.readSlots.acquire(1);
        try {
          size = await this.pool.processFile(fsPath, (chunk, release) => {
            content.push(chunk.id);
            this.tally.progress(localPath, chunk.rawLength);
            if (chunk.stored && this.repo.claimBlob(chunk.id))
              this.storeEncoded(chunk.id, chunk.stored, chunk.rawLength, release);
            else release();
          });
        } finally {
          this.readSlots.release(1);
        }
      }
    } catch (err) {
      if (err instanceof CairnError || isAbort(err)) throw err;
      this.tally.warn(`${localPath}: ${describeError(err)}`);
      return undefined;
    }
    node.size = size;
    node.content = content;
    this.tally.readFile(localPath, size, parentNode !== undefined);
    return node;
  }

  /** Whether YIELD_MS have passed since the event loop last turned for the walk. */
  yieldDue(): boolean {
    return performance.now() - this.lastYield >= YIELD_MS;
  }

  /**
   * Lets the event loop turn, which the walk does whenever `yieldDue`: it otherwise runs as one
   * long chain of promise continuations, and the workers' replies (which return their memory
   * credit) wait.
   */
  async yieldNow(): Promise<void> {
    await nextTurn();
    this.lastYield = performance.now();
  }

  /** Waits until every chunk handed over is encoded and in a pack writer; throws the first failure. */
  async drain(): Promise<void> {
    await this.helpWhileBusy(() => false);
    while (this.inFlight > 0) await new Promise<void>((resolve) => (this.onAllSettled = resolve));
    this.throwIfFailed();
  }

  /**
   * Reads, names and (when new) hands over a file that fits in one chunk. The budget is taken
   * first, so that reading, naming and the hand-over (which copies the bytes) run without a pause
   * and one read buffer serves every file. Undefined when the file grew past one chunk.
   */
  private async readSmall(
    localPath: string,
    expectedSize: number,
    fsPath: string | Buffer,
  ): Promise<{ id?: string; size: number } | undefined> {
    // The common case takes no await at all: each would keep this file's frames alive a turn longer.
    if (this.yieldDue()) await this.yieldNow();
    if (!this.encodeBudget.tryAcquire(expectedSize)) {
      await this.helpWhileBusy(() => this.encodeBudget.available(expectedSize));
      await this.encodeBudget.acquire(expectedSize);
    }
    let handedOver = false;
    try {
      this.smallReadBuffer ??= Buffer.allocUnsafeSlow(this.repo.config.chunker.minSize + 1);
      const plain = readSmallFile(fsPath, expectedSize, this.smallReadBuffer);
      if (!plain) return undefined;
      if (plain.length === 0) return { size: 0 };
      const id = blobId(this.repo.keys.idKey, plain);
      if (this.repo.claimBlob(id)) {
        this.storeSmallBlob(id, plain, expectedSize);
        handedOver = true;
      }
      this.tally.progress(localPath, plain.length);
      return { id, size: plain.length };
    } finally {
      if (!handedOver) this.encodeBudget.release(expectedSize);
    }
  }

  /**
   * Hands a new small blob to a worker batch; the pack write completes in the background. The
   * first few are encoded right here while no worker runs yet: a backup of a handful of changed
   * files (a journal backup) then never waits for a worker thread to start.
   */
  private storeSmallBlob(id: string, plain: Buffer, budget: number): void {
    this.throwIfFailed();
    const rawLength = plain.length;
    const pool = this.pool;
    const release = () => this.encodeBudget.release(budget);
    if (!pool.started && this.inlineBlobs < INLINE_BLOBS && rawLength <= INLINE_BLOB_BYTES) {
      this.inlineBlobs++;
      this.track(this.addToPack(id, encodeBlob(this.repo.keys.dataKey, plain), rawLength), release);
      return;
    }
    this.track(
      pool.encode(plain).then((stored) => this.addToPack(id, stored, rawLength)),
      release,
    );
  }

  /** Takes a chunk a worker encoded into a pack; `release` returns the worker's credit after. */
  private storeEncoded(id: string, stored: Buffer, rawLength: number, release: () => void): void {
    this.track(this.addToPack(id, stored, rawLength), release);
  }

  private async addToPack(id: string, stored: Buffer, rawLength: number): Promise<void> {
    this.tally.dataAdded(rawLength, stored.length);
    await this.repo.addStoredBlob('data', id, stored, rawLength);
  }

  /**
   * Runs a write in the background: its failure fails the backup at the next check, and
   * `onSettled` runs once it has settled either way. Counted rather than kept in a set, with one
   * continuation: this runs for every new small file, and whatever it allocates per file stays
   * alive until the file's batch is encoded.
   */
  private track(work: Promise<void>, onSettled: () => void): void {
    this.inFlight++;
    work.then(
      () => this.settled(onSettled),
      (err: unknown) => {
        this.failure ??= err;
        this.settled(onSettled);
      },
    );
  }

  private settled(onSettled: () => void): void {
    onSettled();
    if (--this.inFlight > 0) return;
    const wake = this.onAllSettled;
    this.onAllSettled = undefined;
    wake?.();
  }

  /**
   * Rather than wait for the workers, encodes the batches queued for them on this thread until
   * `ready()` (or none is left). Each batch is followed by a turn of the event loop, so the
   * workers' replies and finished writes are taken in between.
   */
  private async helpWhileBusy(ready: () => boolean): Promise<void> {
    if (this.helping) return;
    this.helping = true;
    try {
      while (!ready() && this.pool.helpOnce()) await nextTurn();
    } finally {
      this.helping = false;
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * A file's node without its content, as one literal in the order of the tree's JSON (content is
 * added last): see Walker.archiveStatted on why nodes are never spread from a common part.
 */
export function fileNode(name: string, mode: number, stat: Stats): TreeNode {
  return { name, mode, mtime: stat.mtimeMs, type: 'file', ctime: stat.ctimeMs, inode: stat.ino, size: stat.size };
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
