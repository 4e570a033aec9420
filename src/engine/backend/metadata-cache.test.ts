/**
 * The metadata cache over a MemoryBackend that counts its calls: a second load is served
 * locally; a damaged entry is caught by its hash and fetched again; what the storage no longer
 * lists leaves the cache; a cache that cannot be written (or read) costs downloads, never a
 * failure; ranged loads and the other kinds pass straight through.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryBackend } from './memory.js';
import { withMetadataCache } from './metadata-cache.js';
import { type Backend, BackendError, type ObjectKind, type ObjectRef } from './types.js';

const idOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const refOf = (kind: ObjectKind, bytes: Uint8Array): ObjectRef => ({ kind, id: idOf(bytes) });

/** A MemoryBackend that counts loads (whole and ranged) and can be cut off. */
class CountingBackend extends MemoryBackend {
  loads = 0;
  offline = false;
  override async load(
    ref: ObjectRef,
    range?: { offset: number; length: number },
    options?: { maxLength?: number },
  ): Promise<Buffer> {
    this.loads++;
    if (this.offline) throw new BackendError('unavailable', 'storage.example could not be reached');
    return super.load(ref, range, options);
  }
}

async function listIds(backend: Backend, kind: ObjectKind): Promise<string[]> {
  const out: string[] = [];
  for await (const info of backend.list(kind)) out.push(info.id);
  return out.sort();
}

async function cachedFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { recursive: true })).map(String).sort();
  } catch {
    return [];
  }
}

describe('withMetadataCache', () => {
  let parent: string;
  let dir: string;
  let remote: CountingBackend;
  let backend: Backend;

  beforeEach(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-metadata-cache-'));
    dir = path.join(parent, 'cache', 'repo-1');
    remote = new CountingBackend();
    backend = withMetadataCache(remote, dir);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(parent, { recursive: true, force: true });
  });

  it('serves the second load of an index file or a snapshot from the cache, and never caches a key slot', async () => {
    const slot = randomBytes(500);
    await remote.save(refOf('keys', slot), slot);
    await backend.load(refOf('keys', slot));
    await backend.load(refOf('keys', slot));
    expect(await cachedFiles(path.join(dir, 'keys'))).toEqual([]);
    for (const kind of ['index', 'snapshots'] as const) {
      const bytes = randomBytes(2000);
      const ref = refOf(kind, bytes);
      await remote.save(ref, bytes);
      const before = remote.loads;
      expect((await backend.load(ref)).equals(bytes)).toBe(true);
      expect((await backend.load(ref)).equals(bytes)).toBe(true);
      expect((await backend.load(ref, undefined, { maxLength: 2000 })).equals(bytes)).toBe(true);
      expect(remote.loads - before).toBe(1);
      expect(await cachedFiles(path.join(dir, kind))).toEqual([ref.id]);
    }
  });

  it('writes through on save, and answers from the cache while the storage is unreachable', async () => {
    const bytes = Buffer.from('a recovery point');
    const ref = refOf('snapshots', bytes);
    await backend.save(ref, [bytes.subarray(0, 3), bytes.subarray(3)]);
    expect((await remote.load(ref)).equals(bytes)).toBe(true);
    remote.offline = true;
    const loads = remote.loads;
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect(remote.loads).toBe(loads);
    const stat = await fs.stat(path.join(dir, 'snapshots', ref.id));
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(dir, 'snapshots'))).mode & 0o777).toBe(0o700);
  });

  it('catches a damaged entry by its hash, loads the object from the storage and writes the entry again', async () => {
    const bytes = randomBytes(500);
    const ref = refOf('index', bytes);
    await remote.save(ref, bytes);
    await backend.load(ref);
    const file = path.join(dir, 'index', ref.id);
    const damaged = Buffer.from(bytes);
    damaged[100] = (damaged[100] as number) ^ 1;
    await fs.writeFile(file, damaged);
    const loads = remote.loads;
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect(remote.loads).toBe(loads + 1);
    expect((await fs.readFile(file)).equals(bytes)).toBe(true);
    // A truncated entry, and one that is a folder, likewise.
    await fs.writeFile(file, bytes.subarray(0, 10));
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    await fs.rm(file);
    await fs.mkdir(file);
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect(remote.loads).toBe(loads + 3);
  });

  it('drops the entries of objects a complete listing no longer names (a prune elsewhere)', async () => {
    const kept = Buffer.from('kept snapshot');
    const pruned = Buffer.from('pruned snapshot');
    for (const bytes of [kept, pruned]) {
      await remote.save(refOf('snapshots', bytes), bytes);
      await backend.load(refOf('snapshots', bytes));
    }
    await fs.writeFile(path.join(dir, 'snapshots', '.tmp-0123456789abcdef'), 'crash leftover');
    await remote.remove(refOf('snapshots', pruned)); // another computer prunes
    // A listing broken off shows nothing about what is gone.
    for await (const _ of backend.list('snapshots')) break;
    expect(await cachedFiles(path.join(dir, 'snapshots'))).toHaveLength(3);
    expect(await listIds(backend, 'snapshots')).toEqual([refOf('snapshots', kept).id]);
    expect(await cachedFiles(path.join(dir, 'snapshots'))).toEqual([refOf('snapshots', kept).id]);
    // The pruned object is gone for good: its load fails as the storage says.
    await expect(backend.load(refOf('snapshots', pruned))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('keeps an entry written while a listing ran, which that listing could not have named', async () => {
    const old = Buffer.from('old index');
    await remote.save(refOf('index', old), old);
    const fresh = Buffer.from('index saved during the listing');
    const listed: string[] = [];
    for await (const info of backend.list('index')) {
      listed.push(info.id);
      await backend.save(refOf('index', fresh), fresh);
    }
    expect(listed).toEqual([refOf('index', old).id]);
    expect(await cachedFiles(path.join(dir, 'index'))).toEqual([refOf('index', fresh).id]);
  });

  it('drops the entry on remove and on shred', async () => {
    const bytes = Buffer.from('an index file');
    const ref = refOf('index', bytes);
    await backend.save(ref, bytes);
    expect(await cachedFiles(path.join(dir, 'index'))).toEqual([ref.id]);
    await backend.remove(ref);
    expect(await cachedFiles(path.join(dir, 'index'))).toEqual([]);
    await expect(backend.load(ref)).rejects.toMatchObject({ code: 'not-found' });

    let shredded = 0;
    const shredding = Object.assign(new MemoryBackend(), {
      shred: async (r: ObjectRef) => {
        shredded++;
        await shredding.remove(r);
      },
    });
    const withShred = withMetadataCache(shredding, dir);
    await withShred.save(ref, bytes);
    expect(await cachedFiles(path.join(dir, 'index'))).toEqual([ref.id]);
    await withShred.shred?.(ref);
    expect(shredded).toBe(1);
    expect(await cachedFiles(path.join(dir, 'index'))).toEqual([]);
    expect(backend.shred).toBeUndefined();
    expect(backend.destroy).toBeUndefined();
  });

  it('passes ranged loads and the other kinds straight through, caching nothing for them', async () => {
    const pack = randomBytes(1000);
    const config = Buffer.from('config');
    const lock = Buffer.from('lock');
    const index = randomBytes(300);
    await backend.save(refOf('data', pack), pack);
    await backend.save({ kind: 'config', id: 'config' }, config);
    await backend.save(refOf('locks', lock), lock);
    await backend.save(refOf('index', index), index);
    const loads = remote.loads;
    await backend.load(refOf('data', pack));
    await backend.load(refOf('data', pack));
    await backend.load({ kind: 'config', id: 'config' });
    await backend.load(refOf('locks', lock));
    expect((await backend.load(refOf('index', index), { offset: 10, length: 5 })).equals(index.subarray(10, 15))).toBe(
      true,
    );
    expect(remote.loads).toBe(loads + 5);
    expect(await cachedFiles(dir)).toEqual(['index', path.join('index', refOf('index', index).id)]);
  });

  it('does not cache bytes that do not hash to their name (damaged on the storage)', async () => {
    const ref = { kind: 'snapshots', id: 'a'.repeat(64) } as const;
    await backend.save(ref, Buffer.from('not what the name says'));
    await remote.save({ kind: 'index', id: 'b'.repeat(64) }, Buffer.from('nor this'));
    await backend.load({ kind: 'index', id: 'b'.repeat(64) });
    expect(await cachedFiles(dir)).toEqual([]);
    const loads = remote.loads;
    expect((await backend.load(ref)).toString()).toBe('not what the name says');
    expect(remote.loads).toBe(loads + 1);
  });

  it("gives the storage's refusal for an entry above maxLength", async () => {
    const bytes = randomBytes(5000);
    const ref = refOf('index', bytes);
    await backend.save(ref, bytes);
    await expect(backend.load(ref, undefined, { maxLength: 4096 })).rejects.toMatchObject({ code: 'invalid-object' });
  });

  it('loads and saves as usual when the cache folder cannot be made (a file in its way)', async () => {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await fs.writeFile(dir, 'not a folder');
    const bytes = Buffer.from('snapshot');
    const ref = refOf('snapshots', bytes);
    await backend.save(ref, bytes);
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect(await listIds(backend, 'snapshots')).toEqual([ref.id]);
    await backend.remove(ref);
  });

  it('loads as usual when the cache folder is read-only or the disk is full', async () => {
    const bytes = Buffer.from('an index');
    const ref = refOf('index', bytes);
    await remote.save(ref, bytes);
    await fs.mkdir(dir, { recursive: true, mode: 0o500 });
    await fs.chmod(dir, 0o500);
    // Root ignores the mode: make the writes fail the way a read-only or full disk does, too.
    const refuse = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    vi.spyOn(fs, 'writeFile').mockRejectedValue(refuse);
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect(remote.loads).toBe(2);
    expect(await cachedFiles(path.join(dir, 'index'))).toEqual([]);
    // A cache that cannot be read is passed over too.
    vi.restoreAllMocks();
    await fs.chmod(dir, 0o700);
    await backend.load(ref);
    vi.spyOn(fs, 'open').mockRejectedValue(Object.assign(new Error('EACCES'), { code: 'EACCES' }));
    expect((await backend.load(ref)).equals(bytes)).toBe(true);
    expect(remote.loads).toBe(4);
  });

  it('removes the whole cache folder when the repository is destroyed', async () => {
    let destroyed = false;
    const destroyable = Object.assign(new MemoryBackend(), {
      destroy: async () => {
        destroyed = true;
      },
    });
    const cached = withMetadataCache(destroyable, dir);
    const bytes = Buffer.from('k');
    await cached.save(refOf('snapshots', bytes), bytes);
    expect(await cachedFiles(dir)).not.toEqual([]);
    await cached.destroy?.();
    expect(destroyed).toBe(true);
    await expect(fs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
