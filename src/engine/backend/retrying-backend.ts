/**
 * A Backend wrapper that rides out networks that fail: a call that fails with code 'unavailable'
 * (the storage could not be reached, timed out, answered 5xx or "slow down") is tried again
 * after a pause that grows exponentially, with full jitter (a random pause between 0 and the
 * ceiling, so that many clients cut off together do not come back together), until the attempts
 * or the time budget run out; then the last error is thrown with the number of attempts added.
 * Every other failure ('auth', 'host-key', 'permission', 'not-found', 'exists', ...) reaches the
 * caller at once: trying again cannot change the answer.
 *
 * Retrying is only sound where a repeated call does what one call would have done:
 * - load, stat, exists, remove and shred are idempotent and retried as they are (a shred tried
 *   again overwrites the file again, or finds it removed);
 * - a listing that failed half-way starts again and skips the ids it already yielded;
 * - save without overwrite may meet its own earlier attempt, which landed although its answer
 *   was lost: see `landed`;
 * - a staged object's bytes are gone with the connection that carried them, so after a transient
 *   failure the appended buffers (kept by reference; see StagedObject in types.ts) are sent again
 *   to a freshly staged object.
 * The clock, the pause and the random source are parameters, so tests run without waiting.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { describeRef } from './refs.js';
import {
  type Backend,
  BackendError,
  isTransient,
  type ObjectInfo,
  type ObjectKind,
  type ObjectRef,
  type StagedObject,
} from './types.js';

/** Waits `ms` milliseconds; may end early (resolve or reject) when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A monotonic clock in milliseconds (for pacing; never recorded). */
export type Monotonic = () => number;

export const realSleep: Sleep = (ms, signal) => wait(ms, undefined, signal ? { signal } : undefined);
export const monotonic: Monotonic = () => performance.now();

/** What `onRetry` is told before each pause. */
export interface RetryInfo {
  /** The call that failed: 'load', 'save', 'stat', 'list', 'remove', 'shred', 'exists', 'stage', 'append' or 'commit'. */
  operation: string;
  /** What the call was about, e.g. "index object 3fa2…" or "snapshots objects". */
  what: string;
  /** The attempt that failed, counted from 1. */
  attempt: number;
  /** The pause before the next attempt. */
  delayMs: number;
  error: BackendError;
}

export interface RetryOptions {
  /** The ceiling of the first pause (default 500 ms). */
  baseDelayMs?: number;
  /** How much the ceiling grows after each failure (default 2). */
  factor?: number;
  /** The highest ceiling (default 30 s). */
  maxDelayMs?: number;
  /** Give up once the next pause would end more than this after the call's first attempt began (default 5 min). */
  budgetMs?: number;
  /** Give up after this many attempts (default: no limit but the budget). */
  maxAttempts?: number;
  /** Told before each pause: the app shows "storage unreachable since …". Its exceptions are ignored. */
  onRetry?: (info: RetryInfo) => void;
  sleep?: Sleep;
  /** Numbers in [0, 1), for the jitter (default Math.random). */
  random?: () => number;
  now?: Monotonic;
}

type Policy = Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

/** One run of failures of one call: counts the attempts and decides the pauses. */
class Streak {
  private attempts = 0;
  private started: number;

  constructor(
    private readonly policy: Policy,
    private readonly signal: () => AbortSignal,
    /** True after an interruption, until a call succeeds: failures are not retried meanwhile. */
    private readonly failFast: () => boolean,
    private readonly operation: string,
    private readonly what: string,
  ) {
    this.started = policy.now();
  }

  /**
   * After a failed attempt: throws what is not worth retrying (unchanged) or, once the attempts or
   * the budget are spent, the last error with the count added; otherwise pauses before the next.
   */
  async failed(err: unknown): Promise<void> {
    this.attempts++;
    if (!(err instanceof BackendError) || !isTransient(err)) throw err;
    const { baseDelayMs, factor, maxDelayMs, budgetMs, maxAttempts } = this.policy;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * factor ** (this.attempts - 1));
    const delayMs = Math.floor(this.policy.random() * ceiling);
    const elapsed = this.policy.now() - this.started;
    const signal = this.signal();
    if (this.attempts >= maxAttempts || elapsed + delayMs > budgetMs || signal.aborted || this.failFast())
      throw this.giveUp(err);
    try {
      this.policy.onRetry?.({
        operation: this.operation,
        what: this.what,
        attempt: this.attempts,
        delayMs,
        error: err,
      });
    } catch {
      // A listener's failure is no reason to fail the backup.
    }
    await this.policy.sleep(delayMs, signal).catch(() => undefined);
    // Closed meanwhile: the caller is going away, and the connection with it.
    if (signal.aborted) throw this.giveUp(err);
  }

  /** Progress was made (a listing yielded new ids): the next failure starts a fresh count. */
  progressed(): void {
    if (this.attempts === 0) return;
    this.attempts = 0;
    this.started = this.policy.now();
  }

  private giveUp(err: BackendError): BackendError {
    const seconds = Math.round((this.policy.now() - this.started) / 1000);
    const tries = this.attempts === 1 ? '1 attempt' : `${this.attempts} attempts`;
    return new BackendError(err.code, `${err.message} (gave up after ${tries} in ${seconds} s)`, { cause: err });
  }
}

class Retrier {
  private controller = new AbortController();
  /** Set by `interrupt`, cleared by the next call that succeeds. */
  private interrupted = false;

  constructor(private readonly policy: Policy) {}

  streak(operation: string, what: string): Streak {
    return new Streak(
      this.policy,
      () => this.controller.signal,
      () => this.interrupted,
      operation,
      what,
    );
  }

  /** A call succeeded: the storage answers, retries are worth their pauses again. */
  succeeded(): void {
    this.interrupted = false;
  }

  /** Runs `attempt` (given the attempt's number, from 1) until it succeeds or the streak gives up. */
  async run<T>(operation: string, what: string, attempt: (n: number) => Promise<T>): Promise<T> {
    const streak = this.streak(operation, what);
    for (let n = 1; ; n++) {
      try {
        const result = await attempt(n);
        this.succeeded();
        return result;
      } catch (err) {
        await streak.failed(err);
      }
    }
  }

  /**
   * Ends the pauses under way (they give up), and until a call succeeds again gives up on the
   * first transient failure: the work being cancelled (and its clean-up: a lock to remove, a
   * staged pack to drop) stops now instead of waiting out the budget call after call.
   */
  interrupt(): void {
    this.interrupted = true;
    this.abortPauses();
  }

  /** Ends the pauses under way only (the backend is closing). */
  abortPauses(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }
}

const byteLength = (data: Uint8Array | readonly Uint8Array[]): number =>
  Array.isArray(data) ? (data as readonly Uint8Array[]).reduce((sum, part) => sum + part.length, 0) : data.length;

const isExists = (err: unknown): boolean => err instanceof BackendError && err.code === 'exists';

/**
 * Whether `ref`, found existing by a save or commit after an earlier attempt of it failed
 * transiently, is that earlier attempt having landed (its answer was lost on the way back).
 * For index, snapshots, keys and data the id is the SHA-256 of the stored bytes
 * (docs/repository-format.md §2): an object already under that name holds the same bytes unless
 * it is damaged, and saves are atomic, so the same size is enough to tell. Config (a fixed name)
 * and locks (random names) are not named by their content: they are small, so their bytes are
 * compared. A failure to check counts as "not landed", except a transient one, which is retried.
 */
async function landed(
  backend: Backend,
  retrier: Retrier,
  ref: ObjectRef,
  data: Uint8Array | readonly Uint8Array[],
): Promise<boolean> {
  const what = describeRef(ref);
  try {
    if (ref.kind === 'config' || ref.kind === 'locks') {
      const stored = await retrier.run('load', what, () => backend.load(ref));
      const parts = Array.isArray(data) ? (data as readonly Uint8Array[]) : [data as Uint8Array];
      return stored.equals(Buffer.concat(parts));
    }
    const { size } = await retrier.run('stat', what, () => backend.stat(ref));
    return size === byteLength(data);
  } catch (err) {
    if (isTransient(err)) throw err;
    return false;
  }
}

/** A staged object that survives transient failures by sending everything again to a fresh one. */
class RetryingStaged implements StagedObject {
  /** Each append's data, by reference, in order. */
  private appended: (Uint8Array | readonly Uint8Array[])[] = [];
  private state: 'open' | 'failed' | 'finished' = 'open';

  constructor(
    private readonly backend: Backend,
    private readonly retrier: Retrier,
    private readonly kind: ObjectKind,
    private inner: StagedObject | undefined,
  ) {}

  async append(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const inner = this.usable();
    this.appended.push(data);
    const streak = this.retrier.streak('append', `a new ${this.kind} object`);
    try {
      await inner.append(data);
      this.retrier.succeeded();
    } catch (err) {
      await this.restage(streak, err);
    }
  }

  async commit(id: string): Promise<void> {
    let inner = this.usable();
    const ref = { kind: this.kind, id };
    const streak = this.retrier.streak('commit', describeRef(ref));
    // Set once a commit failed transiently: it may have landed all the same.
    let uncertain = false;
    try {
      for (;;) {
        try {
          await inner.commit(id);
          this.retrier.succeeded();
          // Committed: nothing is left to discard (and a remote discard would cost a request).
          this.inner = undefined;
          return;
        } catch (err) {
          if (uncertain && isExists(err) && (await landed(this.backend, this.retrier, ref, this.appended.flat()))) {
            return;
          }
          if (!isTransient(err)) throw err;
          uncertain = true;
          // One stat tells whether the lost commit landed, and spares sending the whole object again.
          if (await this.landedNow(ref)) return;
          inner = await this.restage(streak, err);
        }
      }
    } finally {
      // Finished whether the commit succeeded or not, as the contract says.
      await this.finish();
    }
  }

  async discard(): Promise<void> {
    await this.finish();
  }

  /** The inner staged object, or the error the contract asks for once this one is finished or broken. */
  private usable(): StagedObject {
    if (this.state === 'open' && this.inner) return this.inner;
    const why =
      this.state === 'failed'
        ? 'an earlier write to it failed; only discard is of use'
        : 'it was already committed or discarded';
    throw new BackendError('io', `this staged ${this.kind} object cannot be written: ${why}`);
  }

  /**
   * After `err` broke the inner staged object: pauses as the streak says (or throws), stages a
   * fresh object and appends everything again, until that succeeds.
   */
  private async restage(streak: Streak, err: unknown): Promise<StagedObject> {
    for (;;) {
      try {
        await streak.failed(err);
      } catch (final) {
        this.state = 'failed';
        throw final;
      }
      await this.dropInner();
      try {
        const fresh = await this.backend.stage(this.kind);
        this.inner = fresh;
        for (const data of this.appended) await fresh.append(data);
        return fresh;
      } catch (next) {
        err = next;
      }
    }
  }

  /** A single stat, no retries: whether the object is there with our size (for kinds named by their content). */
  private async landedNow(ref: ObjectRef): Promise<boolean> {
    if (ref.kind === 'config' || ref.kind === 'locks') return false;
    try {
      return (await this.backend.stat(ref)).size === byteLength(this.appended.flat());
    } catch {
      return false;
    }
  }

  /** Discards the inner staged object; a failure only leaves an invisible leftover, as a crash would. */
  private async dropInner(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    await inner?.discard().catch(() => undefined);
  }

  private async finish(): Promise<void> {
    this.state = 'finished';
    this.appended = [];
    await this.dropInner();
  }
}

/** The optional members a wrapper passes through unchanged, where the inner backend has them. */
const PASSED_THROUGH = [
  'shred',
  'loadSync',
  'listSync',
  'cleanTemporaryFiles',
  'destroy',
  'reportedRegion',
  'interruptRetries',
] as const satisfies readonly (keyof Backend)[];

/**
 * Copies `inner`'s optional members (only those it has, so a caller's `if (backend.shred)` still
 * tells) onto `wrapped`, bound to `inner`; shared by the wrappers of this folder.
 */
export function passOptional(wrapped: Backend, inner: Backend): Backend {
  const target = wrapped as unknown as Record<string, unknown>;
  for (const name of PASSED_THROUGH) {
    const member = inner[name] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof member === 'function') target[name] = member.bind(inner);
  }
  return wrapped;
}

/** `inner`, with calls that fail transiently tried again (see the header). */
export function retryingBackend(inner: Backend, options: RetryOptions = {}): Backend {
  const policy: Policy = {
    baseDelayMs: options.baseDelayMs ?? 500,
    factor: options.factor ?? 2,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    budgetMs: options.budgetMs ?? 5 * 60_000,
    maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    now: options.now ?? monotonic,
    onRetry: options.onRetry,
  };
  const retrier = new Retrier(policy);

  async function* list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    // The ids yielded so far: a listing started again after a failure begins at the start.
    const yielded = new Set<string>();
    const streak = retrier.streak('list', `${kind} objects`);
    for (;;) {
      try {
        for await (const info of inner.list(kind)) {
          if (yielded.has(info.id)) continue;
          yielded.add(info.id);
          streak.progressed();
          retrier.succeeded();
          yield info;
        }
        retrier.succeeded();
        return;
      } catch (err) {
        await streak.failed(err);
      }
    }
  }

  const wrapped: Backend = {
    location: inner.location,
    save: (ref, data, options) =>
      retrier.run('save', describeRef(ref), async (attempt) => {
        try {
          await inner.save(ref, data, options);
        } catch (err) {
          // An earlier attempt failed transiently and may have landed: then 'exists' is our own save.
          const ours = attempt > 1 && !options?.overwrite && isExists(err);
          if (ours && (await landed(inner, retrier, ref, data))) return;
          throw err;
        }
      }),
    load: (ref, range, options) => retrier.run('load', describeRef(ref), () => inner.load(ref, range, options)),
    stat: (ref) => retrier.run('stat', describeRef(ref), () => inner.stat(ref)),
    list,
    remove: (ref) => retrier.run('remove', describeRef(ref), () => inner.remove(ref)),
    stage: async (kind) => {
      const staged = await retrier.run('stage', `a new ${kind} object`, () => inner.stage(kind));
      return new RetryingStaged(inner, retrier, kind, staged);
    },
    exists: () => retrier.run('exists', `a repository at ${inner.location}`, () => inner.exists()),
    // Not retried: a repeated create cannot tell its own folders from a repository made meanwhile.
    create: () => inner.create(),
    close: () => {
      retrier.abortPauses();
      return inner.close();
    },
  };
  passOptional(wrapped, inner);
  const { shred } = inner;
  if (shred) wrapped.shred = (ref) => retrier.run('shred', describeRef(ref), () => shred.call(inner, ref));
  wrapped.interruptRetries = () => retrier.interrupt();
  return wrapped;
}
