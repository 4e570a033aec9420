/**
 * The fidelity suite (issue 26): builds the torture tree of test/support/fidelity-tree.ts in a
 * temp folder, backs it up with the real engine, restores it into another, compares every
 * attribute of every entry row by row and prints the table. Every row this machine can make must
 * be kept, and the backup must end without a warning; rows listed in LIMITS are the engine's known
 * limits on this platform, and a limit that starts to hold fails the test too, so the list stays true.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  buildFidelityTree,
  type FidelityRow,
  formatTable,
  type Manifest,
  manifest,
  rowDifferences,
  xattrSupport,
} from '../support/fidelity-tree.js';
import { initLocalRepo, makeTempDir, removeDir } from './helpers.js';

/** Rows the engine does not keep on this platform, with why (none on Linux today). */
const LIMITS: Record<string, string> = {};

describe('fidelity: what comes back is exactly what was there', () => {
  let dir: string;
  let src: string;
  let rows: FidelityRow[];
  let before: Manifest;
  let after: Manifest;
  let warnings: string[];
  let restoreErrors: unknown[];
  const results = new Map<string, string[]>();

  beforeAll(async () => {
    dir = await makeTempDir('fidelity');
    src = path.join(dir, 'src');
    rows = await buildFidelityTree(src);
    const { xattr } = await xattrSupport(dir);
    before = manifest(src, { xattr });
    const { repo } = await initLocalRepo(dir);
    const made = await backup(repo, { paths: [src] });
    warnings = made.warnings;
    const target = path.join(dir, 'out');
    const restored = await restore(repo, made.snapshot, { target });
    restoreErrors = [...restored.errors, ...restored.refused];
    await repo.close();
    after = manifest(path.join(target, src), { xattr });
    for (const row of rows) if (!row.skipped) results.set(row.id, rowDifferences(row.id, before, after));
    console.log(`\nFidelity of a backup and restore on this machine:\n${formatTable(rows, results)}\n`);
  }, 120_000);

  afterAll(async () => {
    if (dir) await fs.promises.chmod(path.join(dir, 'src/modes/private'), 0o700).catch(() => undefined);
    await removeDir(dir);
  });

  it('backs the whole tree up without a warning and restores it without an error', () => {
    expect(warnings).toEqual([]);
    expect(restoreErrors).toEqual([]);
  });

  it('keeps every row this machine can make, entry by entry and attribute by attribute', () => {
    const lost = Object.fromEntries(
      rows.filter((r) => !r.skipped && (results.get(r.id) ?? []).length > 0).map((r) => [r.id, results.get(r.id)]),
    );
    const expectedLost = Object.fromEntries(
      rows.filter((r) => !r.skipped && r.id in LIMITS).map((r) => [r.id, expect.anything()]),
    );
    expect(lost).toEqual(expectedLost);
  });

  it('restores a sparse file as holes: it takes about the room the original did', () => {
    const source = before.get('sparse/big.img');
    const copy = after.get('sparse/big.img');
    expect(source?.size).toBe(1024 * 1024 * 1024);
    expect(copy?.size).toBe(source?.size);
    expect(copy?.diskBytes).toBeLessThanOrEqual((source?.diskBytes ?? 0) + 1024 * 1024);
  });

  it('restores the two names of a hard link as one inode', () => {
    expect(after.get('hard-links/two')?.linkOf).toBe('hard-links/one');
  });
});
