/**
 * Hostile or odd entries inside a real repository folder: a FIFO, a socket, a character device,
 * symlinks and folders where objects belong, and objects far above their size cap (sparse files,
 * so nothing large is written). LocalBackend must refuse each one quickly with a message that
 * names it, without blocking (opening a FIFO for reading waits for a writer forever), without
 * following a symlink, and without reading an over-cap object into memory; the repository and
 * restore above it must report rather than hang.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../src/engine/backend/local.js';
import { BackendError, type ObjectKind, type ObjectRef } from '../../src/engine/backend/types.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { sha256Hex } from '../../src/engine/crypto/ids.js';
import { OBJECT_SIZE_CAPS } from '../../src/engine/format/limits.js';
import { withSizeCaps } from '../../src/engine/repo/capped-backend.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import { craftedSnapshot, initLocalRepo, makeTempDir, PASSWORD, removeDir } from '../engine/helpers.js';

/** Long enough for any honest refusal on a loaded machine; a blocked open() never settles. */
const SETTLE_MS = 5000;

/** The promise's outcome, or a failure saying it did not settle in time (it would hang forever). */
async function settled<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${SETTLE_MS} ms: it blocks`)), SETTLE_MS);
  });
  try {
    return { value: await Promise.race([promise, timeout]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('did not settle')) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/** Awaits a refusal: a BackendError 'invalid-object' whose message is `message` (a string to contain, or a pattern). */
async function expectRefusal(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  const { error } = await settled(promise);
  expect(error, 'expected a refusal').toBeInstanceOf(BackendError);
  expect((error as BackendError).code).toBe('invalid-object');
  if (typeof message === 'string') expect((error as BackendError).message).toContain(message);
  else expect((error as BackendError).message).toMatch(message);
}

const notRegular = (what: string, type: string) =>
  `${what} is not a regular file (${type}): Cairn reads only regular files from a repository; remove it`;

const hexId = () => randomBytes(32).toString('hex');

let dir: string;
let repo: Repository;
let backend: LocalBackend;
const fifos: string[] = [];
const servers: net.Server[] = [];

/** Where LocalBackend keeps an object (docs/repository-format.md: data packs in two-character folders). */
function objectPath(ref: ObjectRef): string {
  if (ref.kind === 'config') return path.join(backend.location, 'config');
  if (ref.kind === 'data') return path.join(backend.location, 'data', ref.id.slice(0, 2), ref.id);
  return path.join(backend.location, ref.kind, ref.id);
}

async function makeFifo(file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
  fifos.push(file);
}

async function makeSocket(file: string): Promise<void> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.listen(file, resolve).once('error', reject));
}

beforeEach(async () => {
  dir = await makeTempDir('hostile');
  ({ repo, backend } = await initLocalRepo(dir));
});

afterEach(async () => {
  // A reader stuck in open() on a FIFO (only if a refusal failed) is released by a writer opening it.
  for (const fifo of fifos.splice(0)) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting (ENXIO), or already removed: nothing to release.
    }
  }
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await repo.close();
  await removeDir(dir);
});

describe('LocalBackend refuses entries that are not regular files, without blocking', () => {
  const KINDS: ObjectKind[] = ['keys', 'snapshots', 'index', 'data', 'locks'];

  for (const kind of KINDS) {
    it(`a FIFO in ${kind}/: load, ranged load and stat fail at once; list still names it`, async () => {
      const ref: ObjectRef = { kind, id: hexId() };
      await makeFifo(objectPath(ref));
      const message = notRegular(`${kind} object ${ref.id}`, 'a FIFO');
      await expectRefusal(backend.load(ref), message);
      await expectRefusal(backend.load(ref, { offset: 0, length: 1 }), message);
      await expectRefusal(backend.stat(ref), message);
      const listed: string[] = [];
      for await (const info of backend.list(kind)) listed.push(info.id);
      expect(listed).toContain(ref.id);
    });
  }

  it('a FIFO as config: exists() answers, and opening the repository names the config', async () => {
    const config = objectPath({ kind: 'config', id: 'config' });
    await fs.rm(config);
    await makeFifo(config);
    expect((await settled(backend.exists())).value).toBe(true);
    await expectRefusal(backend.load({ kind: 'config', id: 'config' }), notRegular('the repository config', 'a FIFO'));
    const { error } = await settled(Repository.open(backend, PASSWORD));
    expect((error as Error).message).toBe(notRegular('the repository config', 'a FIFO'));
  });

  it('a symlink to a valid object is not followed, nor is a dangling one; both are listed', async () => {
    const id = await repo.saveSnapshot(craftedSnapshot('0'.repeat(64)));
    const real = objectPath({ kind: 'snapshots', id });
    // The link's name is the object's own name, pointing at a copy: valid content, but a link.
    const copy = path.join(dir, 'outside-copy');
    await fs.copyFile(real, copy);
    await fs.rm(real);
    await fs.symlink(copy, real);
    const dangling: ObjectRef = { kind: 'snapshots', id: hexId() };
    await fs.symlink(path.join(dir, 'nowhere'), objectPath(dangling));
    for (const ref of [{ kind: 'snapshots' as const, id }, dangling]) {
      const message = notRegular(`snapshots object ${ref.id}`, 'a symbolic link');
      await expectRefusal(backend.load(ref), message);
      await expectRefusal(backend.load(ref, { offset: 0, length: 1 }), message);
      await expectRefusal(backend.stat(ref), message);
    }
    const listed: string[] = [];
    for await (const info of backend.list('snapshots')) listed.push(info.id);
    expect(listed.sort()).toEqual([id, dangling.id].sort());
  });

  it('a socket and a folder under object names are refused as such', async () => {
    const socketRef: ObjectRef = { kind: 'locks', id: hexId() };
    await makeSocket(objectPath(socketRef));
    await expectRefusal(backend.load(socketRef), notRegular(`locks object ${socketRef.id}`, 'a socket'));
    await expectRefusal(backend.stat(socketRef), notRegular(`locks object ${socketRef.id}`, 'a socket'));
    const folderRef: ObjectRef = { kind: 'index', id: hexId() };
    await fs.mkdir(objectPath(folderRef));
    await expectRefusal(backend.load(folderRef), notRegular(`index object ${folderRef.id}`, 'a folder'));
  });

  it('a character device (here a copy of /dev/zero, which would stream zeros forever) is refused', async (context) => {
    const ref: ObjectRef = { kind: 'data', id: hexId() };
    try {
      execFileSync('mknod', [objectPath(ref), 'c', '1', '5'], { stdio: 'ignore' });
    } catch {
      context.skip(); // creating device nodes needs CAP_MKNOD (root)
    }
    await expectRefusal(backend.load(ref), notRegular(`data object ${ref.id}`, 'a character device'));
    await expectRefusal(
      backend.load(ref, { offset: 0, length: 16 }),
      notRegular(`data object ${ref.id}`, 'a character device'),
    );
  });

  it('shred removes a symlink without writing through it to the file it points at', async () => {
    const victim = path.join(dir, 'precious.txt');
    await fs.writeFile(victim, 'keep me');
    const ref: ObjectRef = { kind: 'snapshots', id: hexId() };
    await fs.symlink(victim, objectPath(ref));
    await settled(backend.shred(ref));
    expect(await fs.readFile(victim, 'utf8')).toBe('keep me');
    await expect(fs.lstat(objectPath(ref))).rejects.toThrow(/ENOENT/);
  });

  it('shred removes a FIFO without waiting for a reader or writing into it', async () => {
    const ref: ObjectRef = { kind: 'keys', id: hexId() };
    await makeFifo(objectPath(ref));
    const { error } = await settled(backend.shred(ref));
    expect(error).toBeUndefined();
    await expect(fs.lstat(objectPath(ref))).rejects.toThrow(/ENOENT/);
  });
});

describe('the repository above it reports instead of hanging', () => {
  it('listing recovery points with a FIFO among them lists the others and names the FIFO', async () => {
    const good = await repo.saveSnapshot(craftedSnapshot('0'.repeat(64)));
    const fifo = hexId();
    await makeFifo(objectPath({ kind: 'snapshots', id: fifo }));
    const { value, error } = await settled(repo.listSnapshotsChecked());
    expect(error).toBeUndefined();
    expect(value?.snapshots.map((s) => s.id)).toEqual([good]);
    expect(value?.damaged).toEqual([{ id: fifo, reason: notRegular(`snapshots object ${fifo}`, 'a FIFO') }]);
  });

  it('restore reports a data pack replaced by a FIFO as an error for its file, and finishes', async () => {
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'file.bin'), randomBytes(100_000));
    const { snapshot } = await backup(repo, { paths: [src] });
    const dataPack = [...repo.index.entries()].find(([, loc]) => loc.type === 'data')?.[1].pack as string;
    const packFile = objectPath({ kind: 'data', id: dataPack });
    await fs.rm(packFile);
    await makeFifo(packFile);
    const reopened = await Repository.open(backend, PASSWORD);
    try {
      const { value, error } = await settled(restore(reopened, snapshot, { target: path.join(dir, 'out') }));
      expect(error).toBeUndefined();
      expect(value?.errors.map((e) => e.message)).toEqual([notRegular(`data object ${dataPack}`, 'a FIFO')]);
    } finally {
      await reopened.close();
    }
  });
});

describe('objects above their size cap are refused before they are read', () => {
  // The caps are the repository's (format/limits.ts), applied to every load by capped-backend.ts.
  const capped = () => withSizeCaps(backend);

  /** A sparse file of `size` bytes under the ref's name: costs no disk, and reading it would cost memory. */
  async function sparse(ref: ObjectRef, size: number): Promise<void> {
    const handle = await fs.open(objectPath(ref), 'w');
    await handle.truncate(size);
    await handle.close();
  }

  for (const kind of ['keys', 'locks', 'snapshots', 'index', 'data'] as const) {
    it(`one byte above the cap of ${kind} objects`, async () => {
      const cap = OBJECT_SIZE_CAPS[kind];
      const ref: ObjectRef = { kind, id: hexId() };
      await sparse(ref, cap + 1);
      const started = Date.now();
      await expectRefusal(
        capped().load(ref),
        new RegExp(`^${kind} object ${ref.id} is .*\\(${cap + 1} bytes\\), more than the .*\\(${cap} bytes\\)`),
      );
      // A ranged read that ends past the cap is refused too; one inside it reads.
      await expectRefusal(capped().load(ref, { offset: cap - 9, length: 10 }), `(${cap} bytes)`);
      expect((await capped().load(ref, { offset: cap - 10, length: 10 })).equals(Buffer.alloc(10))).toBe(true);
      expect(Date.now() - started).toBeLessThan(SETTLE_MS);
      // Its size is still reported as it is: check and prune can name it.
      expect((await backend.stat(ref)).size).toBe(cap + 1);
    });
  }

  it('an object exactly at its cap is read', async () => {
    const bytes = randomBytes(OBJECT_SIZE_CAPS.keys);
    const ref: ObjectRef = { kind: 'keys', id: sha256Hex(bytes) };
    await backend.save(ref, bytes);
    expect((await capped().load(ref)).equals(bytes)).toBe(true);
  });
});
