/**
 * A short torture run in `npm test` (scripts/torture/core.mjs; `npm run torture` runs the long
 * one): real `cairn` processes of a private build, killed with SIGKILL at seeded moments at
 * least 20 times, spread over backup, forget --prune, privacy erase, key add and key passwd.
 * After every kill the run checks (cairn check --read-data), restores every recovery point and
 * compares it byte for byte, settles the password and completes the next operation; every one
 * of those must hold. Then a byte of a pack is flipped, and the final verification must catch
 * it: the verifications can fail. The seed is fixed, so a failure names a reproducible run.
 * Also: the manifest comparison the restores are judged by.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KINDS, runTorture } from '../../scripts/torture/core.mjs';
import { differences, type Manifest, type ManifestEntry, manifestOf } from '../../scripts/torture/tree.mjs';
import { largestFile, makeTempDir, removeDir } from '../engine/helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEED = 20261118;
const KILLS = 20;

it(`survives ${KILLS} kills of real cairn processes, and its checks catch a damaged pack (seed ${SEED})`, async () => {
  let damaged = '';
  const summary = await runTorture({
    root: ROOT,
    seed: SEED,
    kills: KILLS,
    scale: 'short',
    damage: async ({ repo }) => {
      const pack = await largestFile(path.join(repo, 'data'));
      const handle = await fs.open(pack.file, 'r+');
      try {
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, Math.floor(pack.size / 2));
        byte[0] = (byte[0] as number) ^ 0x01;
        await handle.write(byte, 0, 1, Math.floor(pack.size / 2));
      } finally {
        await handle.close();
      }
      damaged = path.basename(pack.file).slice(0, 12);
    },
  });
  // Every verification after a kill passed: the only failure is the planted damage.
  expect(summary.failures).toHaveLength(1);
  expect(summary.failures[0]?.what).toBe('the final verification');
  expect(summary.failures[0]?.message).toContain('cairn check --read-data failed');
  expect(summary.failures[0]?.message).toContain(`pack ${damaged}`);
  expect(summary.kills).toBeGreaterThanOrEqual(KILLS);
  // Spread over every kind: the run kills the kind killed least so far.
  for (const kind of KINDS) expect(summary.killsByKind[kind]).toBeGreaterThanOrEqual(KILLS / KINDS.length);
  // Each kill was followed by a verification, which restored every recovery point.
  expect(summary.verifications).toBeGreaterThan(KILLS);
  expect(summary.processes.restore).toBeGreaterThan(KILLS);
  await removeDir(summary.workDir);
}, 300_000);

describe('the comparison of a restored tree with its manifest', () => {
  const file = (sha256: string, mode = 0o644) => ({ type: 'file' as const, mode, size: 1, sha256 });
  const expected: Manifest = new Map<string, ManifestEntry>([
    ['docs', { type: 'dir', mode: 0o755 }],
    ['docs/a.txt', file('aa')],
    ['docs/secret', { type: 'dir', mode: 0o700 }],
    ['docs/secret/b.txt', file('bb')],
    ['link', { type: 'symlink', target: 'docs/a.txt' }],
  ]);

  it('finds nothing in an identical tree', () => {
    expect(differences(expected, new Map(expected))).toEqual([]);
  });

  it('names a missing, a changed and an extra entry', () => {
    const actual: Manifest = new Map(expected);
    actual.delete('docs/a.txt');
    actual.set('docs/secret/b.txt', file('bb', 0o600));
    actual.set('link', { type: 'symlink', target: 'elsewhere' });
    actual.set('stray.txt', file('cc'));
    expect(differences(expected, actual)).toEqual([
      'docs/a.txt: missing',
      expect.stringMatching(/^docs\/secret\/b\.txt: .*"mode":384.* instead of .*"mode":420/),
      expect.stringMatching(/^link: .*elsewhere/),
      'stray.txt: not in the backed-up tree',
    ]);
  });

  it('lets an erased path be absent with everything below it, but not differ when present', () => {
    const erased: Manifest = new Map([...expected].filter(([rel]) => !rel.startsWith('docs/secret')));
    expect(differences(expected, erased, ['docs/secret'])).toEqual([]);
    expect(differences(expected, erased)).toHaveLength(2);
    const changed: Manifest = new Map(expected);
    changed.set('docs/secret/b.txt', file('zz'));
    expect(differences(expected, changed, ['docs/secret'])).toHaveLength(1);
  });

  it('reads types, modes, sizes, hashes and link targets from a folder', async () => {
    const dir = await makeTempDir('manifest');
    try {
      await fs.mkdir(path.join(dir, 'sub'), { mode: 0o700 });
      await fs.writeFile(path.join(dir, 'sub', 'x.txt'), 'hello', { mode: 0o640 });
      await fs.symlink('sub/x.txt', path.join(dir, 'link'));
      expect([...(await manifestOf(dir))]).toEqual([
        ['link', { type: 'symlink', target: 'sub/x.txt' }],
        ['sub', { type: 'dir', mode: 0o700 }],
        [
          'sub/x.txt',
          {
            type: 'file',
            mode: 0o640,
            size: 5,
            sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
          },
        ],
      ]);
    } finally {
      await removeDir(dir);
    }
  });
});
