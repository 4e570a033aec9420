/**
 * The committed repositories of each format version (test/fixtures/repo-v1 with a scrypt key
 * slot, repo-v2 with an Argon2id one, each written once by scripts/make-fixture-repo.ts) must
 * stay readable by every later Cairn: each opens with its password, lists its recovery points,
 * restores byte-identical files, and checks clean.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../src/engine/backend/local.js';
import { check } from '../src/engine/check/checker.js';
import { WrongPasswordError } from '../src/engine/errors.js';
import { Repository } from '../src/engine/repo/repository.js';
import { restore } from '../src/engine/restore/restorer.js';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

interface Expected {
  password: string;
  sourcePath: string;
  snapshots: string[];
  latest: Record<string, { type: string; sha256?: string; size?: number; target?: string; mode: number }>;
}

describe.each([
  { version: 1, kdf: 'scrypt' },
  { version: 2, kdf: 'argon2id' },
])('format v$version fixture repository ($kdf key slot)', ({ version, kdf }) => {
  const fixture = path.resolve(`test/fixtures/repo-v${version}`);
  const expected = JSON.parse(fs.readFileSync(path.join(fixture, 'expected.json'), 'utf8')) as Expected;

  /** A copy, so nothing a test does (locks) touches the committed bytes. */
  function copyOfFixture(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-fixture-'));
    temps.push(dir);
    fs.cpSync(path.join(fixture, 'repository'), path.join(dir, 'repo'), { recursive: true });
    return path.join(dir, 'repo');
  }

  it('refuses a wrong password', async () => {
    await expect(Repository.open(new LocalBackend(copyOfFixture()), 'not the password')).rejects.toBeInstanceOf(
      WrongPasswordError,
    );
  });

  it('opens with its password as its format version, with its key derivation', async () => {
    const repo = await Repository.open(new LocalBackend(copyOfFixture()), expected.password);
    expect(repo.config.version).toBe(version);
    expect(repo.config.algorithms.keyDerivation).toBe(kdf);
    expect((await repo.listKeySlots()).map((s) => s.kdf.split(' ')[0])).toEqual([kdf]);
  });

  it('lists both recovery points with their metadata', async () => {
    const repo = await Repository.open(new LocalBackend(copyOfFixture()), expected.password);
    const snapshots = await repo.listSnapshots();
    expect(snapshots.map((s) => s.id)).toEqual(expected.snapshots);
    expect(snapshots.map((s) => s.tags)).toEqual([['first'], ['second']]);
    expect(snapshots[0]?.paths).toEqual([expected.sourcePath]);
  });

  it('restores the latest recovery point byte for byte', async () => {
    const repo = await Repository.open(new LocalBackend(copyOfFixture()), expected.password);
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-fixture-restore-'));
    temps.push(target);
    const result = await restore(repo, await repo.findSnapshot('latest'), { target });
    expect(result.errors).toEqual([]);
    const root = path.join(target, expected.sourcePath);
    for (const [rel, want] of Object.entries(expected.latest)) {
      const p = path.join(root, rel);
      const st = fs.lstatSync(p);
      expect(st.mode & 0o7777, rel).toBe(want.mode);
      if (want.type === 'symlink') expect(fs.readlinkSync(p)).toBe(want.target);
      if (want.type === 'file') {
        const data = fs.readFileSync(p);
        expect(data.length, rel).toBe(want.size);
        expect(createHash('sha256').update(data).digest('hex'), rel).toBe(want.sha256);
      }
    }
  });

  it('checks clean, reading all data', async () => {
    const repo = await Repository.open(new LocalBackend(copyOfFixture()), expected.password);
    const result = await check(repo, { readData: { kind: 'all' } });
    expect(result.errors).toEqual([]);
    expect(result.snapshots).toBe(2);
    expect(result.packsRead).toBeGreaterThan(0);
  });
});
