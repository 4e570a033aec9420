/**
 * Shared helpers for the engine integration suites: temp folders, fast repositories (small Argon2id
 * cost), deterministic pseudo-random data, and a byte-for-byte comparison of two local trees
 * (content, mode, mtime in ms, symlink targets).
 */
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import type { Backend } from '../../src/engine/backend/types.js';
import type { KdfCost } from '../../src/engine/crypto/kdf.js';
import type { Snapshot, SnapshotSummary } from '../../src/engine/format/snapshot.js';
import { Repository } from '../../src/engine/repo/repository.js';

export const PASSWORD = 'correct horse battery staple';
/** The production key derivation (Argon2id) at a cost of ~1 ms. */
export const FAST_KDF: KdfCost = { name: 'argon2id', m: 1024, t: 1, p: 1 };
export const MiB = 1024 * 1024;

export async function makeTempDir(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `cairn-${label}-`));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}

/** A new repository in `dir/repo` on a LocalBackend, with a cheap key derivation. */
export async function initLocalRepo(
  dir: string,
  password = PASSWORD,
): Promise<{ repo: Repository; backend: LocalBackend; repoDir: string }> {
  const repoDir = path.join(dir, 'repo');
  const backend = new LocalBackend(repoDir);
  const repo = await Repository.init(backend, password, { kdf: FAST_KDF });
  return { repo, backend, repoDir };
}

export async function initRepo(backend: Backend, password = PASSWORD): Promise<Repository> {
  return Repository.init(backend, password, { kdf: FAST_KDF });
}

/** Deterministic pseudo-random bytes (AES-256-CTR keystream of a seed): fast and reproducible. */
export function seededBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** Compressible text of about `size` bytes. */
export function compressibleText(size: number): Buffer {
  const lines: string[] = [];
  let total = 0;
  for (let i = 0; total < size; i++) {
    const line = `line ${i}: the quick brown fox jumps over the lazy dog, again and again\n`;
    lines.push(line);
    total += line.length;
  }
  return Buffer.from(lines.join('').slice(0, size), 'utf8');
}

/** Where a backed-up local path lands after a restore into `target`. */
export function restoredPath(target: string, localPath: string): string {
  return path.join(target, path.resolve(localPath));
}

export interface LocalEntry {
  rel: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  mtimeMs: number;
  size: number;
  target?: string;
  sha256?: string;
}

/** Every entry below `root` (not root itself), sorted by relative path, with content hashes. */
export async function scanTree(root: string): Promise<LocalEntry[]> {
  const out: LocalEntry[] = [];
  async function visit(dir: string, relDir: string): Promise<void> {
    for (const name of (await fs.readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = await fs.lstat(full);
      const base = { rel, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, size: st.size };
      if (st.isSymbolicLink()) out.push({ ...base, type: 'symlink', target: await fs.readlink(full) });
      else if (st.isDirectory()) {
        out.push({ ...base, type: 'dir', size: 0 });
        await visit(full, rel);
      } else if (st.isFile()) {
        out.push({
          ...base,
          type: 'file',
          sha256: createHash('sha256')
            .update(await fs.readFile(full))
            .digest('hex'),
        });
      } else out.push({ ...base, type: 'other' });
    }
  }
  await visit(root, '');
  return out;
}

/**
 * Asserts that `restored` holds exactly the entries of `original`: same names, types, bytes,
 * permission bits, mtimes (to the millisecond) and symlink targets. Symlink modes are not
 * compared (Linux cannot set them).
 */
export async function expectSameTree(
  original: string,
  restored: string,
  options: { symlinkMtime?: boolean } = {},
): Promise<void> {
  const a = await scanTree(original);
  const b = await scanTree(restored);
  expect(b.map((e) => e.rel)).toEqual(a.map((e) => e.rel));
  for (const [i, ea] of a.entries()) {
    const eb = b[i] as LocalEntry;
    const what = `${ea.rel} (${ea.type})`;
    expect(eb.type, what).toBe(ea.type);
    if (ea.type === 'file') {
      expect(eb.size, `${what} size`).toBe(ea.size);
      expect(eb.sha256, `${what} content`).toBe(ea.sha256);
    }
    if (ea.type === 'symlink') {
      expect(eb.target, `${what} target`).toBe(ea.target);
      if (options.symlinkMtime) expect(Math.round(eb.mtimeMs), `${what} mtime`).toBe(Math.round(ea.mtimeMs));
      continue;
    }
    expect((eb.mode & 0o7777).toString(8), `${what} mode`).toBe((ea.mode & 0o7777).toString(8));
    expect(Math.round(eb.mtimeMs), `${what} mtime`).toBe(Math.round(ea.mtimeMs));
  }
}

export function emptySummary(): SnapshotSummary {
  return {
    filesNew: 0,
    filesChanged: 0,
    filesUnchanged: 0,
    dirs: 0,
    bytesNew: 0,
    bytesChanged: 0,
    bytesUnchanged: 0,
    dataAdded: 0,
    dataAddedStored: 0,
    totalFiles: 0,
    totalBytes: 0,
    durationMs: 0,
  };
}

/** A snapshot document around a hand-made root tree (for crafted, possibly malicious, recovery points). */
export function craftedSnapshot(tree: string, time = new Date('2026-01-02T03:04:05.000Z')): Snapshot {
  return {
    version: 1,
    time: time.toISOString(),
    hostname: 'crafted-host',
    username: 'mallory',
    paths: ['/'],
    tags: [],
    tree,
    summary: emptySummary(),
    partial: false,
    warnings: [],
    program: 'crafted by a test',
  };
}

/** The largest file below `dir` (recursively), by size. */
export async function largestFile(dir: string): Promise<{ file: string; size: number }> {
  let best = { file: '', size: -1 };
  for (const rel of await fs.readdir(dir, { recursive: true })) {
    const file = path.join(dir, rel.toString());
    const st = await fs.lstat(file);
    if (st.isFile() && st.size > best.size) best = { file, size: st.size };
  }
  if (best.size < 0) throw new Error(`no file below ${dir}`);
  return best;
}

/** Inverts the bits of one byte of a file in place. */
export async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    const buf = Buffer.alloc(1);
    await handle.read(buf, 0, 1, offset);
    buf[0] = (buf[0] as number) ^ 0xff;
    await handle.write(buf, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

/** Names of `.cairn-restore-*` temporary files left anywhere below `dir`. */
export async function restoreLeftovers(dir: string): Promise<string[]> {
  const all = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return all.map(String).filter((p) => path.basename(p).startsWith('.cairn-restore-'));
}
