/**
 * The backend conformance suite: every Backend implementation runs it to prove it keeps the
 * contract written in src/engine/backend/types.ts. `makeBackend` must return a backend over a
 * fresh, empty location (not yet created) and a cleanup that removes that location.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Backend,
  BackendError,
  type BackendErrorCode,
  OBJECT_KINDS,
  type ObjectKind,
  type ObjectRef,
} from '../../src/engine/backend/types.js';

export type BackendFactory = () => Promise<{ backend: Backend; cleanup: () => Promise<void> }>;

const randomId = (): string => randomBytes(32).toString('hex');
const refFor = (kind: ObjectKind): ObjectRef => ({ kind, id: kind === 'config' ? 'config' : randomId() });
const CONFIG: ObjectRef = { kind: 'config', id: 'config' };

/** Awaits `promise` and checks it rejects with a BackendError of `code`; returns the error. */
export async function expectBackendError(promise: Promise<unknown>, code: BackendErrorCode): Promise<BackendError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a BackendError '${code}'`).toBeInstanceOf(BackendError);
  const backendError = err as BackendError;
  expect(backendError.code).toBe(code);
  expect(backendError.message.length).toBeGreaterThan(0);
  return backendError;
}

async function collect(backend: Backend, kind: ObjectKind): Promise<{ id: string; size: number; kind: string }[]> {
  const out: { id: string; size: number; kind: string }[] = [];
  for await (const info of backend.list(kind)) out.push(info);
  return out;
}

export function runBackendConformance(name: string, makeBackend: BackendFactory): void {
  describe(`backend conformance: ${name}`, () => {
    let backend: Backend;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ backend, cleanup } = await makeBackend());
    });
    afterEach(async () => {
      await backend.close();
      await cleanup();
    });

    describe('create and exists', () => {
      it('exists() is false before create, false after create, true once a config is saved', async () => {
        expect(await backend.exists()).toBe(false);
        await backend.create();
        expect(await backend.exists()).toBe(false);
        await backend.save(CONFIG, Buffer.from('config bytes'));
        expect(await backend.exists()).toBe(true);
      });

      it('create on an empty location leaves every kind empty and usable', async () => {
        await backend.create();
        for (const kind of OBJECT_KINDS) expect(await collect(backend, kind)).toEqual([]);
        const ref = refFor('data');
        await backend.save(ref, Buffer.from('x'));
        expect((await backend.load(ref)).toString()).toBe('x');
      });

      it('create refuses with code exists when a config is already there', async () => {
        await backend.create();
        await backend.save(CONFIG, Buffer.from('config bytes'));
        await expectBackendError(backend.create(), 'exists');
        expect((await backend.load(CONFIG)).toString()).toBe('config bytes');
      });

      it('has a non-empty location string', () => {
        expect(typeof backend.location).toBe('string');
        expect(backend.location.length).toBeGreaterThan(0);
      });
    });

    describe('staged objects', () => {
      beforeEach(async () => {
        await backend.create();
      });

      it('are invisible until commit, then hold every appended byte in order', async () => {
        const parts = [randomBytes(1000), randomBytes(0), randomBytes(70_000), randomBytes(3)];
        const staged = await backend.stage('data');
        await staged.append(parts[0] as Buffer);
        await staged.append([parts[1] as Buffer, parts[2] as Buffer]);
        await staged.append(parts[3] as Buffer);
        const ref = refFor('data');
        expect(await collect(backend, 'data')).toEqual([]);
        await expectBackendError(backend.load(ref), 'not-found');
        await staged.commit(ref.id);
        const whole = Buffer.concat(parts);
        expect((await backend.load(ref)).equals(whole)).toBe(true);
        expect(await backend.stat(ref)).toEqual({ size: whole.length });
        expect((await backend.load(ref, { offset: 999, length: 5 })).equals(whole.subarray(999, 1004))).toBe(true);
        expect(await collect(backend, 'data')).toEqual([{ kind: 'data', id: ref.id, size: whole.length }]);
      });

      it('commit an empty object, and objects of other kinds', async () => {
        for (const kind of ['index', 'snapshots'] as const) {
          const staged = await backend.stage(kind);
          const ref = refFor(kind);
          await staged.commit(ref.id);
          expect((await backend.load(ref)).length).toBe(0);
        }
      });

      it('round-trips 20 MiB appended in 1 MiB pieces, next to other staged objects', async () => {
        const data = randomBytes(20 * 1024 * 1024);
        const [a, b] = [await backend.stage('data'), await backend.stage('data')];
        const other = randomBytes(5000);
        await b.append(other);
        for (let at = 0; at < data.length; at += 1024 * 1024) await a.append(data.subarray(at, at + 1024 * 1024));
        const [refA, refB] = [refFor('data'), refFor('data')];
        await Promise.all([a.commit(refA.id), b.commit(refB.id)]);
        expect((await backend.load(refA)).equals(data)).toBe(true);
        expect((await backend.load(refB)).equals(other)).toBe(true);
      });

      it('refuse to commit over an existing object and keep the original', async () => {
        const ref = refFor('data');
        await backend.save(ref, Buffer.from('original'));
        const staged = await backend.stage('data');
        await staged.append(Buffer.from('replacement'));
        await expectBackendError(staged.commit(ref.id), 'exists');
        expect((await backend.load(ref)).toString()).toBe('original');
        expect(await collect(backend, 'data')).toHaveLength(1);
      });

      it('leave nothing behind when discarded, and refuse use after commit or discard', async () => {
        const staged = await backend.stage('data');
        await staged.append(randomBytes(4096));
        await staged.discard();
        await staged.discard();
        await expectBackendError(staged.append(Buffer.from('x')), 'io');
        await expectBackendError(staged.commit(randomId()), 'io');
        expect(await collect(backend, 'data')).toEqual([]);

        const committed = await backend.stage('index');
        await committed.append(Buffer.from('kept'));
        const ref = refFor('index');
        await committed.commit(ref.id);
        await expectBackendError(committed.append(Buffer.from('more')), 'io');
        await expectBackendError(committed.commit(randomId()), 'io');
        await committed.discard();
        expect((await backend.load(ref)).toString()).toBe('kept');
      });

      it('keep the bytes an append was given even when the caller reuses its buffer', async () => {
        const staged = await backend.stage('data');
        const buffer = Buffer.from('first part ');
        await staged.append(buffer);
        buffer.fill(0x41);
        await staged.append(Buffer.from('second part'));
        const ref = refFor('data');
        await staged.commit(ref.id);
        expect((await backend.load(ref)).toString()).toBe('first part second part');
      });

      it('refuse an invalid id on commit with an io error and store nothing', async () => {
        const staged = await backend.stage('data');
        await staged.append(Buffer.from('x'));
        const err = await expectBackendError(staged.commit('../escape'), 'io');
        expect(err.message).toMatch(/invalid object id/);
        expect(await collect(backend, 'data')).toEqual([]);
        await expectBackendError(backend.stage('nonsense' as ObjectKind), 'io');
      });
    });

    describe('objects', () => {
      beforeEach(async () => {
        await backend.create();
      });

      it('saves and loads an object of every kind, and stats its size', async () => {
        for (const kind of OBJECT_KINDS) {
          const ref = refFor(kind);
          const data = randomBytes(1000 + kind.length);
          await backend.save(ref, data);
          const loaded = await backend.load(ref);
          expect(Buffer.isBuffer(loaded)).toBe(true);
          expect(loaded.equals(data)).toBe(true);
          expect(await backend.stat(ref)).toEqual({ size: data.length });
        }
      });

      it('saves and loads an empty object', async () => {
        const ref = refFor('snapshots');
        await backend.save(ref, new Uint8Array(0));
        expect((await backend.load(ref)).length).toBe(0);
        expect(await backend.stat(ref)).toEqual({ size: 0 });
      });

      it('accepts a Uint8Array that is a view into a larger buffer', async () => {
        const whole = randomBytes(100);
        const view = new Uint8Array(whole.buffer, whole.byteOffset + 10, 50);
        const ref = refFor('data');
        await backend.save(ref, view);
        expect((await backend.load(ref)).equals(whole.subarray(10, 60))).toBe(true);
      });

      it('keeps binary data with every byte value intact', async () => {
        const data = Buffer.alloc(256 * 4);
        for (let i = 0; i < data.length; i++) data[i] = i % 256;
        const ref = refFor('index');
        await backend.save(ref, data);
        expect((await backend.load(ref)).equals(data)).toBe(true);
      });

      it('loads ranges at the start, middle and end, and zero-length ranges', async () => {
        const data = randomBytes(10_000);
        const ref = refFor('data');
        await backend.save(ref, data);
        expect((await backend.load(ref, { offset: 0, length: 100 })).equals(data.subarray(0, 100))).toBe(true);
        expect((await backend.load(ref, { offset: 4321, length: 1234 })).equals(data.subarray(4321, 5555))).toBe(true);
        expect((await backend.load(ref, { offset: 9_000, length: 1_000 })).equals(data.subarray(9_000))).toBe(true);
        expect((await backend.load(ref, { offset: 0, length: 10_000 })).equals(data)).toBe(true);
        expect((await backend.load(ref, { offset: 500, length: 0 })).length).toBe(0);
        expect((await backend.load(ref, { offset: 10_000, length: 0 })).length).toBe(0);
      });

      it('fails with code range when a read goes past the end', async () => {
        const ref = refFor('data');
        await backend.save(ref, randomBytes(1000));
        await expectBackendError(backend.load(ref, { offset: 990, length: 11 }), 'range');
        await expectBackendError(backend.load(ref, { offset: 1000, length: 1 }), 'range');
        await expectBackendError(backend.load(ref, { offset: 5000, length: 10 }), 'range');
        await expectBackendError(backend.load(ref, { offset: 1001, length: 0 }), 'range');
        await expectBackendError(backend.load(ref, { offset: -1, length: 10 }), 'range');
        await expectBackendError(backend.load(ref, { offset: 0, length: -1 }), 'range');
      });

      it('fails with code not-found when loading or stating a missing object', async () => {
        for (const kind of OBJECT_KINDS) {
          const ref = refFor(kind);
          await expectBackendError(backend.load(ref), 'not-found');
          await expectBackendError(backend.load(ref, { offset: 0, length: 1 }), 'not-found');
          await expectBackendError(backend.stat(ref), 'not-found');
        }
      });

      it('refuses to save over an existing object without overwrite and keeps the original', async () => {
        for (const kind of OBJECT_KINDS) {
          const ref = refFor(kind);
          const original = randomBytes(500);
          await backend.save(ref, original);
          await expectBackendError(backend.save(ref, randomBytes(800)), 'exists');
          await expectBackendError(backend.save(ref, randomBytes(500), { overwrite: false }), 'exists');
          expect((await backend.load(ref)).equals(original)).toBe(true);
          expect(await backend.stat(ref)).toEqual({ size: 500 });
        }
      });

      it('replaces an object when overwrite is set, also with shorter data', async () => {
        for (const ref of [CONFIG, refFor('locks')]) {
          await backend.save(ref, randomBytes(2000));
          const replacement = randomBytes(300);
          await backend.save(ref, replacement, { overwrite: true });
          expect((await backend.load(ref)).equals(replacement)).toBe(true);
          expect(await backend.stat(ref)).toEqual({ size: 300 });
          expect((await collect(backend, ref.kind)).filter((o) => o.id === ref.id)).toHaveLength(1);
        }
      });

      it('saves with overwrite when the object does not exist yet', async () => {
        const ref = refFor('locks');
        await backend.save(ref, Buffer.from('lock'), { overwrite: true });
        expect((await backend.load(ref)).toString()).toBe('lock');
      });

      it('lists every object of a kind once, with its size, and nothing of other kinds', async () => {
        const saved = new Map<string, number>();
        // 600 random ids land in (nearly) every one of the 256 data shards; force the extremes too.
        const ids = Array.from({ length: 598 }, randomId);
        ids.push(`00${randomId().slice(2)}`, `ff${randomId().slice(2)}`);
        await Promise.all(
          ids.map(async (id, i) => {
            const size = i % 97;
            saved.set(id, size);
            await backend.save({ kind: 'data', id }, randomBytes(size));
          }),
        );
        const indexRef = refFor('index');
        await backend.save(indexRef, randomBytes(42));
        await backend.save(CONFIG, randomBytes(7));

        const listed = await collect(backend, 'data');
        expect(listed).toHaveLength(saved.size);
        expect(new Set(listed.map((o) => o.id)).size).toBe(saved.size);
        for (const info of listed) {
          expect(info.kind).toBe('data');
          expect(info.size).toBe(saved.get(info.id));
        }
        expect(await collect(backend, 'index')).toEqual([{ kind: 'index', id: indexRef.id, size: 42 }]);
        expect(await collect(backend, 'config')).toEqual([{ kind: 'config', id: 'config', size: 7 }]);
        expect(await collect(backend, 'keys')).toEqual([]);
      });

      it('removes objects idempotently; a removed object is neither loadable nor listed', async () => {
        const keep = refFor('snapshots');
        const gone = refFor('snapshots');
        await backend.save(keep, Buffer.from('keep'));
        await backend.save(gone, Buffer.from('gone'));
        await backend.remove(gone);
        await backend.remove(gone);
        await backend.remove(refFor('data'));
        await expectBackendError(backend.load(gone), 'not-found');
        await expectBackendError(backend.stat(gone), 'not-found');
        expect((await collect(backend, 'snapshots')).map((o) => o.id)).toEqual([keep.id]);
        // The name is free again afterwards.
        await backend.save(gone, Buffer.from('again'));
        expect((await backend.load(gone)).toString()).toBe('again');
      });

      it('round-trips a 20 MiB object, whole and by range', async () => {
        const data = randomBytes(20 * 1024 * 1024);
        const ref = refFor('data');
        await backend.save(ref, data);
        expect(await backend.stat(ref)).toEqual({ size: data.length });
        expect((await backend.load(ref)).equals(data)).toBe(true);
        const offset = data.length - 70_000;
        expect((await backend.load(ref, { offset, length: 70_000 })).equals(data.subarray(offset))).toBe(true);
      });

      it('handles concurrent saves of different objects', async () => {
        const objects = Array.from({ length: 64 }, (_, i) => ({
          ref: refFor(i % 2 ? 'data' : 'index'),
          data: randomBytes(1000 + i),
        }));
        await Promise.all(objects.map((o) => backend.save(o.ref, o.data)));
        const loaded = await Promise.all(objects.map((o) => backend.load(o.ref)));
        for (const [i, buf] of loaded.entries()) expect(buf.equals(objects[i]?.data ?? Buffer.alloc(0))).toBe(true);
        expect((await collect(backend, 'data')).length + (await collect(backend, 'index')).length).toBe(64);
      });

      it('of concurrent saves of the same new object exactly one succeeds', async () => {
        const ref = refFor('locks');
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => backend.save(ref, Buffer.from(`writer ${i}`))),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as BackendError).code).toBe('exists');
        expect((await backend.load(ref)).toString()).toBe(`writer ${won[0]}`);
      });

      it('does not let callers change stored bytes through buffers they hold', async () => {
        const ref = refFor('keys');
        const data = Buffer.from('the original bytes');
        await backend.save(ref, data);
        data.fill(0);
        const first = await backend.load(ref);
        expect(first.toString()).toBe('the original bytes');
        first.fill(1);
        const ranged = await backend.load(ref, { offset: 4, length: 8 });
        ranged.fill(2);
        expect((await backend.load(ref)).toString()).toBe('the original bytes');
      });

      it('refuses invalid ids with an io error', async () => {
        const bad: ObjectRef[] = [
          { kind: 'data', id: '../x' },
          { kind: 'data', id: 'ab/../../etc' },
          { kind: 'data', id: 'A'.repeat(64) },
          { kind: 'data', id: 'a'.repeat(63) },
          { kind: 'data', id: 'a'.repeat(65) },
          { kind: 'data', id: '' },
          { kind: 'data', id: 'config' },
          { kind: 'keys', id: `${'a'.repeat(62)}/x` },
          { kind: 'config', id: 'a'.repeat(64) },
          { kind: 'nonsense' as ObjectKind, id: 'a'.repeat(64) },
        ];
        for (const ref of bad) {
          const err = await expectBackendError(backend.save(ref, Buffer.from('x')), 'io');
          expect(err.message).toMatch(/invalid object (id|kind)/);
          await expectBackendError(backend.load(ref), 'io');
          await expectBackendError(backend.stat(ref), 'io');
          await expectBackendError(backend.remove(ref), 'io');
        }
        for (const kind of OBJECT_KINDS) expect(await collect(backend, kind)).toEqual([]);
      });

      it('close() can be called more than once', async () => {
        await backend.close();
        await backend.close();
      });
    });

    describe('loadSync and listSync (where the backend has them)', () => {
      beforeEach(async () => {
        await backend.create();
      });

      it('read what load and list read, with the same refusals', async () => {
        if (!backend.loadSync || !backend.listSync) return; // optional: nothing to hold them to
        const refs = [refFor('keys'), refFor('keys'), refFor('data')];
        for (const ref of refs) await backend.save(ref, randomBytes(100));
        for (const kind of ['keys', 'data'] as const) {
          const listed: string[] = [];
          for await (const info of backend.list(kind)) listed.push(info.id);
          expect(backend.listSync(kind)).toEqual(listed);
        }
        for (const ref of refs) expect(backend.loadSync(ref).equals(await backend.load(ref))).toBe(true);
        const err = (() => {
          try {
            backend.loadSync?.(refs[0] as ObjectRef, { maxLength: 99 });
          } catch (e) {
            return e as BackendError;
          }
          return undefined;
        })();
        expect(err?.code).toBe('invalid-object');
        const missing = (() => {
          try {
            backend.loadSync?.(refFor('keys'));
          } catch (e) {
            return e as BackendError;
          }
          return undefined;
        })();
        expect(missing?.code).toBe('not-found');
      });
    });

    describe('shred (where the backend has it)', () => {
      beforeEach(async () => {
        await backend.create();
      });

      it('removes objects as remove does, idempotently, and leaves every other object as it was', async () => {
        if (!backend.shred) return; // optional: such a backend is erased with remove
        const keep = refFor('keys');
        const kept = randomBytes(700);
        await backend.save(keep, kept);
        // A data object larger than the pieces a shred writes at a time (1 MiB), and an empty one.
        const gone: [ObjectRef, Buffer][] = [
          [refFor('keys'), randomBytes(1100)],
          [refFor('data'), randomBytes(2 * 1024 * 1024 + 5)],
          [refFor('snapshots'), randomBytes(300)],
          [refFor('locks'), randomBytes(200)],
          [refFor('index'), Buffer.alloc(0)],
        ];
        for (const [ref, bytes] of gone) await backend.save(ref, bytes);
        for (const [ref] of gone) {
          await backend.shred(ref);
          await backend.shred(ref); // nothing there any more: still fine
          await expectBackendError(backend.load(ref), 'not-found');
          await expectBackendError(backend.stat(ref), 'not-found');
        }
        await backend.shred(refFor('data')); // never saved
        for (const kind of ['data', 'snapshots', 'locks', 'index'] as const) {
          expect(await collect(backend, kind), kind).toEqual([]);
        }
        expect(await collect(backend, 'keys')).toEqual([{ kind: 'keys', id: keep.id, size: 700 }]);
        expect((await backend.load(keep)).equals(kept)).toBe(true);
        // The name is free again afterwards.
        const [again] = gone[0] as [ObjectRef, Buffer];
        await backend.save(again, Buffer.from('again'));
        expect((await backend.load(again)).toString()).toBe('again');
      });

      it('refuses invalid ids with an io error and touches nothing', async () => {
        if (!backend.shred) return;
        const keep = refFor('data');
        await backend.save(keep, Buffer.from('keep'));
        const bad: ObjectRef[] = [
          { kind: 'data', id: '../x' },
          { kind: 'keys', id: `${'a'.repeat(62)}/x` },
          { kind: 'config', id: 'a'.repeat(64) },
          { kind: 'nonsense' as ObjectKind, id: 'a'.repeat(64) },
        ];
        for (const ref of bad) await expectBackendError(backend.shred(ref), 'io');
        expect((await backend.load(keep)).toString()).toBe('keep');
      });
    });

    describe('maxLength (the caps the repository passes, src/engine/format/limits.ts)', () => {
      beforeEach(async () => {
        await backend.create();
      });

      it('loads an object at the limit, and refuses one a byte above it naming the object, size and limit', async () => {
        for (const kind of ['config', 'keys', 'locks', 'data'] as const) {
          const limit = 4096;
          const atLimit = refFor(kind);
          const data = randomBytes(limit);
          await backend.save(atLimit, data, { overwrite: kind === 'config' });
          expect((await backend.load(atLimit, undefined, { maxLength: limit })).equals(data), kind).toBe(true);
          const above = refFor(kind);
          await backend.save(above, randomBytes(limit + 1), { overwrite: kind === 'config' });
          const err = await expectBackendError(backend.load(above, undefined, { maxLength: limit }), 'invalid-object');
          expect(err.message).toContain(kind === 'config' ? 'the repository config' : above.id);
          expect(err.message).toContain(`(${limit + 1} bytes)`);
          expect(err.message).toContain(`(${limit} bytes)`);
          // The size is reported as it is, and the bytes below the limit can still be read by range.
          expect((await backend.stat(above)).size).toBe(limit + 1);
          expect((await backend.load(above, { offset: limit - 4, length: 4 }, { maxLength: limit })).length).toBe(4);
          const ranged = await expectBackendError(
            backend.load(above, { offset: limit - 4, length: 5 }, { maxLength: limit }),
            'invalid-object',
          );
          expect(ranged.message).toContain(`(${limit} bytes)`);
          // Without a limit the whole object is read.
          expect((await backend.load(above)).length).toBe(limit + 1);
        }
      });
    });
  });
}
