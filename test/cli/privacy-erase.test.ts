/**
 * `cairn privacy` end to end from source (`node --import tsx src/cli/index.ts`), the issue's own
 * check: a fresh repository (created through the engine with a cheap key derivation, so that
 * the many CLI runs stay fast), two recovery points made with `cairn backup` of a tree holding secret.txt;
 * after `privacy erase --path` no recovery point restores secret.txt, everything else restores,
 * `check --read-data` is clean, and the receipt lists both points; an older copy of the repository
 * put back is erased again the next time the CLI opens it. Freeze: ls, restore and diff refuse a
 * frozen point, `snapshots --json` marks it, forget keeps it. `privacy erase --all` refuses without
 * its flag or with a receipt inside what it erases, then leaves a receipt and a repository that no
 * longer exists (exit 10).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { FAST_KDF, makeTempDir, removeDir, scanTree } from '../engine/helpers.js';
import { type Run, cairn as runCairn } from '../support/cli.js';

const PASSWORD = 'privacy test password';

describe('cairn privacy', () => {
  let dir: string;
  let src: string;
  let repo: string;
  let dataDir: string;
  let secret: string;
  let older: string;

  function cairn(args: string[]): Run {
    return runCairn(args, { password: PASSWORD, dataDir });
  }

  function ok(args: string[]): Run {
    const r = cairn(args);
    expect(r.status, `cairn ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  }

  function snapshots(): { id: string; frozen: boolean; erasures?: unknown[] }[] {
    return JSON.parse(ok(['snapshots', '-r', repo, '--json']).stdout);
  }

  beforeAll(async () => {
    dir = await makeTempDir('cli-privacy');
    src = path.join(dir, 'home', 'me');
    repo = path.join(dir, 'repo');
    dataDir = path.join(dir, 'appdata');
    secret = path.join(src, 'secret.txt');
    older = path.join(dir, 'older-copy');
    await fs.mkdir(path.join(src, 'notes'), { recursive: true });
    await fs.writeFile(secret, 'my bank PIN is 1234\n');
    await fs.writeFile(path.join(src, 'notes', 'a.txt'), 'a note\n');
    await fs.writeFile(path.join(src, 'photo.bin'), Buffer.alloc(300_000, 7));
    await (await Repository.init(new LocalBackend(repo), PASSWORD, { kdf: FAST_KDF })).close();
    ok(['backup', '-r', repo, src, '-q']);
    await fs.writeFile(path.join(src, 'notes', 'b.txt'), 'another note\n');
    ok(['backup', '-r', repo, src, '-q']);
    await fs.cp(repo, older, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await removeDir(dir);
  });

  it('erase --path --dry-run lists both recovery points and changes nothing', { timeout: 240_000 }, () => {
    const before = snapshots().map((s) => s.id);
    const r = ok(['privacy', 'erase', '-r', repo, '--path', secret, '--dry-run', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.dryRun).toBe(true);
    expect(out.recoveryPoints.map((p: { id: string }) => p.id).sort()).toEqual([...before].sort());
    expect(out.bytesToFree).toBeGreaterThan(0);
    expect(snapshots().map((s) => s.id)).toEqual(before);
    const text = ok(['privacy', 'erase', '-r', repo, '--path', secret, '--dry-run']).stdout;
    expect(text).toContain('would erase');
  });

  it('refuses a relative path, an unknown path, and mixing --path with --all', { timeout: 240_000 }, () => {
    expect(cairn(['privacy', 'erase', '-r', repo, '--path', 'secret.txt']).stderr).toMatch(/not an absolute path/);
    const unknown = cairn(['privacy', 'erase', '-r', repo, '--path', path.join(src, 'nope')]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no recovery point contains/);
    expect(cairn(['privacy', 'erase', '-r', repo, '--path', secret, '--all']).status).toBe(2);
    expect(cairn(['privacy', 'erase', '-r', repo, '--path', secret, '--dry-run', '--no-exclude']).status).toBe(2);
    const inData = cairn(['privacy', 'erase', '-r', repo, '--path', secret, '--receipt', path.join(dataDir, 'r.json')]);
    expect(inData.stderr).toMatch(/cannot go inside the app data folder/);
    expect(cairn(['privacy', 'frobnicate']).status).toBe(2);
  });

  it('erase --path: no recovery point restores secret.txt, everything else restores, check is clean', {
    timeout: 240_000,
  }, async () => {
    const before = snapshots();
    const saved = path.join(dir, 'my-receipt.json');
    const r = ok(['privacy', 'erase', '-r', repo, '--path', secret, '--receipt', saved, '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.rewritten).toHaveLength(2);
    expect(out.physicallyDeletedAt).toEqual(expect.any(String));
    // No app catalog here: the file still on disk is reported, nothing is excluded.
    expect(out.onDisk).toMatchObject({ stillOnDisk: true, catalogReachable: false, excludedFrom: [] });
    const kept = await fs.readFile(out.receiptFile, 'utf8');
    expect(kept).not.toContain('secret.txt');
    const receipt = JSON.parse(kept);
    expect(receipt.request).toBe(out.requestId);
    expect(receipt.scope.pathHash).toBe(out.pathHash);
    expect(JSON.parse(await fs.readFile(saved, 'utf8')).scope).toMatchObject({ path: secret, pathHash: out.pathHash });
    expect(receipt.recoveryPointsRewritten.map((p: { original: string }) => p.original).sort()).toEqual(
      before.map((s) => s.id).sort(),
    );
    expect(path.dirname(out.receiptFile)).toBe(path.join(dataDir, 'privacy', 'receipts'));

    const after = snapshots();
    expect(after).toHaveLength(2);
    for (const [i, s] of after.entries()) {
      const target = path.join(dir, `restore-${i}`);
      ok(['restore', '-r', repo, s.id, '--target', target, '-q']);
      const restored = await scanTree(path.join(target, src));
      const names = restored.map((e) => e.rel);
      expect(names).not.toContain('secret.txt');
      expect(names).toContain('photo.bin');
      expect(names).toContain('notes/a.txt');
      expect(await fs.readFile(path.join(target, src, 'notes', 'a.txt'), 'utf8')).toBe('a note\n');
      expect((await fs.readFile(path.join(target, src, 'photo.bin'))).equals(Buffer.alloc(300_000, 7))).toBe(true);
    }
    expect(ok(['ls', '-r', repo, 'latest']).stdout).not.toContain('secret.txt');
    const checked = ok(['check', '-r', repo, '--read-data']);
    expect(checked.stdout).toContain('no errors were found');
    expect(ok(['privacy', 'receipts', '--json']).stdout).toContain(out.requestId);
  });

  it('an older copy of the repository put back is erased again when the CLI opens it', {
    timeout: 240_000,
  }, async () => {
    await fs.rename(repo, path.join(dir, 'erased-repo'));
    await fs.rename(older, repo);
    const r = ok(['snapshots', '-r', repo, '--json']);
    expect(r.stderr).toMatch(/secret\.txt: a path was erased .* erased now/);
    const list = JSON.parse(r.stdout) as { id: string; erasures?: unknown[] }[];
    expect(list.every((s) => Array.isArray(s.erasures))).toBe(true);
    expect(ok(['ls', '-r', repo, list[0]?.id as string]).stdout).not.toContain('secret.txt');
    expect(ok(['check', '-r', repo]).stderr).toBe('');
  });

  it('freeze: ls, restore and diff refuse the point, forget keeps it; unfreeze lifts it', { timeout: 240_000 }, () => {
    const [first, second] = snapshots() as unknown as [{ id: string }, { id: string }];
    const id = first.id.slice(0, 8);
    const frozen = ok(['privacy', 'freeze', '-r', repo, id, '--reason', 'accuracy contested']);
    expect(frozen.stdout).toContain('frozen');
    const listed = snapshots();
    expect(listed.find((s) => s.id === first.id)?.frozen).toBe(true);
    expect(listed.find((s) => s.id === second.id)?.frozen).toBe(false);
    for (const args of [
      ['ls', '-r', repo, id],
      ['restore', '-r', repo, id, '--target', path.join(dir, 'frozen-restore')],
      ['diff', '-r', repo, id, second.id.slice(0, 8)],
    ]) {
      const r = cairn(args);
      expect(r.status, args[0]).toBe(1);
      expect(r.stderr).toMatch(
        /is frozen \(restricted under GDPR Art\. 18\) since .*accuracy contested.*cairn privacy unfreeze/,
      );
    }
    const forget = JSON.parse(ok(['forget', '-r', repo, '--keep-last', '1', '--json']).stdout);
    expect(forget.removed).toEqual([]);
    expect(forget.keep.find((k: { id: string }) => k.id === first.id).reasons).toEqual([
      'frozen (restricted under GDPR Art. 18)',
    ]);
    expect(cairn(['forget', '-r', repo, id]).stderr).toMatch(/frozen/);
    ok(['privacy', 'unfreeze', '-r', repo, id]);
    expect(ok(['ls', '-r', repo, id]).stdout).toContain('photo.bin');
    expect(cairn(['privacy', 'unfreeze', '-r', repo, id]).stderr).toMatch(/is not frozen/);
  });

  it('erase --all: refused without its flag or with the receipt inside what it erases; then nothing opens', {
    timeout: 240_000,
  }, async () => {
    const receipt = path.join(dir, 'erasure-receipt.json');
    const noFlag = cairn(['privacy', 'erase', '-r', repo, '--all', '--receipt', receipt]);
    expect(noFlag.status).toBe(2);
    expect(noFlag.stderr).toMatch(/--yes-erase-everything/);
    expect(cairn(['privacy', 'erase', '-r', repo, '--all', '--yes-erase-everything']).stderr).toMatch(/--receipt/);
    const inside = cairn([
      'privacy',
      'erase',
      '-r',
      repo,
      '--all',
      '--yes-erase-everything',
      '--receipt',
      path.join(repo, 'r.json'),
    ]);
    expect(inside.status).toBe(1);
    expect(inside.stderr).toMatch(/erased too/);
    expect(snapshots()).toHaveLength(2);

    const r = ok(['privacy', 'erase', '-r', repo, '--all', '--yes-erase-everything', '--receipt', receipt, '--json']);
    const out = JSON.parse(r.stdout);
    const written = JSON.parse(await fs.readFile(receipt, 'utf8'));
    expect(written).toMatchObject({ kind: 'erase-all', scope: 'everything', completed: true, request: out.request });
    expect(written.repositories[0]).toMatchObject({ location: repo, keySlotsDestroyed: 1, folderRemoved: true });
    expect(written.keySlotsDestroyedAt <= written.objectsDeletedAt).toBe(true);
    await expect(fs.stat(repo)).rejects.toThrow();
    await expect(fs.stat(dataDir)).rejects.toThrow();

    const after = cairn(['snapshots', '-r', repo]);
    expect(after.status).toBe(10);
    expect(after.stderr).toMatch(/there is no Cairn repository/);
  });
});
