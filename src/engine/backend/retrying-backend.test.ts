/**
 * The retrying wrapper over a MemoryBackend that fails chosen calls with 'unavailable', with a
 * fake sleep and clock: pauses grow, stay under the cap and keep within their jitter; other
 * codes are never retried; saves and commits that landed although their answer was lost count
 * as done only when the stored object is theirs; listings never repeat an id; staged objects
 * broken by a dropped connection are sent again and read back byte for byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from './memory.js';
import { type RetryInfo, type RetryOptions, retryingBackend } from './retrying-backend.js';
import {
  type Backend,
  BackendError,
  type BackendErrorCode,
  type ObjectInfo,
  type ObjectKind,
  type ObjectRef,
  type StagedObject,
} from './types.js';

type Call = 'save' | 'load' | 'stat' | 'list' | 'remove' | 'exists' | 'stage' | 'append' | 'commit';
/** Where a call fails: before it reaches the inner backend, or after it did its work (the answer was lost). */
type Fault = 'before' | 'after' | undefined;

const unavailable = (call: string) => new BackendError('unavailable', `storage.example: ${call} timed out`);

/**
 * A backend whose calls fail transiently where `plan` says (given the call and its number, from
 * 1); a listing breaks off after `listBreaksAfter(n)` entries.
 */
class FlakyBackend implements Backend {
  readonly calls: Record<Call, number> = {
    save: 0,
    load: 0,
    stat: 0,
    list: 0,
    remove: 0,
    exists: 0,
    stage: 0,
    append: 0,
    commit: 0,
  };
  plan: (call: Call, n: number) => Fault = () => undefined;
  listBreaksAfter: (n: number) => number | undefined = () => undefined;

  constructor(readonly inner: Backend = new MemoryBackend()) {}

  get location(): string {
    return this.inner.location;
  }

  private async run<T>(call: Call, work: () => Promise<T>, before?: () => Promise<void>): Promise<T> {
    const fault = this.plan(call, ++this.calls[call]);
    if (fault === 'before') {
      await before?.();
      throw unavailable(call);
    }
    const result = await work();
    if (fault === 'after') throw unavailable(call);
    return result;
  }

  save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[], options?: { overwrite?: boolean }): Promise<void> {
    return this.run('save', () => this.inner.save(ref, data, options));
  }
  load(ref: ObjectRef, range?: { offset: number; length: number }): Promise<Buffer> {
    return this.run('load', () => this.inner.load(ref, range));
  }
  stat(ref: ObjectRef): Promise<{ size: number }> {
    return this.run('stat', () => this.inner.stat(ref));
  }
  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    const breaksAfter = this.listBreaksAfter(++this.calls.list);
    let yielded = 0;
    for await (const info of this.inner.list(kind)) {
      if (yielded === breaksAfter) throw unavailable('list');
      yielded++;
      yield info;
    }
  }
  remove(ref: ObjectRef): Promise<void> {
    return this.run('remove', () => this.inner.remove(ref));
  }
  exists(): Promise<boolean> {
    return this.run('exists', () => this.inner.exists());
  }
  create(): Promise<void> {
    return this.inner.create();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  async stage(kind: ObjectKind): Promise<StagedObject> {
    const staged = await this.run('stage', () => this.inner.stage(kind));
    return {
      append: (data) => this.run('append', () => staged.append(data)),
      // A failed commit leaves the staged object finished, as the contract says.
      commit: (id) =>
        this.run(
          'commit',
          () => staged.commit(id),
          () => staged.discard(),
        ),
      discard: () => staged.discard(),
    };
  }
}

/** A clock that only the fake sleep moves; every pause is recorded. */
function fakeTime() {
  let now = 0;
  const delays: number[] = [];
  return {
    delays,
    now: () => now,
    sleep: async (ms: number) => {
      delays.push(ms);
      now += ms;
    },
  };
}

function setup(options: RetryOptions = {}) {
  const flaky = new FlakyBackend();
  const time = fakeTime();
  const retries: RetryInfo[] = [];
  const backend = retryingBackend(flaky, {
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
    onRetry: (info) => retries.push(info),
    ...options,
  });
  return { flaky, backend, time, retries };
}

const idOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const refOf = (kind: ObjectKind, bytes: Uint8Array): ObjectRef => ({ kind, id: idOf(bytes) });
const failFirst =
  (target: Call, times: number, fault: Fault = 'before') =>
  (call: Call, n: number): Fault =>
    call === target && n <= times ? fault : undefined;

async function codeOf(promise: Promise<unknown>): Promise<BackendErrorCode | undefined> {
  return promise.then(
    () => undefined,
    (err: unknown) => (err as BackendError).code,
  );
}

/** The BackendError `promise` rejects with (failing the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<BackendError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackendError);
  return err as BackendError;
}

async function ids(iterable: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const out: string[] = [];
  for await (const info of iterable) out.push(info.id);
  return out;
}

/**
 * A retrying backend whose pauses last until they are ended, and an `exists` call already failed
 * once and pausing before its next attempt.
 */
async function existsPausing(): Promise<{
  flaky: FlakyBackend;
  backend: Backend;
  call: Promise<BackendError>;
}> {
  const flaky = new FlakyBackend();
  let started: () => void = () => undefined;
  const pausing = new Promise<void>((resolve) => {
    started = resolve;
  });
  const backend = retryingBackend(flaky, {
    sleep: (_ms, signal) =>
      new Promise<void>((resolve) => {
        started();
        signal?.addEventListener('abort', () => resolve());
      }),
    random: () => 0.5,
  });
  flaky.plan = (call) => (call === 'exists' ? 'before' : undefined);
  const call = failure(backend.exists());
  await pausing;
  return { flaky, backend, call };
}

describe('retryingBackend: pauses', () => {
  it('retries a transient failure until it succeeds, telling onRetry before each pause', async () => {
    const { flaky, backend, time, retries } = setup();
    const bytes = Buffer.from('an index');
    const ref = refOf('index', bytes);
    await flaky.inner.save(ref, bytes);
    flaky.plan = failFirst('load', 3);
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect(flaky.calls.load).toBe(4);
    expect(retries.map((r) => [r.operation, r.attempt, r.delayMs])).toEqual([
      ['load', 1, 250],
      ['load', 2, 500],
      ['load', 3, 1000],
    ]);
    expect(retries[0]?.what).toBe(`index object ${ref.id}`);
    expect(retries[0]?.error.code).toBe('unavailable');
    expect(time.delays).toEqual([250, 500, 1000]);
  });

  it('grows the pauses up to the cap, then gives up after maxAttempts with the count in the message', async () => {
    const { flaky, backend, time } = setup({ random: () => 0.999999, maxAttempts: 12, budgetMs: 1e9 });
    flaky.plan = (call) => (call === 'stat' ? 'before' : undefined);
    const err = await failure(backend.stat({ kind: 'snapshots', id: 'a'.repeat(64) }));
    expect(err).toBeInstanceOf(BackendError);
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('storage.example: stat timed out');
    expect(err.message).toMatch(/gave up after 12 attempts in \d+ s/);
    expect((err.cause as BackendError).message).toBe('storage.example: stat timed out');
    expect(flaky.calls.stat).toBe(12);
    expect(time.delays).toHaveLength(11);
    for (let i = 1; i < time.delays.length; i++) {
      expect(time.delays[i]).toBeGreaterThanOrEqual(time.delays[i - 1] as number);
    }
    expect(Math.max(...time.delays)).toBeLessThanOrEqual(30_000);
    expect(time.delays.slice(-3)).toEqual([29_999, 29_999, 29_999]);
    expect(time.delays[0]).toBe(499);
  });

  it('keeps each pause within its jitter bounds [0, min(cap, base * 2^(n-1)))', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const { flaky, backend, time } = setup({ random, maxAttempts: 40, budgetMs: 1e9 });
    flaky.plan = (call) => (call === 'remove' ? 'before' : undefined);
    expect(await codeOf(backend.remove({ kind: 'locks', id: 'b'.repeat(64) }))).toBe('unavailable');
    expect(time.delays).toHaveLength(39);
    time.delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(30_000, 500 * 2 ** i));
    });
    // Jitter: not all the same.
    expect(new Set(time.delays.slice(-10)).size).toBeGreaterThan(5);
  });

  it('gives up once the next pause would end past the time budget', async () => {
    const { flaky, backend, time } = setup({ random: () => 0.999999 });
    flaky.plan = (call) => (call === 'exists' ? 'before' : undefined);
    const err = await failure(backend.exists());
    expect(err.code).toBe('unavailable');
    const spent = time.delays.reduce((a, b) => a + b, 0);
    expect(spent).toBeLessThanOrEqual(5 * 60_000);
    expect(spent + 29_999).toBeGreaterThan(5 * 60_000);
    expect(err.message).toMatch(
      new RegExp(`gave up after ${time.delays.length + 1} attempts in ${Math.round(spent / 1000)} s`),
    );
  });

  it('never retries other codes: the error reaches the caller unchanged after one attempt', async () => {
    const codes: BackendErrorCode[] = [
      'auth',
      'host-key',
      'permission',
      'not-found',
      'io',
      'no-space',
      'invalid-object',
    ];
    for (const code of codes) {
      const { flaky, backend, time, retries } = setup();
      const thrown = new BackendError(code, `refused: ${code}`);
      flaky.plan = () => undefined;
      (flaky as { load: Backend['load'] }).load = async () => {
        flaky.calls.load++;
        throw thrown;
      };
      const err = await backend.load({ kind: 'keys', id: 'c'.repeat(64) }).catch((e: unknown) => e);
      expect(err).toBe(thrown);
      expect(flaky.calls.load).toBe(1);
      expect(time.delays).toEqual([]);
      expect(retries).toEqual([]);
    }
    // A plain Error (a bug, not the storage) is not retried either.
    const { flaky, backend } = setup();
    (flaky as { stat: Backend['stat'] }).stat = async () => {
      throw new TypeError('bug');
    };
    await expect(backend.stat({ kind: 'keys', id: 'c'.repeat(64) })).rejects.toThrow('bug');
  });

  it('ignores an onRetry listener that throws', async () => {
    const { flaky, backend } = setup({
      onRetry: () => {
        throw new Error('listener broke');
      },
    });
    flaky.plan = failFirst('exists', 1);
    expect(await backend.exists()).toBe(false);
  });

  it('interruptRetries ends the pauses under way (a cancelled task), and the backend stays usable', async () => {
    const { flaky, backend, call } = await existsPausing();
    backend.interruptRetries?.();
    const err = await call;
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('gave up after 1 attempt in');
    // Until a call succeeds, a transient failure is not retried (the clean-up of cancelled work).
    flaky.calls.exists = 0;
    flaky.plan = failFirst('exists', 1);
    expect((await failure(backend.exists())).message).toContain('gave up after 1 attempt');
    flaky.plan = () => undefined;
    expect(await backend.exists()).toBe(false);
  });

  it('ends a pause under way when the backend is closed, and retries again afterwards', async () => {
    const { flaky, backend, call } = await existsPausing();
    await backend.close();
    const err = await call;
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('gave up after 1 attempt in');
    flaky.plan = failFirst('exists', 1);
    flaky.calls.exists = 0;
    const quick = retryingBackend(flaky, { sleep: async () => undefined });
    expect(await quick.exists()).toBe(false);
  });
});

describe('retryingBackend: saves whose answer was lost', () => {
  it("takes 'exists' after a transient failure as its own save when the size matches", async () => {
    const { flaky, backend } = setup();
    const bytes = randomBytes(300);
    const ref = refOf('snapshots', bytes);
    flaky.plan = failFirst('save', 1, 'after');
    await backend.save(ref, [bytes.subarray(0, 100), bytes.subarray(100)]);
    expect(flaky.calls.save).toBe(2);
    expect(flaky.calls.stat).toBe(1);
    expect((await flaky.inner.load(ref)).equals(bytes)).toBe(true);
  });

  it("reports 'exists' when the object found has another size", async () => {
    const { flaky, backend } = setup();
    const ref = refOf('index', Buffer.from('ours'));
    // The first attempt fails before landing; meanwhile something else appears under the name.
    flaky.plan = (call, n) => (call === 'save' && n === 1 ? 'before' : undefined);
    await flaky.inner.save(ref, Buffer.from('something longer'));
    flaky.calls.save = 0;
    expect(await codeOf(backend.save(ref, Buffer.from('ours')))).toBe('exists');
    expect((await flaky.inner.load(ref)).toString()).toBe('something longer');
  });

  it("reports 'exists' at once when no earlier attempt failed, even with the same size", async () => {
    const { flaky, backend } = setup();
    const bytes = Buffer.from('same');
    const ref = refOf('keys', bytes);
    await flaky.inner.save(ref, bytes);
    expect(await codeOf(backend.save(ref, bytes))).toBe('exists');
    expect(flaky.calls.save).toBe(1);
    expect(flaky.calls.stat).toBe(0);
  });

  it('compares the bytes of a config or lock (not named by content)', async () => {
    const { flaky, backend } = setup();
    const config = { kind: 'config', id: 'config' } as const;
    flaky.plan = failFirst('save', 1, 'after');
    await backend.save(config, Buffer.from('config A'));
    expect((await flaky.inner.load(config)).toString()).toBe('config A');

    // Another writer's config of the same size landed between the attempts: not ours.
    const lock = { kind: 'locks', id: 'd'.repeat(64) } as const;
    flaky.calls.save = 0;
    flaky.plan = (call, n) => (call === 'save' && n === 1 ? 'before' : undefined);
    await flaky.inner.save(lock, Buffer.from('lock B'));
    expect(await codeOf(backend.save(lock, Buffer.from('lock A')))).toBe('exists');
  });

  it('retries a save with overwrite freely', async () => {
    const { flaky, backend } = setup();
    const config = { kind: 'config', id: 'config' } as const;
    await flaky.inner.save(config, Buffer.from('old'));
    flaky.plan = failFirst('save', 2, 'after');
    await backend.save(config, Buffer.from('new config'), { overwrite: true });
    expect(flaky.calls.save).toBe(3);
    expect((await flaky.inner.load(config)).toString()).toBe('new config');
  });
});

describe('retryingBackend: listings', () => {
  it('starts a broken listing again without yielding any id twice', async () => {
    const { flaky, backend, retries } = setup();
    const saved = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const bytes = Buffer.from(`snapshot ${i}`);
      saved.add(idOf(bytes));
      await flaky.inner.save(refOf('snapshots', bytes), bytes);
    }
    // Breaks after 5 entries, then after 12, then completes.
    flaky.listBreaksAfter = (n) => [5, 12][n - 1];
    const listed = await ids(backend.list('snapshots'));
    expect(listed).toHaveLength(20);
    expect(new Set(listed)).toEqual(saved);
    expect(flaky.calls.list).toBe(3);
    // Progress between the failures starts the count afresh.
    expect(retries.map((r) => r.attempt)).toEqual([1, 1]);
  });

  it('gives up on a listing that never gets anywhere', async () => {
    const { flaky, backend } = setup({ maxAttempts: 3 });
    await flaky.inner.save(refOf('index', Buffer.from('x')), Buffer.from('x'));
    flaky.listBreaksAfter = () => 0;
    expect(await codeOf(ids(backend.list('index')))).toBe('unavailable');
    expect(flaky.calls.list).toBe(3);
  });
});

describe('retryingBackend: staged objects', () => {
  const parts = () => [randomBytes(5000), randomBytes(70_000), randomBytes(1)];

  async function writeStaged(backend: Backend, chunks: Buffer[]): Promise<ObjectRef> {
    const staged = await backend.stage('data');
    for (const chunk of chunks) await staged.append(chunk);
    const ref = refOf('data', Buffer.concat(chunks));
    await staged.commit(ref.id);
    return ref;
  }

  it('after a failed append, stages afresh, appends everything again and commits it byte for byte', async () => {
    const { flaky, backend, retries } = setup();
    const chunks = parts();
    // The second append stores its bytes, then the connection drops.
    flaky.plan = (call, n) => (call === 'append' && n === 2 ? 'after' : undefined);
    const ref = await writeStaged(backend, chunks);
    expect((await flaky.inner.load(ref)).equals(Buffer.concat(chunks))).toBe(true);
    expect(flaky.calls.stage).toBe(2);
    expect(flaky.calls.append).toBe(2 + 2 + 1);
    expect(retries.map((r) => r.operation)).toEqual(['append']);
  });

  it('keeps restaging while the re-appends fail, then gives up and leaves nothing', async () => {
    const { flaky, backend } = setup({ maxAttempts: 4 });
    flaky.plan = (call, n) => (call === 'append' && n >= 2 ? 'before' : undefined);
    const staged = await backend.stage('data');
    await staged.append(Buffer.from('one'));
    const err = await failure(staged.append(Buffer.from('two')));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('gave up after 4 attempts');
    expect(flaky.calls.stage).toBe(4);
    expect(await codeOf(staged.append(Buffer.from('three')))).toBe('io');
    expect(await codeOf(staged.commit('e'.repeat(64)))).toBe('io');
    await staged.discard();
    expect(await ids(flaky.inner.list('data'))).toEqual([]);
  });

  it('after a commit that failed before landing, sends everything again and commits', async () => {
    const { flaky, backend } = setup();
    const chunks = parts();
    flaky.plan = failFirst('commit', 1, 'before');
    const ref = await writeStaged(backend, chunks);
    expect((await flaky.inner.load(ref)).equals(Buffer.concat(chunks))).toBe(true);
    expect(flaky.calls.stage).toBe(2);
    expect(flaky.calls.commit).toBe(2);
    expect(flaky.calls.append).toBe(6);
  });

  it('after a commit that landed although its answer was lost, one stat settles it: nothing is sent again', async () => {
    const { flaky, backend } = setup();
    const chunks = parts();
    flaky.plan = failFirst('commit', 1, 'after');
    const ref = await writeStaged(backend, chunks);
    expect((await flaky.inner.load(ref)).equals(Buffer.concat(chunks))).toBe(true);
    expect(flaky.calls.stage).toBe(1);
    expect(flaky.calls.stat).toBe(1);
  });

  it("takes the restaged commit's 'exists' as the lost commit's when the size matches", async () => {
    const { flaky, backend } = setup();
    const chunks = parts();
    // The commit lands but its answer is lost, and the stat that would tell fails too.
    flaky.plan = (call, n) => ((call === 'commit' || call === 'stat') && n === 1 ? 'after' : undefined);
    const ref = await writeStaged(backend, chunks);
    expect((await flaky.inner.load(ref)).equals(Buffer.concat(chunks))).toBe(true);
    expect(flaky.calls.stage).toBe(2);
    expect(flaky.calls.commit).toBe(2);
  });

  it("reports a first commit's 'exists' as it is, and a non-transient append failure without retrying", async () => {
    const { flaky, backend } = setup();
    const bytes = Buffer.from('pack');
    const ref = refOf('data', bytes);
    await flaky.inner.save(ref, bytes);
    const staged = await backend.stage('data');
    await staged.append(bytes);
    expect(await codeOf(staged.commit(ref.id))).toBe('exists');
    expect(flaky.calls.stat).toBe(0);

    const other = await backend.stage('data');
    (flaky.inner as { stage: Backend['stage'] }).stage = async () => ({
      append: async () => {
        throw new BackendError('no-space', 'full');
      },
      commit: async () => undefined,
      discard: async () => undefined,
    });
    const broken = await backend.stage('data');
    expect(await codeOf(broken.append(Buffer.from('x')))).toBe('no-space');
    expect(flaky.calls.stage).toBe(3);
    expect(await codeOf(broken.append(Buffer.from('y')))).toBe('io');
    await broken.discard();
    await other.discard();
  });

  it('passes create, close and the optional members through, keeping absent ones absent', async () => {
    const memory = new MemoryBackend();
    const wrapped = retryingBackend(memory);
    expect(wrapped.location).toBe('memory:');
    for (const name of ['shred', 'loadSync', 'listSync', 'cleanTemporaryFiles', 'destroy'] as const) {
      expect(name in wrapped, name).toBe(false);
    }
    let shredded: ObjectRef | undefined;
    const withShred = retryingBackend(
      Object.assign(new MemoryBackend(), {
        shred: async (ref: ObjectRef) => {
          shredded = ref;
        },
      }),
    );
    await withShred.shred?.({ kind: 'data', id: 'f'.repeat(64) });
    expect(shredded?.id).toBe('f'.repeat(64));
  });

  it('retries a shred that failed transiently (after its work, too: shredding again is harmless), not other codes', async () => {
    const memory = new MemoryBackend();
    const bytes = Buffer.from('a removed key slot');
    const ref = refOf('keys', bytes);
    await memory.save(ref, bytes);
    const attempts: string[] = [];
    let failures: BackendError[] = [];
    const shredding = Object.assign(memory, {
      shred: async (r: ObjectRef) => {
        attempts.push(r.id);
        await memory.remove(r);
        const next = failures.shift();
        if (next) throw next;
      },
    });
    const time = fakeTime();
    const retries: RetryInfo[] = [];
    const backend = retryingBackend(shredding, {
      sleep: time.sleep,
      now: time.now,
      random: () => 0.5,
      onRetry: (info) => retries.push(info),
    });
    failures = [unavailable('shred'), unavailable('shred')];
    await backend.shred?.(ref);
    expect(attempts).toEqual([ref.id, ref.id, ref.id]);
    expect(retries.map((r) => [r.operation, r.what, r.attempt])).toEqual([
      ['shred', `keys object ${ref.id}`, 1],
      ['shred', `keys object ${ref.id}`, 2],
    ]);
    expect(await codeOf(memory.load(ref))).toBe('not-found');
    failures = [new BackendError('permission', 'no permission to access keys object')];
    expect(await codeOf(backend.shred?.(ref) ?? Promise.resolve())).toBe('permission');
    expect(attempts).toHaveLength(4);
  });
});
