/** PackWriter: packs streamed to a backend in pieces, and what a failing disk or an abandoned writer leaves. */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../backend/local.js';
import { MemoryBackend } from '../backend/memory.js';
import { BackendError, type ObjectKind, type StagedObject } from '../backend/types.js';
import { decodePackHeader } from '../format/pack.js';
import { PackWriter, type SavedPack } from './pack-writer.js';

const KiB = 1024;
const dataKey = randomBytes(32);
const blob = (i: number, size: number) => ({
  id: createHash('sha256').update(`blob ${i}`).digest('hex'),
  stored: randomBytes(size),
});

/** A memory backend whose staged appends fail once `limit` bytes were appended (a disk filling up). */
class FillingBackend extends MemoryBackend {
  appended = 0;
  discarded = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override async stage(kind: ObjectKind): Promise<StagedObject> {
    const inner = await super.stage(kind);
    return {
      append: async (data) => {
        const parts = Array.isArray(data) ? data : [data as Uint8Array];
        this.appended += parts.reduce((n, p) => n + p.length, 0);
        if (this.appended > this.limit) throw new BackendError('no-space', 'the storage location is full (test)');
        await inner.append(data);
      },
      commit: (id) => inner.commit(id),
      discard: async () => {
        this.discarded++;
        await inner.discard();
      },
    };
  }
}

async function listData(backend: MemoryBackend | LocalBackend): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of backend.list('data')) ids.push(info.id);
  return ids;
}

describe('PackWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-pack-writer-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('streams blobs into packs named by the hash of their bytes, whose headers list every blob', async () => {
    const backend = new LocalBackend(path.join(dir, 'repo'));
    await backend.create();
    const saved: SavedPack[] = [];
    const writer = new PackWriter(backend, dataKey, 3 * 1024 * KiB, (p) => saved.push(p));
    const blobs = Array.from({ length: 120 }, (_, i) => blob(i, (i % 7) * 20 * KiB + 100));
    for (const b of blobs) await writer.add('data', b.id, b.stored, b.stored.length * 2);
    await writer.flush();
    expect(saved.length).toBeGreaterThan(1);
    expect((await listData(backend)).sort()).toEqual(saved.map((p) => p.id).sort());
    const seen: string[] = [];
    for (const pack of saved) {
      const bytes = await backend.load({ kind: 'data', id: pack.id });
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(pack.id);
      expect(bytes.length).toBe(pack.size);
      const entries = decodePackHeader(dataKey, bytes, 'pack');
      expect(entries).toEqual(pack.entries);
      for (const e of entries) {
        const original = blobs.find((b) => b.id === e.id);
        expect(bytes.subarray(e.offset, e.offset + e.length).equals(original?.stored ?? Buffer.alloc(0))).toBe(true);
        seen.push(e.id);
      }
    }
    // Every blob in exactly one pack (packs may finish in either order).
    expect([...seen].sort()).toEqual(blobs.map((b) => b.id).sort());
    // Nothing staged is left behind.
    expect((await fs.readdir(path.join(dir, 'repo', 'data'))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('fails with the disk-full error, commits nothing partial, and drops what it staged', async () => {
    const backend = new FillingBackend(2 * 1024 * KiB);
    await backend.create();
    const saved: SavedPack[] = [];
    const writer = new PackWriter(backend, dataKey, 8 * 1024 * KiB, (p) => saved.push(p));
    const adding = (async () => {
      for (let i = 0; i < 100; i++) {
        const b = blob(i, 64 * KiB);
        await writer.add('data', b.id, b.stored, b.stored.length);
      }
      await writer.flush();
    })();
    await expect(adding).rejects.toThrow(/storage location is full/);
    await expect(writer.flush()).rejects.toThrow(/storage location is full/);
    expect(saved).toEqual([]);
    expect(await listData(backend)).toEqual([]);
    expect(backend.discarded).toBe(1);
  });

  it('abandon removes the pack being filled and leaves no temporary file', async () => {
    const backend = new LocalBackend(path.join(dir, 'repo'));
    await backend.create();
    const saved: SavedPack[] = [];
    const writer = new PackWriter(backend, dataKey, 4 * 1024 * KiB, (p) => saved.push(p));
    for (let i = 0; i < 40; i++) {
      const b = blob(i, 128 * KiB);
      await writer.add('data', b.id, b.stored, b.stored.length);
    }
    const dataDir = path.join(dir, 'repo', 'data');
    const staged = async () => (await fs.readdir(dataDir)).filter((n) => n.startsWith('.tmp-'));
    // The pack being filled is on disk (and the first one may still be being committed).
    expect((await staged()).length).toBeGreaterThanOrEqual(1);
    await writer.abandon();
    // One full pack was committed before; the partly filled one is gone without a trace.
    expect(saved).toHaveLength(1);
    expect(await listData(backend)).toEqual([saved[0]?.id]);
    expect(await staged()).toEqual([]);
  });
});
