/**
 * A Backend wrapper that keeps to the user's transfer limits (TransferOptions in options.ts):
 * - `uploadKiBps` / `downloadKiBps`: one token bucket per direction, shared by every call of
 *   this backend, so two uploads at once share the limit instead of each getting it. Bytes
 *   saved or appended count as upload, bytes loaded as download. Tokens are taken in pieces of
 *   about half a second's worth, so calls running at once take turns, and a staged object's
 *   appends are cut into pieces of that size with the tokens taken before each: a 16 MiB pack
 *   goes out at the limit instead of in one burst after a long pause. A `save` or a `load`
 *   cannot be cut: a save waits for its tokens before it starts, a ranged load (its size known)
 *   before, a whole load after it (the bucket goes into debt, which later calls wait out).
 * - `connections`: at most that many requests run against the storage at once. A slot is held
 *   only while the inner backend works, never while the caller does: a listing holds one while
 *   it fetches its next entry, not between entries, so a caller that loads each object it lists
 *   cannot wait for a slot its own listing holds. A staged object holds one per append or commit.
 * With no limit set the inner backend is returned itself: nothing is added to any call.
 */
import type { TransferOptions } from './options.js';
import { type Monotonic, monotonic, passOptional, realSleep, type Sleep } from './retrying-backend.js';
import type { Backend, ObjectInfo, ObjectKind, StagedObject } from './types.js';

const KiB = 1024;
/** Pieces of about half a second at the limit, no smaller than 16 KiB (fewer, larger requests) and no larger than 1 MiB. */
const pieceSize = (bytesPerSecond: number): number => Math.min(1024 * KiB, Math.max(16 * KiB, bytesPerSecond / 2));

export interface ThrottleOptions {
  sleep?: Sleep;
  now?: Monotonic;
}

/**
 * A token bucket that lets callers run into debt: each `take` reserves its tokens at once and
 * sleeps for as long as the rate needs to pay them back. Reserving before sleeping serves
 * callers in the order they came, with no queue to keep.
 */
export class TokenBucket {
  readonly piece: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly sleep: Sleep,
    private readonly now: Monotonic,
  ) {
    this.piece = pieceSize(bytesPerSecond);
    // Full at the start: the first piece goes at once.
    this.tokens = this.piece;
    this.last = now();
  }

  /** Takes `bytes` tokens, a piece at a time, sleeping as long as the rate asks. */
  async take(bytes: number): Promise<void> {
    for (let left = bytes; left > 0; left -= this.piece) {
      const owed = this.reserve(Math.min(left, this.piece));
      if (owed > 0) await this.sleep(owed);
    }
  }

  /** Takes `n` tokens; returns how many milliseconds the caller must wait for them. */
  private reserve(n: number): number {
    const now = this.now();
    this.tokens = Math.min(this.piece, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
    this.tokens -= n;
    return this.tokens < 0 ? (-this.tokens * 1000) / this.bytesPerSecond : 0;
  }
}

/** A counting semaphore: at most `size` callers inside `run` at once, served in order. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** The bytes of `data` in groups of `size` bytes (the last one shorter), as views: nothing is copied. */
export function* pieces(data: Uint8Array | readonly Uint8Array[], size: number): Generator<Uint8Array[]> {
  let group: Uint8Array[] = [];
  let filled = 0;
  for (const part of Array.isArray(data) ? (data as readonly Uint8Array[]) : [data as Uint8Array]) {
    for (let at = 0; at < part.length; ) {
      const n = Math.min(size - filled, part.length - at);
      group.push(part.subarray(at, at + n));
      at += n;
      filled += n;
      if (filled === size) {
        yield group;
        group = [];
        filled = 0;
      }
    }
  }
  if (filled > 0) yield group;
}

const byteLength = (data: Uint8Array | readonly Uint8Array[]): number =>
  Array.isArray(data) ? (data as readonly Uint8Array[]).reduce((sum, part) => sum + part.length, 0) : data.length;

/** A positive limit, or undefined for none. */
const limit = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;

/** `inner`, kept to `transfer`'s limits (see the header); `inner` itself when there are none. */
export function throttledBackend(
  inner: Backend,
  transfer: TransferOptions = {},
  options: ThrottleOptions = {},
): Backend {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? monotonic;
  const uploadKiBps = limit(transfer.uploadKiBps);
  const downloadKiBps = limit(transfer.downloadKiBps);
  const connections = limit(transfer.connections);
  if (!uploadKiBps && !downloadKiBps && !connections) return inner;

  const up = uploadKiBps ? new TokenBucket(uploadKiBps * KiB, sleep, now) : undefined;
  const down = downloadKiBps ? new TokenBucket(downloadKiBps * KiB, sleep, now) : undefined;
  const slots = connections ? new Slots(Math.max(1, Math.floor(connections))) : undefined;
  const slot = <T>(work: () => Promise<T>): Promise<T> => (slots ? slots.run(work) : work());

  async function* list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    const entries = inner.list(kind)[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        const next = await slot(() => entries.next());
        if (next.done) {
          done = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // Stopped early (the caller broke off, or failed): let the inner listing release what it holds.
      if (!done) await entries.return?.();
    }
  }

  const stage = async (kind: ObjectKind): Promise<StagedObject> => {
    const staged = await slot(() => inner.stage(kind));
    return {
      append: async (data) => {
        // An empty append still reaches the inner object, which may refuse it (finished).
        if (!up || byteLength(data) === 0) return slot(() => staged.append(data));
        for (const group of pieces(data, up.piece)) {
          await up.take(byteLength(group));
          await slot(() => staged.append(group));
        }
      },
      commit: (id) => slot(() => staged.commit(id)),
      discard: () => slot(() => staged.discard()),
    };
  };

  const wrapped: Backend = {
    location: inner.location,
    save: async (ref, data, saveOptions) => {
      await up?.take(byteLength(data));
      return slot(() => inner.save(ref, data, saveOptions));
    },
    load: async (ref, range, loadOptions) => {
      if (range) await down?.take(range.length);
      const loaded = await slot(() => inner.load(ref, range, loadOptions));
      if (!range) await down?.take(loaded.length);
      return loaded;
    },
    stat: (ref) => slot(() => inner.stat(ref)),
    list,
    remove: (ref) => slot(() => inner.remove(ref)),
    stage,
    exists: () => slot(() => inner.exists()),
    create: () => slot(() => inner.create()),
    // Never queued: closing must not wait behind the requests it is meant to end.
    close: () => inner.close(),
  };
  return passOptional(wrapped, inner);
}
