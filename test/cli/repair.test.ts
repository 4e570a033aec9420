/**
 * `cairn repair index|snapshots` and what `cairn check` says about damage, end to end without a
 * build: runs `node --import tsx src/cli/index.ts` against a real repository (two recovery
 * points made through the engine, with a cheap key derivation) from which a pack of the second
 * backup was deleted, then follows the advice check prints, step by step, to a clean repository
 * and a backup that brings the lost file back. Also: dry runs change no byte, usage errors, the
 * audit entries, a frozen point's copy stays frozen, and an unreadable recovery point.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrozenPoints } from '../../src/app/privacy/restriction/frozen.js';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { FAST_KDF, flipByte, MiB, makeTempDir, PASSWORD, removeDir, seededBytes } from '../engine/helpers.js';
import { type Run, cairn as runCairn } from '../support/cli.js';

let dataDir = '';

function cairn(args: string[]): Run {
  return runCairn(args, { password: PASSWORD, dataDir });
}

function ok(r: Run): Run {
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

async function fingerprint(repoDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const rel of (await fs.readdir(repoDir, { recursive: true })).map(String).sort()) {
    const file = path.join(repoDir, rel);
    if (!(await fs.stat(file)).isFile()) continue;
    out.push(
      `${rel} ${createHash('sha256')
        .update(await fs.readFile(file))
        .digest('hex')}`,
    );
  }
  return out;
}

async function auditActions(): Promise<{ action: string; details: Record<string, unknown> }[]> {
  const text = await fs.readFile(path.join(dataDir, 'privacy', 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; details: Record<string, unknown> });
}

describe('cairn repair, following cairn check', () => {
  let dir: string;
  let src: string;
  let repoDir: string;
  let repositoryId: string;
  const ids: string[] = [];
  let lostPack: string;
  let copyId: string;

  beforeAll(async () => {
    dir = await makeTempDir('cli-repair');
    dataDir = path.join(dir, 'app-data');
    src = path.join(dir, 'src');
    repoDir = path.join(dir, 'repo');
    await fs.mkdir(path.join(src, 'keep'), { recursive: true });
    await fs.writeFile(path.join(src, 'keep/stable.bin'), seededBytes('stable', 700 * 1024));
    await fs.writeFile(path.join(src, 'keep/note.txt'), 'kept\n');
    const repo = await Repository.init(new LocalBackend(repoDir), PASSWORD, { kdf: FAST_KDF, packSize: MiB });
    repositoryId = repo.config.id;
    let packsBefore = new Set<string>();
    for (let day = 1; day <= 2; day++) {
      await fs.writeFile(path.join(src, 'changing.bin'), seededBytes(`changing ${day}`, 600 * 1024));
      packsBefore = new Set(await repo.listIds('data'));
      const { snapshot } = await backup(repo, { paths: [src], time: new Date(Date.UTC(2026, 1, day, 12)) });
      ids.push(snapshot.id);
    }
    // A data pack of the second backup: it holds only the second content of changing.bin.
    await repo.loadIndex();
    const added = (await repo.listIds('data')).filter((id) => !packsBefore.has(id));
    const dataPack = added.find((id) => [...repo.index.entries()].some(([, l]) => l.pack === id && l.type === 'data'));
    await repo.close();
    if (!dataPack) throw new Error('the second backup wrote no data pack');
    lostPack = dataPack;
    await fs.rm(path.join(repoDir, 'data', lostPack.slice(0, 2), lostPack));
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('check names the affected recovery point, what heals, and which command repairs what', () => {
    const r = cairn(['check', '--repo', repoDir]);
    expect(r.status).toBe(1);
    const out = r.stdout;
    expect(out).toContain(`error: pack ${lostPack.slice(0, 12)}: missing:`);
    expect(out).toContain(`  affects 1 recovery point(s): ${ids[1]?.slice(0, 8)}`);
    expect(out).toContain(`${path.join(src, 'changing.bin')}`);
    expect(out).toMatch(
      /healable: 1 lost file\(s\) \(600\.0 KiB\) .*: the next backup of those folders stores their data again\n/,
    );
    const advice = out.slice(out.indexOf('to repair, run in this order:'));
    expect(
      advice
        .split('\n')
        .slice(1, 3)
        .map((l) => l.trim().split(':')[0]),
    ).toEqual(['cairn repair index', 'cairn repair snapshots']);
  });

  it('refuses a missing or unknown subcommand and an option of the other subcommand (exit 2)', () => {
    expect(cairn(['repair', '--repo', repoDir]).status).toBe(2);
    const unknown = cairn(['repair', 'packs', '--repo', repoDir]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown subcommand "packs": index, snapshots');
    const foreign = cairn(['repair', 'snapshots', '--read-data', '--repo', repoDir]);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toContain('--read-data is not an option of "cairn repair snapshots"');
  });

  it('dry runs report what would change and write nothing', async () => {
    const before = await fingerprint(repoDir);
    const index = JSON.parse(ok(cairn(['repair', 'index', '--dry-run', '--json', '--repo', repoDir])).stdout);
    expect(index).toMatchObject({ dryRun: true, changed: true, packsMissing: [lostPack] });
    expect(index.blobsDropped).toBeGreaterThan(0);
    const snaps = ok(cairn(['repair', 'snapshots', '--dry-run', '--repo', repoDir])).stdout;
    expect(snaps).toContain(`would repair 1 recovery point(s):\n  ${ids[1]?.slice(0, 8)}  `);
    expect(snaps).toContain('1 file(s) removed, 0 folder(s) emptied');
    expect(await fingerprint(repoDir)).toEqual(before);
  });

  it('repair index drops the missing pack and records it in the audit trail', async () => {
    const text = ok(cairn(['repair', 'index', '--repo', repoDir])).stdout;
    expect(text).toContain(`pack ${lostPack.slice(0, 8)} is missing: its entries are dropped`);
    expect(text).toMatch(/wrote index file [0-9a-f]{8}, removed \d+ old index file\(s\)/);
    expect(text).toContain('"cairn repair snapshots" writes copies');
    expect(await fs.readdir(path.join(repoDir, 'index'))).toHaveLength(1);
    const entry = (await auditActions()).find((e) => e.action === 'repair.index');
    expect(entry?.details).toMatchObject({ repositoryId, packsMissing: [lostPack], readData: false });
    // Again: nothing to do, nothing audited.
    expect(ok(cairn(['repair', 'index', '--repo', repoDir])).stdout).toContain('nothing to repair');
    expect((await auditActions()).filter((e) => e.action === 'repair.index')).toHaveLength(1);
  });

  it('repair snapshots writes a copy without the lost file; a frozen original gives a frozen copy', async () => {
    ok(cairn(['privacy', 'freeze', ids[1] as string, '--reason', 'dispute', '--repo', repoDir]));
    const out = JSON.parse(ok(cairn(['repair', 'snapshots', '--json', '--repo', repoDir])).stdout) as {
      repaired: { original: string; repaired: string; removedFiles: number; examples: string[] }[];
    };
    expect(out.repaired).toHaveLength(1);
    expect(out.repaired[0]).toMatchObject({
      original: ids[1],
      removedFiles: 1,
      examples: [path.join(src, 'changing.bin')],
    });
    copyId = out.repaired[0]?.repaired as string;
    expect(new FrozenPoints(dataDir).get(repositoryId, copyId)?.reason).toBe(
      `dispute (repaired copy of ${ids[1]?.slice(0, 8)})`,
    );
    const entry = (await auditActions()).find((e) => e.action === 'repair.snapshots');
    expect(entry?.details).toMatchObject({
      repositoryId,
      repaired: [{ original: ids[1], repaired: copyId, removedFiles: 1, emptiedFolders: 0 }],
      frozenCopies: [copyId],
    });
    expect(JSON.stringify(entry?.details)).not.toContain('changing.bin');

    const listed = JSON.parse(ok(cairn(['snapshots', '--json', '--repo', repoDir])).stdout) as {
      id: string;
      tags: string[];
      time: string;
    }[];
    const copy = listed.find((s) => s.id === copyId);
    expect(copy?.tags).toEqual(['repaired']);
    expect(copy?.time).toBe(listed.find((s) => s.id === ids[1])?.time);

    // Again: the original is known to be repaired; the text says how to remove it.
    const again = ok(cairn(['repair', 'snapshots', '--repo', repoDir])).stdout;
    expect(again).toContain(
      `recovery point ${ids[1]?.slice(0, 8)} was repaired before (copy ${copyId.slice(0, 8)}); remove the original with: cairn forget ${ids[1]?.slice(0, 8)}`,
    );
  });

  it('after forgetting the original, check is clean and the next backup brings the lost file back', async () => {
    ok(cairn(['privacy', 'unfreeze', ids[1] as string, '--repo', repoDir]));
    ok(cairn(['forget', ids[1] as string, '--repo', repoDir]));
    expect(ok(cairn(['check', '--read-data', '--repo', repoDir])).stdout).toContain('no errors were found');
    ok(cairn(['backup', '--repo', repoDir, src]));
    const target = path.join(dir, 'restored');
    ok(cairn(['restore', 'latest', '--repo', repoDir, '--target', target]));
    const back = path.join(target, src);
    expect((await fs.readFile(path.join(back, 'changing.bin'))).equals(seededBytes('changing 2', 600 * 1024))).toBe(
      true,
    );
    expect((await fs.readFile(path.join(back, 'keep/stable.bin'))).equals(seededBytes('stable', 700 * 1024))).toBe(
      true,
    );
    expect(ok(cairn(['check', '--read-data', '--repo', repoDir])).stdout).toContain('no errors were found');
  });

  it('an unreadable recovery point: check and repair snapshots advise to forget it', async () => {
    const file = path.join(repoDir, 'snapshots', ids[0] as string);
    await flipByte(file, 40);
    const checked = cairn(['check', '--repo', repoDir]);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toContain(
      `  cairn forget ${ids[0]?.slice(0, 8)}: removes 1 recovery point(s) that cannot be read`,
    );
    const repaired = ok(cairn(['repair', 'snapshots', '--repo', repoDir])).stdout;
    expect(repaired).toMatch(
      new RegExp(
        `recovery point ${ids[0]?.slice(0, 8)} cannot be read \\(.*\\); remove it with: cairn forget ${ids[0]?.slice(0, 8)}`,
      ),
    );
    // Following the advice leaves a clean repository.
    ok(cairn(['forget', ids[0]?.slice(0, 8) as string, '--repo', repoDir]));
    expect(ok(cairn(['check', '--repo', repoDir])).stdout).toContain('no errors were found');
  });
});
