/**
 * Whether each repository's storage answers, as the app shows it ("storage unreachable since
 * 14:02 — connection refused. Cairn keeps retrying."): the `storage` part of each repository in
 * `app.status`.
 *
 * A repository's storage becomes unreachable
 * - when its backend is about to retry a call after a transient failure (`onRetry` of the remote
 *   stack, wired in by RepositoryStorage.backendFor), since that first failed attempt;
 * - when one of its tasks, or an unlock, fails with a BackendError 'unavailable' (retries spent),
 *   since then unless it was already unreachable.
 * It is reachable again after any evidence that the storage answers:
 * - a storage operation that reached the storage and succeeded, begun after the latest failure
 *   was reported (`observe`: writes, listings, loads the local cache does not answer), so a
 *   long backup that rode out an outage shows it over as soon as the storage is back;
 * - a task of the repository that succeeded, an unlock, or a "Test connection" of its location
 *   that reached it.
 * The time comes from the host's clock; the reason is the backend's message, which never holds
 * a secret. Every change of reachable ↔ unreachable is sent as `app.status` at once; while the
 * storage stays unreachable, a new reason is sent at most every 30 seconds, so retries do not flood
 * the event stream and a screen that missed an event catches up.
 */
import type { z } from 'zod';
import type { StorageReachability as StorageReachabilitySchema } from '../../contract/schemas.js';
import { CACHED_KINDS } from '../../engine/backend/metadata-cache.js';
import { type Backend, BackendError, type ObjectKind, type StagedObject } from '../../engine/backend/types.js';
import type { Clock } from '../../engine/util/clock.js';
import type { RetryNotice } from '../services/open-repository.js';

export type Reachability = z.output<typeof StorageReachabilitySchema>;

const REACHABLE: Reachability = { reachable: true, unreachableSince: null, reason: null };

interface Outage {
  since: number;
  reason: string;
  /** When the status last told of this outage (monotonic milliseconds). */
  toldAt: number;
}

/** While unreachable, the status is sent again with the latest reason at most this often. */
export const REASON_UPDATE_MS = 30_000;

/** The BackendError 'unavailable' in `err`'s cause chain (the outermost), if there is one. */
export function unavailableError(err: unknown): BackendError | undefined {
  const seen = new Set<unknown>();
  for (let e = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof BackendError && e.code === 'unavailable') return e;
  }
  return undefined;
}

/** Local wall-clock "HH:MM" of a time in epoch milliseconds. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export class StorageReachability {
  private readonly outages = new Map<string, Outage>();
  /** Counts failures reported, per repository: a success proves more than they only when it began after the last. */
  private readonly failureSeq = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    /** Called after every change between reachable and unreachable (and for a newer reason, see above). */
    private readonly changed: () => void = () => {},
    /** A monotonic clock for pacing those calls (never recorded). */
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** What `app.status` shows of the repository's storage. */
  of(repositoryId: string): Reachability {
    const outage = this.outages.get(repositoryId);
    if (!outage) return REACHABLE;
    return { reachable: false, unreachableSince: new Date(outage.since).toISOString(), reason: outage.reason };
  }

  /** The repository's backend is about to retry a call that failed transiently. */
  retrying(repositoryId: string, notice: RetryNotice): void {
    this.unreachable(repositoryId, notice.error.message);
  }

  /**
   * Something done with the repository's storage failed: when it failed because the storage is
   * unreachable ('unavailable' anywhere in its cause chain), the repository is marked so and its
   * state returned; otherwise nothing changes and the result is undefined.
   */
  failed(repositoryId: string, err: unknown): Reachability | undefined {
    const unavailable = unavailableError(err);
    if (!unavailable) return undefined;
    this.unreachable(repositoryId, unavailable.message);
    return this.of(repositoryId);
  }

  /** The repository's storage answered (a task or an unlock succeeded, a test reached it). */
  reachable(repositoryId: string): void {
    if (!this.outages.delete(repositoryId)) return;
    this.changed();
  }

  /** The repository was locked or removed: nothing is known of its storage any more. */
  forget(repositoryId: string): void {
    this.failureSeq.delete(repositoryId);
    this.reachable(repositoryId);
  }

  /**
   * `backend` (the remote storage of repository `repositoryId()`, undefined while not yet known)
   * telling this tracker of its successful operations that reached the storage: each one begun
   * after the latest reported failure marks the storage reachable again. Loads of the kinds the local metadata cache may answer
   * (index, snapshots) prove nothing and are left out.
   */
  observe(repositoryId: () => string | undefined, backend: Backend): Backend {
    const start = (): number => {
      const id = repositoryId();
      return id === undefined ? 0 : (this.failureSeq.get(id) ?? 0);
    };
    const succeeded = (begun: number): void => {
      const id = repositoryId();
      if (id !== undefined && begun === start() && this.outages.has(id)) this.reachable(id);
    };
    const watch = <T>(work: Promise<T>): Promise<T> => {
      const begun = start();
      return work.then((value) => {
        succeeded(begun);
        return value;
      });
    };
    const watched =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> =>
        watch(fn(...args));
    const cached = new Set<ObjectKind>(CACHED_KINDS);
    return wrapMethods(backend, {
      save: watched,
      remove: watched,
      stat: watched,
      exists: watched,
      load:
        (fn) =>
        (ref, ...rest) =>
          cached.has(ref.kind) ? fn(ref, ...rest) : watch(fn(ref, ...rest)),
      list: (fn) => (kind) => ({
        [Symbol.asyncIterator]: () => {
          const begun = start();
          const iterator = fn(kind)[Symbol.asyncIterator]();
          return {
            next: async () => {
              const step = await iterator.next();
              if (step.done) succeeded(begun);
              return step;
            },
            return: async (value?: unknown) =>
              iterator.return ? iterator.return(value) : { done: true as const, value: undefined },
          };
        },
      }),
      stage: (fn) => async (kind) => {
        const staged = await fn(kind);
        return wrapMethods<StagedObject>(staged, { commit: watched });
      },
    });
  }

  private unreachable(repositoryId: string, reason: string): void {
    this.failureSeq.set(repositoryId, (this.failureSeq.get(repositoryId) ?? 0) + 1);
    const outage = this.outages.get(repositoryId);
    const now = this.monotonic();
    if (outage) {
      if (outage.reason === reason) return;
      outage.reason = reason;
      if (now - outage.toldAt < REASON_UPDATE_MS) return;
      outage.toldAt = now;
    } else {
      this.outages.set(repositoryId, { since: this.clock(), reason, toldAt: now });
    }
    this.changed();
  }
}

type Wrappers<T> = { [K in keyof T]?: T[K] extends (...args: never[]) => unknown ? (fn: T[K]) => T[K] : never };

/**
 * `target` with the named methods replaced by their wrapped versions; every other property and
 * method is the target's own (methods bound to it, so classes with private fields keep working).
 */
function wrapMethods<T extends object>(target: T, wrappers: Wrappers<T>): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const bound = (value as (...args: unknown[]) => unknown).bind(t);
        const wrap = wrappers[prop as keyof T] as ((f: unknown) => unknown) | undefined;
        fn = wrap ? wrap(bound) : bound;
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
