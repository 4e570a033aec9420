/** Runs the backend conformance suite against LocalBackend, plus checks of its on-disk layout and error handling. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalBackend, toBackendError } from '../../src/engine/backend/local.js';
import { BackendError, type ObjectRef } from '../../src/engine/backend/types.js';
import { expectBackendError, runBackendConformance } from './conformance.js';

async function makeTempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'cairn-local-backend-'));
}

runBackendConformance('LocalBackend', async () => {
  const parent = await makeTempDir();
  // A folder that does not exist yet: create() must make it.
  return {
    backend: new LocalBackend(path.join(parent, 'nested', 'repo')),
    cleanup: () => fs.rm(parent, { recursive: true, force: true }),
  };
});

/** Every file and folder below `dir`, as relative paths, sorted. */
async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map((e) => e.toString()).sort();
}

/** Makes `method` of every file handle opened for a new file ('wx') fail with errno `code`, like a full disk. */
function failWritesToNewFiles(method: 'writeFile' | 'writev', code: string): void {
  const realOpen = fs.open.bind(fs);
  vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const handle = await realOpen(...args);
    if (args[1] === 'wx') {
      handle[method] = async () => {
        throw errno(code);
      };
    }
    return handle;
  });
}

const id = (prefix = ''): string => prefix + randomBytes(32).toString('hex').slice(prefix.length);
const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: simulated`), { code });

describe('LocalBackend on disk', () => {
  let parent: string;
  let root: string;
  let backend: LocalBackend;

  beforeEach(async () => {
    parent = await makeTempDir();
    root = path.join(parent, 'repo');
    backend = new LocalBackend(root);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await fs.rm(parent, { recursive: true, force: true });
  });

  it('resolves its location to an absolute path', () => {
    const relative = new LocalBackend('some/relative/dir');
    expect(relative.location).toBe(path.resolve('some/relative/dir'));
  });

  it('creates the kind folders and all 256 data shards', async () => {
    await backend.create();
    for (const kind of ['keys', 'data', 'index', 'snapshots', 'locks']) {
      expect((await fs.stat(path.join(root, kind))).isDirectory()).toBe(true);
    }
    const shards = (await fs.readdir(path.join(root, 'data'))).sort();
    expect(shards).toHaveLength(256);
    expect(shards[0]).toBe('00');
    expect(shards[255]).toBe('ff');
    expect(shards).toContain('a7');
  });

  it('puts every kind of object at its documented path', async () => {
    await backend.create();
    const refs: [ObjectRef, string][] = [
      [{ kind: 'config', id: 'config' }, 'config'],
      ...(['keys', 'index', 'snapshots', 'locks'] as const).map((kind): [ObjectRef, string] => {
        const ref = { kind, id: id() };
        return [ref, path.join(kind, ref.id)];
      }),
    ];
    const dataId = id('c3');
    refs.push([{ kind: 'data', id: dataId }, path.join('data', 'c3', dataId)]);
    for (const [ref, relative] of refs) {
      const data = randomBytes(123);
      await backend.save(ref, data);
      expect((await fs.readFile(path.join(root, relative))).equals(data)).toBe(true);
    }
  });

  it('writes files 0600 and folders 0700', async () => {
    await backend.create();
    await backend.save({ kind: 'config', id: 'config' }, Buffer.from('c'));
    const keyId = id();
    await backend.save({ kind: 'keys', id: keyId }, Buffer.from('k'));
    const dataId = id('5e');
    await backend.save({ kind: 'data', id: dataId }, Buffer.from('d'));
    await backend.save({ kind: 'locks', id: dataId }, Buffer.from('l'), { overwrite: true });
    const mode = async (p: string) => (await fs.stat(path.join(root, p))).mode & 0o777;
    expect(await mode('.')).toBe(0o700);
    for (const dir of ['keys', 'data', 'data/5e', 'data/00', 'index', 'snapshots', 'locks'])
      expect(await mode(dir)).toBe(0o700);
    for (const file of ['config', `keys/${keyId}`, `data/5e/${dataId}`, `locks/${dataId}`])
      expect(await mode(file)).toBe(0o600);
  });

  it('leaves no .tmp- file behind after saves, refused saves and overwrites', async () => {
    await backend.create();
    const ref: ObjectRef = { kind: 'data', id: id() };
    await backend.save(ref, randomBytes(100));
    await expectBackendError(backend.save(ref, randomBytes(100)), 'exists');
    await backend.save({ kind: 'config', id: 'config' }, Buffer.from('1'));
    await backend.save({ kind: 'config', id: 'config' }, Buffer.from('2'), { overwrite: true });
    expect((await walk(root)).filter((p) => path.basename(p).startsWith('.tmp-'))).toEqual([]);
  });

  it('does not list leftover .tmp- files or stray files, and cleanTemporaryFiles removes old ones', async () => {
    await backend.create();
    const ref: ObjectRef = { kind: 'data', id: id('ab') };
    await backend.save(ref, Buffer.from('real'));
    const old = [
      path.join(root, 'data', 'ab', '.tmp-0123abcd'),
      path.join(root, 'keys', '.tmp-77'),
      path.join(root, '.tmp-cfg'),
    ];
    const recent = path.join(root, 'index', '.tmp-fresh');
    for (const file of [...old, recent]) await fs.writeFile(file, 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const file of old) await fs.utimes(file, hourAgo, hourAgo);
    await fs.writeFile(path.join(root, 'data', 'ab', '.DS_Store'), 'junk');
    await fs.writeFile(path.join(root, 'snapshots', 'README.txt'), 'junk');

    const listed: string[] = [];
    for (const kind of ['data', 'keys', 'index', 'snapshots', 'config'] as const) {
      for await (const info of backend.list(kind)) listed.push(info.id);
    }
    expect(listed).toEqual([ref.id]);

    expect(await backend.cleanTemporaryFiles(10 * 60_000)).toBe(3);
    for (const file of old) await expect(fs.stat(file)).rejects.toThrow();
    expect((await fs.stat(recent)).isFile()).toBe(true);
    expect(await backend.cleanTemporaryFiles(0)).toBe(1);
    await expect(fs.stat(recent)).rejects.toThrow();
    expect((await backend.load(ref)).toString()).toBe('real');
  });

  it('refuses crafted ids and writes nothing outside (or inside) rootDir', async () => {
    await backend.create();
    const outsideBefore = await walk(parent);
    const bad: ObjectRef[] = [
      { kind: 'data', id: '../x' },
      { kind: 'data', id: 'ab/../../etc' },
      { kind: 'keys', id: '../../escaped' },
      { kind: 'data', id: 'AB'.repeat(32) },
      { kind: 'locks', id: `/${'a'.repeat(63)}` },
      { kind: 'config', id: '../config' },
    ];
    for (const ref of bad) {
      const err = await expectBackendError(backend.save(ref, Buffer.from('evil')), 'io');
      expect(err.message).toContain('invalid object id');
      await expectBackendError(backend.save(ref, Buffer.from('evil'), { overwrite: true }), 'io');
      await expectBackendError(backend.remove(ref), 'io');
    }
    expect(await walk(parent)).toEqual(outsideBefore);
  });

  it('refuses to create in a non-empty folder that holds no repository, and leaves it untouched', async () => {
    await fs.mkdir(root);
    await fs.writeFile(path.join(root, 'holiday.jpg'), 'photo');
    const err = await expectBackendError(backend.create(), 'exists');
    expect(err.message).toBe(`${root} is not empty and holds no Cairn repository`);
    expect(await fs.readdir(root)).toEqual(['holiday.jpg']);
  });

  it('refuses to create where a file stands', async () => {
    await fs.writeFile(root, 'not a folder');
    const err = await expectBackendError(backend.create(), 'exists');
    expect(err.message).toContain('is a file');
  });

  it('creates in an existing empty folder, ignoring OS clutter, and can retry an interrupted create', async () => {
    await fs.mkdir(path.join(root, 'keys'), { recursive: true });
    await fs.writeFile(path.join(root, '.DS_Store'), 'finder');
    await backend.create();
    expect((await fs.readdir(path.join(root, 'data'))).length).toBe(256);
  });

  it('exists() is false when the folder is missing, and a missing rootDir is never created by save', async () => {
    expect(await backend.exists()).toBe(false);
    await expectBackendError(backend.save({ kind: 'data', id: id() }, Buffer.from('x')), 'not-found');
    await expect(fs.stat(root)).rejects.toThrow();
  });

  it('recreates a kind or shard folder that went missing (some sync tools drop empty folders)', async () => {
    await backend.create();
    await fs.rm(path.join(root, 'data'), { recursive: true });
    await fs.rm(path.join(root, 'index'), { recursive: true });
    const dataRef: ObjectRef = { kind: 'data', id: id('9d') };
    const indexRef: ObjectRef = { kind: 'index', id: id() };
    await backend.save(dataRef, Buffer.from('pack'));
    await backend.save(indexRef, Buffer.from('index'));
    expect((await fs.readFile(path.join(root, 'data', '9d', dataRef.id))).toString()).toBe('pack');
    expect((await backend.load(indexRef)).toString()).toBe('index');
  });

  it('lists nothing (rather than failing) for a kind folder that is missing', async () => {
    await backend.create();
    await fs.rm(path.join(root, 'snapshots'), { recursive: true });
    const listed = [];
    for await (const info of backend.list('snapshots')) listed.push(info);
    expect(listed).toEqual([]);
  });

  it('reports a full disk during save as no-space and removes the temporary file', async () => {
    await backend.create();
    failWritesToNewFiles('writeFile', 'ENOSPC');
    const ref: ObjectRef = { kind: 'data', id: id('42') };
    const err = await expectBackendError(backend.save(ref, randomBytes(1000)), 'no-space');
    expect(err.message).toMatch(/^the storage location is full \(/);
    expect(await fs.readdir(path.join(root, 'data', '42'))).toEqual([]);
  });

  it('reports a full disk during a staged append as no-space; discard removes the staged file', async () => {
    await backend.create();
    failWritesToNewFiles('writev', 'ENOSPC');
    const staged = await backend.stage('data');
    expect((await fs.readdir(path.join(root, 'data'))).filter((n) => n.startsWith('.tmp-'))).toHaveLength(1);
    const err = await expectBackendError(staged.append(randomBytes(1000)), 'no-space');
    expect(err.message).toMatch(/^the storage location is full \(/);
    await staged.discard();
    expect((await fs.readdir(path.join(root, 'data'))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('commits a staged object on a filesystem without hard links, never replacing one', async () => {
    await backend.create();
    vi.spyOn(fs, 'link').mockRejectedValue(errno('EPERM'));
    const ref: ObjectRef = { kind: 'data', id: id('7a') };
    const first = await backend.stage('data');
    await first.append(Buffer.from('first'));
    await first.commit(ref.id);
    const second = await backend.stage('data');
    await second.append(Buffer.from('second'));
    await expectBackendError(second.commit(ref.id), 'exists');
    expect((await backend.load(ref)).toString()).toBe('first');
    expect(await fs.readdir(path.join(root, 'data', '7a'))).toEqual([ref.id]);
    expect((await fs.readdir(path.join(root, 'data'))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('commits a staged object into a shard folder a sync tool removed', async () => {
    await backend.create();
    await fs.rm(path.join(root, 'data', 'c3'), { recursive: true });
    const staged = await backend.stage('data');
    await staged.append(Buffer.from('pack bytes'));
    const ref: ObjectRef = { kind: 'data', id: id('c3') };
    await staged.commit(ref.id);
    expect((await backend.load(ref)).toString()).toBe('pack bytes');
  });

  it('saves without replacing on a filesystem without hard links', async () => {
    await backend.create();
    const link = vi.spyOn(fs, 'link').mockRejectedValue(errno('EPERM'));
    const ref: ObjectRef = { kind: 'keys', id: id() };
    await backend.save(ref, Buffer.from('first'));
    await expectBackendError(backend.save(ref, Buffer.from('second')), 'exists');
    expect(link).toHaveBeenCalled();
    expect((await backend.load(ref)).toString()).toBe('first');
    expect(await fs.readdir(path.join(root, 'keys'))).toEqual([ref.id]);
  });

  it('does not fall back to rename on other link errors', async () => {
    await backend.create();
    vi.spyOn(fs, 'link').mockRejectedValue(errno('EIO'));
    const ref: ObjectRef = { kind: 'keys', id: id() };
    await expectBackendError(backend.save(ref, Buffer.from('x')), 'io');
    expect(await fs.readdir(path.join(root, 'keys'))).toEqual([]);
  });

  it('refuses a huge ranged read past the end before allocating it', async () => {
    await backend.create();
    const ref: ObjectRef = { kind: 'data', id: id() };
    await backend.save(ref, randomBytes(100));
    const err = await expectBackendError(backend.load(ref, { offset: 10, length: 2 ** 40 }), 'range');
    expect(err.message).toContain('it holds only 100 bytes');
  });

  it('reads a range correctly when the file system returns short reads', async () => {
    await backend.create();
    const data = randomBytes(5000);
    const ref: ObjectRef = { kind: 'data', id: id() };
    await backend.save(ref, data);
    const realOpen = fs.open.bind(fs);
    vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      const realRead = handle.read.bind(handle);
      // At most 7 bytes per call, like a slow network mount.
      handle.read = ((buffer: Buffer, offset: number, length: number, position: number) =>
        realRead(buffer, offset, Math.min(length, 7), position)) as typeof handle.read;
      return handle;
    });
    expect((await backend.load(ref, { offset: 1000, length: 333 })).equals(data.subarray(1000, 1333))).toBe(true);
  });

  describe('shred writes over the file itself', () => {
    /** A saved key slot-sized object with a second name outside the repository (a hard link, as link-based backup tools make). */
    async function savedWithSecondName(
      size: number,
    ): Promise<{ ref: ObjectRef; file: string; second: string; original: Buffer }> {
      await backend.create();
      const ref: ObjectRef = { kind: 'keys', id: id() };
      const original = randomBytes(size);
      await backend.save(ref, original);
      const file = path.join(root, 'keys', ref.id);
      const second = path.join(parent, 'second-name');
      await fs.link(file, second);
      return { ref, file, second, original };
    }

    /** True when no 64-byte piece of `now` at any 64-byte boundary equals the original's there. */
    function everyPieceChanged(now: Buffer, original: Buffer): boolean {
      for (let at = 0; at < original.length; at += 64) {
        if (now.subarray(at, at + 64).equals(original.subarray(at, at + 64))) return false;
      }
      return true;
    }

    it('in place: the same inode holds random bytes before the unlink, and afterwards under its other name', async () => {
      const { ref, file, second, original } = await savedWithSecondName(3 * 1024 * 1024 + 17);
      const before = await fs.stat(file);
      // What the file holds at the moment it is unlinked.
      const atUnlink: { ino: number; bytes: Buffer }[] = [];
      const realUnlink = fs.unlink.bind(fs);
      vi.spyOn(fs, 'unlink').mockImplementation(async (target) => {
        if (target === file) atUnlink.push({ ino: (await fs.stat(file)).ino, bytes: await fs.readFile(file) });
        return realUnlink(target);
      });
      await backend.shred(ref);
      expect(atUnlink).toHaveLength(1);
      expect(atUnlink[0]?.ino).toBe(before.ino);
      expect(everyPieceChanged(atUnlink[0]?.bytes ?? original, original)).toBe(true);
      await expect(fs.lstat(file)).rejects.toThrow(/ENOENT/);
      const after = await fs.stat(second);
      expect(after.ino).toBe(before.ino);
      expect(after.nlink).toBe(1);
      const now = await fs.readFile(second);
      expect(now.length).toBe(original.length);
      expect(everyPieceChanged(now, original)).toBe(true);
      expect(now.equals(Buffer.alloc(now.length))).toBe(false); // random bytes, not zeros
    });

    it('keeps writing when the file system takes fewer bytes per write than asked', async () => {
      const { ref, second, original } = await savedWithSecondName(50_000);
      const realOpen = fs.open.bind(fs);
      vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
        const handle = await realOpen(...args);
        const realWrite = handle.write.bind(handle);
        // At most 999 bytes per call, like a slow network mount.
        handle.write = ((buffer: Buffer, offset: number, length: number, position: number) =>
          realWrite(buffer, offset, Math.min(length, 999), position)) as typeof handle.write;
        return handle;
      });
      await backend.shred(ref);
      expect(everyPieceChanged(await fs.readFile(second), original)).toBe(true);
    });

    it('where remove only unlinks: the other name still holds every original byte', async () => {
      // The contrast that makes the checks above mean something: a removed file's bytes survive.
      const { ref, second, original } = await savedWithSecondName(1000);
      await backend.remove(ref);
      expect((await fs.readFile(second)).equals(original)).toBe(true);
    });
  });
});

describe('toBackendError', () => {
  const cases: [string, string][] = [
    ['ENOENT', 'not-found'],
    ['EEXIST', 'exists'],
    ['ENOSPC', 'no-space'],
    ['EDQUOT', 'no-space'],
    ['EACCES', 'permission'],
    ['EPERM', 'permission'],
    ['EROFS', 'permission'],
    ['EIO', 'io'],
    ['EBUSY', 'io'],
  ];
  for (const [code, expected] of cases) {
    it(`maps ${code} to '${expected}' and keeps the cause`, () => {
      const cause = errno(code);
      const err = toBackendError(cause, 'data object abc');
      expect(err).toBeInstanceOf(BackendError);
      expect(err.code).toBe(expected);
      expect(err.cause).toBe(cause);
      expect(err.message).toContain('data object abc');
    });
  }

  it('words a full disk and a read-only location for a user', () => {
    expect(toBackendError(errno('ENOSPC'), 'data object abc').message).toBe(
      'the storage location is full (data object abc: ENOSPC)',
    );
    expect(toBackendError(errno('EROFS'), 'the repository config').message).toBe(
      'the storage location is read-only (the repository config)',
    );
  });

  it('passes BackendErrors through and maps non-errno values to io', () => {
    const original = new BackendError('range', 'too far');
    expect(toBackendError(original, 'x')).toBe(original);
    expect(toBackendError('boom', 'x').code).toBe('io');
    expect(toBackendError(undefined, 'x').code).toBe('io');
  });
});
