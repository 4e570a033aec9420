/**
 * The fault-injecting wrapper (faulty-backend.ts): unarmed, or armed with a fault that never
 * strikes, it keeps the backend contract (the conformance suite over MemoryBackend and
 * LocalBackend); armed, each fault kind does to the stored objects exactly what it claims.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { MemoryBackend } from '../../src/engine/backend/memory.js';
import type { ObjectInfo, ObjectKind, ObjectRef } from '../../src/engine/backend/types.js';
import { makeTempDir } from '../engine/helpers.js';
import { expectBackendError, runBackendConformance } from './conformance.js';
import { FAULT_KINDS, FaultyBackend } from './faulty-backend.js';

runBackendConformance('FaultyBackend over MemoryBackend, unarmed', async () => ({
  backend: new FaultyBackend(new MemoryBackend()),
  cleanup: async () => {},
}));

runBackendConformance('FaultyBackend over LocalBackend, armed with faults that never strike', async () => {
  const dir = await makeTempDir('faulty-conformance');
  const backend = new FaultyBackend(new LocalBackend(path.join(dir, 'repo')));
  backend.arm({ kind: 'stale-list', at: Number.POSITIVE_INFINITY });
  return { backend, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
});

const ref = (kind: ObjectKind, n: number): ObjectRef => ({ kind, id: n.toString(16).padStart(64, '0') });

async function ids(backend: FaultyBackend, kind: ObjectKind): Promise<string[]> {
  const out: ObjectInfo[] = [];
  for await (const info of backend.list(kind)) out.push(info);
  return out.map((o) => o.id).sort();
}

describe('FaultyBackend faults', () => {
  let inner: MemoryBackend;
  let faulty: FaultyBackend;

  beforeEach(async () => {
    inner = new MemoryBackend();
    faulty = new FaultyBackend(inner);
    await faulty.create();
  });

  it('names the calls each kind strikes, and strikes the at-th of them only', async () => {
    expect(FAULT_KINDS).toHaveLength(11);
    faulty.arm({ kind: 'fail-before', at: 2 });
    await faulty.save(ref('index', 1), Buffer.from('a'));
    await faulty.load(ref('index', 1)); // a read: not counted by a write fault
    await faulty.save(ref('index', 2), Buffer.from('b'));
    await expectBackendError(faulty.save(ref('index', 3), Buffer.from('c')), 'io');
    await faulty.save(ref('index', 4), Buffer.from('d'));
    expect(await ids(faulty, 'index')).toEqual([ref('index', 1).id, ref('index', 2).id, ref('index', 4).id]);
    expect(faulty.struck).toEqual([{ kind: 'fail-before', call: 'save', what: `index ${'0'.repeat(12)}` }]);
    expect(faulty.counts.save).toBe(4);
    expect(faulty.eligibleCount('fail-before')).toBe(4);
    expect(faulty.eligibleCount('load-fail')).toBe(1);
  });

  it('counts only calls about one kind of object when the fault names it', async () => {
    await faulty.save(ref('snapshots', 1), Buffer.from('s1'));
    await faulty.save(ref('index', 1), Buffer.from('i1'));
    faulty.arm({ kind: 'load-fail', at: 1, objects: 'snapshots' });
    await faulty.load(ref('snapshots', 1));
    await faulty.load(ref('index', 1));
    await faulty.load(ref('index', 1));
    await expectBackendError(faulty.load(ref('snapshots', 1)), 'io');
    expect(faulty.eligibleCount('load-fail', 'snapshots')).toBe(2);
    expect(faulty.eligibleCount('load-fail', 'index')).toBe(2);
    expect(faulty.eligibleCount('load-fail')).toBe(4);
  });

  it('fail-after stores the object, then reports failure', async () => {
    faulty.arm({ kind: 'fail-after', at: 0 });
    const err = await expectBackendError(faulty.save(ref('snapshots', 1), Buffer.from('stored')), 'io');
    expect(err.message).toContain('injected');
    expect((await inner.load(ref('snapshots', 1))).toString()).toBe('stored');
  });

  it('repeated stores the object and reports the retry\'s "exists"', async () => {
    faulty.arm({ kind: 'repeated', at: 0 });
    await expectBackendError(faulty.save(ref('keys', 1), Buffer.from('slot')), 'exists');
    expect((await inner.load(ref('keys', 1))).toString()).toBe('slot');
  });

  it('slow writes succeed', async () => {
    faulty.arm({ kind: 'slow', at: 0, delayMs: 3 });
    await faulty.save(ref('index', 1), Buffer.from('late'));
    expect((await inner.load(ref('index', 1))).toString()).toBe('late');
    expect(faulty.struck).toHaveLength(1);
  });

  it('partial stores a seeded prefix of an append, then fails; the same seed stops at the same byte', async () => {
    const data = Buffer.from('0123456789abcdefghij'.repeat(50));
    const kept: string[] = [];
    for (let round = 0; round < 2; round++) {
      faulty.arm({ kind: 'partial', at: 1, seed: 7 });
      const staged = await faulty.stage('data');
      await staged.append(Buffer.from('head:'));
      const err = await expectBackendError(staged.append(data), 'io');
      kept.push(err.message);
      // Outside the contract (only discard is of use after a failed append), to see what landed.
      await staged.commit(ref('data', round).id);
      const landed = (await inner.load(ref('data', round))).toString();
      expect(landed.length).toBeLessThan(5 + data.length);
      expect(`head:${data.toString()}`.startsWith(landed)).toBe(true);
      expect(err.message).toContain(`stopped after ${landed.length - 5} of ${data.length} bytes`);
    }
    expect(kept[0]).toBe(kept[1]);
  });

  it('rename-landed reports a failed commit of an object that appeared; rename-lost of one that did not', async () => {
    for (const [kind, appears] of [
      ['rename-landed', true],
      ['rename-lost', false],
    ] as const) {
      faulty.arm({ kind, at: 0 });
      const staged = await faulty.stage('data');
      await staged.append(Buffer.from(kind));
      const target = ref('data', appears ? 1 : 2);
      await expectBackendError(staged.commit(target.id), 'io');
      await staged.discard();
      expect((await ids(faulty, 'data')).includes(target.id)).toBe(appears);
    }
    expect(await ids(faulty, 'data')).toEqual([ref('data', 1).id]);
    expect((await inner.load(ref('data', 1))).toString()).toBe('rename-landed');
  });

  it('no-space fails every write from at on, lets removes through, and heal ends it', async () => {
    faulty.arm({ kind: 'no-space', at: 1 });
    await faulty.save(ref('data', 1), Buffer.from('fits'));
    await expectBackendError(faulty.save(ref('data', 2), Buffer.from('full')), 'no-space');
    await expectBackendError(faulty.stage('data'), 'no-space');
    await faulty.remove(ref('data', 1));
    await expectBackendError(faulty.save(ref('data', 3), Buffer.from('still full')), 'no-space');
    faulty.heal();
    await faulty.save(ref('data', 3), Buffer.from('room again'));
    expect(await ids(faulty, 'data')).toEqual([ref('data', 3).id]);
  });

  it('stale-list leaves objects written from at on out of listings until heal; they still load', async () => {
    faulty.arm({ kind: 'stale-list', at: 1 });
    await faulty.save(ref('index', 1), Buffer.from('old'));
    await faulty.save(ref('index', 2), Buffer.from('new'));
    const staged = await faulty.stage('data');
    await staged.append(Buffer.from('pack'));
    await staged.commit(ref('data', 3).id);
    expect(await ids(faulty, 'index')).toEqual([ref('index', 1).id]);
    expect(await ids(faulty, 'data')).toEqual([]);
    expect((await faulty.load(ref('index', 2))).toString()).toBe('new');
    faulty.heal();
    expect(await ids(faulty, 'index')).toEqual([ref('index', 1).id, ref('index', 2).id]);
    expect(await ids(faulty, 'data')).toEqual([ref('data', 3).id]);
  });

  it('load-fail fails one read (load or stat); remove-fail one removal, and the object stays', async () => {
    await faulty.save(ref('snapshots', 1), Buffer.from('x'));
    faulty.arm({ kind: 'load-fail', at: 1 });
    await faulty.stat(ref('snapshots', 1));
    await expectBackendError(faulty.load(ref('snapshots', 1)), 'io');
    expect((await faulty.load(ref('snapshots', 1))).toString()).toBe('x');
    faulty.arm({ kind: 'remove-fail', at: 0 });
    await expectBackendError(faulty.remove(ref('snapshots', 1)), 'io');
    expect(await ids(faulty, 'snapshots')).toEqual([ref('snapshots', 1).id]);
    await faulty.remove(ref('snapshots', 1));
    expect(await ids(faulty, 'snapshots')).toEqual([]);
  });

  it('offers cleanTemporaryFiles only when the inner backend does', async () => {
    expect(faulty.cleanTemporaryFiles).toBeUndefined();
    const dir = await makeTempDir('faulty-local');
    try {
      const local = new FaultyBackend(new LocalBackend(path.join(dir, 'repo')));
      await local.create();
      expect(await local.cleanTemporaryFiles?.(0)).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
