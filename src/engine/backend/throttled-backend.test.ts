/**
 * The throttling wrapper with a fake clock and scheduler: uploads and downloads keep to their
 * limits (1 MiB at 256 KiB/s takes about 4 s of fake time), the limit is shared by calls running
 * at once, a staged object's appends go out in paced pieces; and never more than N calls reach
 * the inner backend at once, with listings that cannot starve the calls made inside them.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from './memory.js';
import { pieces, Slots, TokenBucket, throttledBackend } from './throttled-backend.js';
import type { Backend, ObjectInfo, ObjectRef } from './types.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const ref = (n: number, kind: ObjectRef['kind'] = 'data'): ObjectRef => ({
  kind,
  id: n.toString(16).padStart(64, '0'),
});

/**
 * Fake time: `sleep` registers a timer; `drive` runs work to its end, letting the event loop
 * turn and then moving the clock to the earliest timer, as long as the work waits on one.
 */
function fakeScheduler() {
  let now = 0;
  let timers: { at: number; resolve: () => void }[] = [];
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: now + ms, resolve })),
    async drive<T>(work: Promise<T>): Promise<T> {
      let settled = false;
      work.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      for (;;) {
        await turn();
        if (settled) return work;
        timers.sort((a, b) => a.at - b.at);
        const [next, ...rest] = timers;
        if (!next) throw new Error('the work waits on something other than the fake clock');
        timers = rest;
        now = Math.max(now, next.at);
        next.resolve();
      }
    },
  };
}

describe('throttledBackend: rates', () => {
  it('returns the inner backend itself when no limit is set', () => {
    const inner = new MemoryBackend();
    expect(throttledBackend(inner)).toBe(inner);
    expect(throttledBackend(inner, { uploadKiBps: 0, downloadKiBps: undefined, connections: 0 })).toBe(inner);
  });

  it('takes about 4 s of fake time to save 1 MiB at 256 KiB/s', async () => {
    const time = fakeScheduler();
    const backend = throttledBackend(new MemoryBackend(), { uploadKiBps: 256 }, time);
    const data = randomBytes(MiB);
    await time.drive(backend.save(ref(1), data));
    // The bucket starts with one piece (half a second's worth) in it.
    expect(time.now()).toBeGreaterThanOrEqual(3500);
    expect(time.now()).toBeLessThanOrEqual(4000);
    expect((await backend.load(ref(1))).equals(data)).toBe(true);
  });

  it('paces a staged object: a 1 MiB append reaches the inner backend in pieces, half a second apart', async () => {
    const time = fakeScheduler();
    const memory = new MemoryBackend();
    const appendedAt: { at: number; bytes: number }[] = [];
    const inner: Backend = Object.assign(Object.create(memory) as MemoryBackend, {
      stage: async (kind: ObjectRef['kind']) => {
        const staged = await memory.stage(kind);
        return {
          ...staged,
          append: (data: Uint8Array | readonly Uint8Array[]) => {
            const parts = Array.isArray(data) ? (data as readonly Uint8Array[]) : [data as Uint8Array];
            appendedAt.push({ at: time.now(), bytes: parts.reduce((n, p) => n + p.length, 0) });
            return staged.append(data);
          },
        };
      },
    });
    const backend = throttledBackend(inner, { uploadKiBps: 256 }, time);
    const data = [randomBytes(300 * KiB), randomBytes(724 * KiB)];
    const staged = await backend.stage('data');
    await time.drive(staged.append(data));
    await staged.commit(ref(2).id);
    expect(appendedAt.map((a) => a.bytes)).toEqual(Array(8).fill(128 * KiB));
    expect(appendedAt.map((a) => a.at)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500]);
    expect((await memory.load(ref(2))).equals(Buffer.concat(data))).toBe(true);
  });

  it('shares one limit between uploads running at once', async () => {
    const time = fakeScheduler();
    const backend = throttledBackend(new MemoryBackend(), { uploadKiBps: 256 }, time);
    await time.drive(
      Promise.all([backend.save(ref(3), randomBytes(MiB / 2)), backend.save(ref(4), randomBytes(MiB / 2))]),
    );
    expect(time.now()).toBeGreaterThanOrEqual(3500);
    expect(time.now()).toBeLessThanOrEqual(4000);
  });

  it('counts loaded bytes against the download limit: a whole load after it, a range before it', async () => {
    const time = fakeScheduler();
    const memory = new MemoryBackend();
    await memory.save(ref(5), randomBytes(MiB));
    const backend = throttledBackend(memory, { downloadKiBps: 256, uploadKiBps: 1 }, time);
    expect((await time.drive(backend.load(ref(5)))).length).toBe(MiB);
    expect(time.now()).toBe(3500);
    const before = time.now();
    await time.drive(backend.load(ref(5), { offset: 0, length: 256 * KiB }));
    expect(time.now() - before).toBe(1000);
    // Uploads have their own bucket: a small save is not held up by the download debt.
    const start = time.now();
    await time.drive(backend.save(ref(6, 'locks'), randomBytes(100)));
    expect(time.now() - start).toBe(0);
  });
});

describe('throttledBackend: connections', () => {
  /** A MemoryBackend whose calls take a few real milliseconds and count how many run at once. */
  function slowMemory() {
    const memory = new MemoryBackend();
    const state = { running: 0, most: 0 };
    const slowly = async <T>(work: () => Promise<T>): Promise<T> => {
      state.running++;
      state.most = Math.max(state.most, state.running);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return await work();
      } finally {
        state.running--;
      }
    };
    const inner: Backend = {
      location: memory.location,
      save: (r, d, o) => slowly(() => memory.save(r, d, o)),
      load: (r, range, o) => slowly(() => memory.load(r, range, o)),
      stat: (r) => slowly(() => memory.stat(r)),
      async *list(kind) {
        const all = await slowly(async () => {
          const out: ObjectInfo[] = [];
          for await (const info of memory.list(kind)) out.push(info);
          return out;
        });
        for (const info of all) yield await slowly(async () => info);
      },
      remove: (r) => slowly(() => memory.remove(r)),
      stage: (kind) => slowly(() => memory.stage(kind)),
      exists: () => slowly(() => memory.exists()),
      create: () => memory.create(),
      close: () => memory.close(),
    };
    return { memory, inner, state };
  }

  it('never lets more than N calls reach the inner backend at once', async () => {
    const { memory, inner, state } = slowMemory();
    for (let i = 0; i < 10; i++) await memory.save(ref(i, 'index'), Buffer.from(`index ${i}`));
    const backend = throttledBackend(inner, { connections: 3 });
    const listing = async () => {
      let n = 0;
      for await (const _ of backend.list('index')) n++;
      return n;
    };
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      work.push(backend.load(ref(i, 'index')), backend.stat(ref(i, 'index')), listing());
      work.push(backend.save(ref(100 + i), Buffer.from('x')), backend.exists());
    }
    await Promise.all(work);
    expect(state.most).toBe(3);
    expect(state.running).toBe(0);
  });

  it('does not hold a slot between a listing entries: loading each entry inside the listing works with N = 1', async () => {
    const { memory, inner, state } = slowMemory();
    for (let i = 0; i < 5; i++) await memory.save(ref(i, 'keys'), Buffer.from(`slot ${i}`));
    const backend = throttledBackend(inner, { connections: 1 });
    const loaded: string[] = [];
    for await (const info of backend.list('keys')) loaded.push((await backend.load(info)).toString());
    expect(loaded.sort()).toEqual(['slot 0', 'slot 1', 'slot 2', 'slot 3', 'slot 4']);
    expect(state.most).toBe(1);
  });

  it('lets the inner listing go when the caller breaks off', async () => {
    let closed = false;
    const memory = new MemoryBackend();
    for (let i = 0; i < 3; i++) await memory.save(ref(i, 'snapshots'), Buffer.from(`s${i}`));
    const inner = Object.assign(Object.create(memory) as MemoryBackend, {
      async *list(kind: ObjectRef['kind']) {
        try {
          yield* memory.list(kind);
        } finally {
          closed = true;
        }
      },
    });
    const backend = throttledBackend(inner, { connections: 2 });
    for await (const _ of backend.list('snapshots')) break;
    expect(closed).toBe(true);
  });
});

describe('throttledBackend: parts', () => {
  it('cuts data into pieces of a size, as views of the same bytes', () => {
    const a = randomBytes(10);
    const b = randomBytes(25);
    const groups = [...pieces([a, Buffer.alloc(0), b], 8)];
    expect(groups.map((g) => g.reduce((n, p) => n + p.length, 0))).toEqual([8, 8, 8, 8, 3]);
    expect(Buffer.concat(groups.flat()).equals(Buffer.concat([a, b]))).toBe(true);
    expect(groups[0]?.[0]?.buffer).toBe(a.buffer);
    expect([...pieces(Buffer.alloc(0), 8)]).toEqual([]);
  });

  it('serves a token bucket in order, paying debt back at the rate', async () => {
    const time = fakeScheduler();
    const bucket = new TokenBucket(64 * KiB, time.sleep, time.now);
    expect(bucket.piece).toBe(32 * KiB);
    const done: string[] = [];
    await time.drive(
      Promise.all([
        bucket.take(64 * KiB).then(() => done.push(`a ${time.now()}`)),
        bucket.take(32 * KiB).then(() => done.push(`b ${time.now()}`)),
      ]),
    );
    // a came first: its first piece goes at once, its second in debt (0.5 s); b's piece waits behind it.
    expect(done).toEqual(['a 500', 'b 1000']);
  });

  it('hands a slot to the next caller in order', async () => {
    const slots = new Slots(1);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => slots.run(async () => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});
