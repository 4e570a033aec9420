/**
 * FaultyBackend: wraps any Backend and injects storage faults into it, seeded and at chosen
 * calls, for the fault-injection scenarios (test/engine/fault-injection.test.ts) — the practice
 * of Kopia's and restic's test suites. Unarmed, it passes every call through unchanged; the
 * conformance suite proves that (test/backends/faulty.test.ts).
 *
 * A fault names a kind and `at`: the index, counted from `arm`, of the eligible call (see
 * ELIGIBLE; optionally only calls about one kind of object) at which it strikes. One-shot kinds strike `times` calls from there (default 1);
 * persistent kinds (slow writes, a full disk, listings that miss new objects) hold from there on
 * until `heal`. Whatever is random (where a partial write stops, how long a slow write takes)
 * comes from `seed`, so a failing case is reproduced by its kind, `at` and seed. Every strike is
 * logged in `struck`, so a scenario can tell a fault that fired from one that never did.
 */
import {
  type Backend,
  BackendError,
  type LoadOptions,
  OBJECT_KINDS,
  type ObjectInfo,
  type ObjectKind,
  type ObjectRef,
  type SaveOptions,
  type StagedObject,
} from '../../src/engine/backend/types.js';

export const FAULT_KINDS = [
  /** A write fails before any byte is stored. */
  'fail-before',
  /** A write is stored, then reports failure (the acknowledgement was lost). */
  'fail-after',
  /** Writes take longer (1 to `delayMs` ms each) but succeed. */
  'slow',
  /** A staged append stores only part of its bytes, then fails. */
  'partial',
  /** A save is stored, its acknowledgement is lost and it is retried: the retry reports 'exists'. */
  'repeated',
  /** A commit (the rename into place) reports failure although the object appeared. */
  'rename-landed',
  /** A commit reports failure and the object did not appear. */
  'rename-lost',
  /** From `at` on, every write fails with 'no-space' (removes still work, as on a full disk). */
  'no-space',
  /** From `at` on, objects written are missing from listings (load and stat find them). */
  'stale-list',
  /** A load or stat fails with 'io'. */
  'load-fail',
  /** A remove fails with 'io'; the object stays. */
  'remove-fail',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];
export type Call = 'save' | 'stage' | 'append' | 'commit' | 'load' | 'stat' | 'list' | 'remove';

/** The calls each kind counts, and strikes. */
export const ELIGIBLE: Record<FaultKind, readonly Call[]> = {
  'fail-before': ['save', 'stage', 'append', 'commit'],
  'fail-after': ['save', 'append', 'commit'],
  slow: ['save', 'append', 'commit'],
  partial: ['append'],
  repeated: ['save'],
  'rename-landed': ['commit'],
  'rename-lost': ['commit'],
  'no-space': ['save', 'stage', 'append', 'commit'],
  'stale-list': ['save', 'commit'],
  'load-fail': ['load', 'stat'],
  'remove-fail': ['remove'],
};

const PERSISTENT: ReadonlySet<FaultKind> = new Set(['slow', 'no-space', 'stale-list']);

export interface Fault {
  kind: FaultKind;
  /** Index of the eligible call (from 0, counted from `arm`) at which the fault strikes. */
  at: number;
  /** Only calls about objects of this kind count (and are struck), e.g. only snapshot loads. */
  objects?: ObjectKind;
  /** One-shot kinds: how many eligible calls in a row it strikes (default 1). */
  times?: number;
  /** Seeds the random choices (default 1). */
  seed?: number;
  /** `slow`: the longest added delay per write in ms (default 20). */
  delayMs?: number;
}

export interface Strike {
  kind: FaultKind;
  call: Call;
  /** The object (or kind, for stage) the call was about. */
  what: string;
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const emptyCounts = (): Record<Call, number> => ({
  save: 0,
  stage: 0,
  append: 0,
  commit: 0,
  load: 0,
  stat: 0,
  list: 0,
  remove: 0,
});

const emptyCountsByObject = (): Record<ObjectKind, Record<Call, number>> =>
  Object.fromEntries(OBJECT_KINDS.map((kind) => [kind, emptyCounts()])) as Record<ObjectKind, Record<Call, number>>;

const keyOf = (ref: ObjectRef): string => `${ref.kind}/${ref.id}`;
const nameOf = (ref: ObjectRef): string => `${ref.kind} ${ref.id.slice(0, 12)}`;

export class FaultyBackend implements Backend {
  /** Every call since `arm` (or since creation), by kind of call: sizes the points to strike at. */
  counts = emptyCounts();
  /** The same, per kind of object the call was about. */
  countsByObject = emptyCountsByObject();
  /** The faults that fired since `arm`. */
  struck: Strike[] = [];
  readonly cleanTemporaryFiles?: (olderThanMs: number, now?: number) => Promise<number>;
  private fault?: Fault;
  private random = seededRandom(1);
  /** Eligible calls seen since `arm`. */
  private eligibleSeen = 0;
  /** Objects written under a 'stale-list' fault: left out of listings until `heal`. */
  private readonly unlisted = new Set<string>();

  constructor(readonly inner: Backend) {
    // Only what the inner backend offers (prune asks for it).
    if (inner.cleanTemporaryFiles) {
      const clean = inner.cleanTemporaryFiles.bind(inner);
      this.cleanTemporaryFiles = (olderThanMs, now) => clean(olderThanMs, now);
    }
  }

  get location(): string {
    return this.inner.location;
  }

  /** Arms `fault` (replacing any other) and starts counting calls afresh. */
  arm(fault: Fault): void {
    this.fault = fault;
    this.random = seededRandom(fault.seed ?? 1);
    this.eligibleSeen = 0;
    this.counts = emptyCounts();
    this.countsByObject = emptyCountsByObject();
    this.struck = [];
  }

  /** Disarms the fault: from now on every call passes through, and listings are complete again. */
  heal(): void {
    this.fault = undefined;
    this.unlisted.clear();
  }

  /** How many calls since `arm` a fault of `kind` (about objects of `objects`, if given) would have counted. */
  eligibleCount(kind: FaultKind, objects?: ObjectKind): number {
    const counts = objects ? this.countsByObject[objects] : this.counts;
    return ELIGIBLE[kind].reduce((sum, call) => sum + counts[call], 0);
  }

  /** Counts the call about an object of `objectKind`; returns the armed fault when it strikes this call. */
  private strike(call: Call, objectKind: ObjectKind, what: string): FaultKind | undefined {
    this.counts[call]++;
    // An invalid kind (refused by the inner backend) has no counter of its own.
    const byObject = this.countsByObject[objectKind] as Record<Call, number> | undefined;
    if (byObject) byObject[call]++;
    const fault = this.fault;
    if (!fault || !ELIGIBLE[fault.kind].includes(call)) return undefined;
    if (fault.objects && fault.objects !== objectKind) return undefined;
    const index = this.eligibleSeen++;
    const hit = PERSISTENT.has(fault.kind)
      ? index >= fault.at
      : index >= fault.at && index < fault.at + (fault.times ?? 1);
    if (!hit) return undefined;
    this.struck.push({ kind: fault.kind, call, what });
    return fault.kind;
  }

  private async slowly(): Promise<void> {
    const ms = 1 + Math.floor(this.random() * (this.fault?.delayMs ?? 20));
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  async save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[], options?: SaveOptions): Promise<void> {
    switch (this.strike('save', ref.kind, nameOf(ref))) {
      case undefined:
        return this.inner.save(ref, data, options);
      case 'fail-before':
        throw new BackendError('io', `${nameOf(ref)}: the write failed before it reached storage (injected)`);
      case 'no-space':
        throw new BackendError('no-space', `the storage location is full (${nameOf(ref)}: injected)`);
      case 'fail-after':
        await this.inner.save(ref, data, options);
        throw new BackendError('io', `${nameOf(ref)}: the connection dropped after the write (injected)`);
      case 'repeated':
        await this.inner.save(ref, data, options);
        // The acknowledgement was lost; the client retries the very same request.
        return this.inner.save(ref, data, options);
      case 'slow':
        await this.slowly();
        return this.inner.save(ref, data, options);
      case 'stale-list':
        await this.inner.save(ref, data, options);
        this.unlisted.add(keyOf(ref));
        return;
      default:
        throw new Error('unreachable: a fault kind that does not apply to save');
    }
  }

  async stage(kind: ObjectKind): Promise<StagedObject> {
    switch (this.strike('stage', kind, kind)) {
      case 'fail-before':
        throw new BackendError('io', `a new ${kind} object could not be started (injected)`);
      case 'no-space':
        throw new BackendError('no-space', `the storage location is full (a new ${kind} object: injected)`);
      default:
        return new FaultyStaged(this, kind, await this.inner.stage(kind));
    }
  }

  /** An append of `staged`: the fault decides what reaches the inner staged object. */
  async append(staged: StagedObject, kind: ObjectKind, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const parts = Array.isArray(data) ? (data as readonly Uint8Array[]) : [data as Uint8Array];
    const what = `an append to a new ${kind} object`;
    switch (this.strike('append', kind, what)) {
      case undefined:
        return staged.append(data);
      case 'fail-before':
        throw new BackendError('io', `${what} failed before it reached storage (injected)`);
      case 'no-space':
        throw new BackendError('no-space', `the storage location is full (${what}: injected)`);
      case 'fail-after':
        await staged.append(data);
        throw new BackendError('io', `${what}: the connection dropped after the write (injected)`);
      case 'partial': {
        const whole = Buffer.concat(parts);
        const kept = Math.floor(this.random() * whole.length);
        // A copy of the first bytes only: a partial write keeps a prefix, not the caller's buffers.
        if (kept > 0) await staged.append(Buffer.from(whole.subarray(0, kept)));
        throw new BackendError('io', `${what} stopped after ${kept} of ${whole.length} bytes (injected)`);
      }
      case 'slow':
        await this.slowly();
        return staged.append(data);
      default:
        throw new Error('unreachable: a fault kind that does not apply to append');
    }
  }

  /** A commit of `staged` as `{kind, id}`. A failed commit leaves the staged object finished, as the contract says. */
  async commit(staged: StagedObject, kind: ObjectKind, id: string): Promise<void> {
    const ref = { kind, id };
    switch (this.strike('commit', kind, nameOf(ref))) {
      case undefined:
        return staged.commit(id);
      case 'fail-before':
        await staged.discard();
        throw new BackendError('io', `${nameOf(ref)}: the commit failed before it reached storage (injected)`);
      case 'no-space':
        await staged.discard();
        throw new BackendError('no-space', `the storage location is full (${nameOf(ref)}: injected)`);
      case 'fail-after':
      case 'rename-landed':
        await staged.commit(id);
        throw new BackendError('io', `${nameOf(ref)}: the rename's result was lost (injected; it did happen)`);
      case 'rename-lost':
        await staged.discard();
        throw new BackendError('io', `${nameOf(ref)}: the rename failed (injected; nothing appeared)`);
      case 'slow':
        await this.slowly();
        return staged.commit(id);
      case 'stale-list':
        await staged.commit(id);
        this.unlisted.add(keyOf(ref));
        return;
      default:
        throw new Error('unreachable: a fault kind that does not apply to commit');
    }
  }

  async load(ref: ObjectRef, range?: { offset: number; length: number }, options?: LoadOptions): Promise<Buffer> {
    if (this.strike('load', ref.kind, nameOf(ref)) === 'load-fail') {
      throw new BackendError('io', `${nameOf(ref)}: the read failed (injected)`);
    }
    return this.inner.load(ref, range, options);
  }

  async stat(ref: ObjectRef): Promise<{ size: number }> {
    if (this.strike('stat', ref.kind, nameOf(ref)) === 'load-fail') {
      throw new BackendError('io', `${nameOf(ref)}: the stat failed (injected)`);
    }
    return this.inner.stat(ref);
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    this.counts.list++;
    const byObject = this.countsByObject[kind] as Record<Call, number> | undefined;
    if (byObject) byObject.list++;
    for await (const info of this.inner.list(kind)) {
      if (!this.unlisted.has(keyOf(info))) yield info;
    }
  }

  async remove(ref: ObjectRef): Promise<void> {
    if (this.strike('remove', ref.kind, nameOf(ref)) === 'remove-fail') {
      throw new BackendError('io', `${nameOf(ref)}: the removal failed (injected)`);
    }
    await this.inner.remove(ref);
    this.unlisted.delete(keyOf(ref));
  }

  exists(): Promise<boolean> {
    return this.inner.exists();
  }

  create(): Promise<void> {
    return this.inner.create();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A staged object whose appends and commit go through the FaultyBackend's faults. */
class FaultyStaged implements StagedObject {
  constructor(
    private readonly backend: FaultyBackend,
    private readonly kind: ObjectKind,
    private readonly inner: StagedObject,
  ) {}

  append(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    return this.backend.append(this.inner, this.kind, data);
  }

  commit(id: string): Promise<void> {
    return this.backend.commit(this.inner, this.kind, id);
  }

  discard(): Promise<void> {
    return this.inner.discard();
  }
}
