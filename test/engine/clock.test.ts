/**
 * The engine dates what it records with the Clock its operations take (src/engine/util/clock.ts),
 * never with the computer's clock behind the caller's back: a recovery point's time and duration,
 * a key slot's creation, erasure records and times (and the erasure's lock), a repaired copy's
 * time, and the age at which prune removes leftover temporary files. A backup reads the clock
 * only when it starts and when it ends, never per file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { createKeySlot, generateMasterKeys } from '../../src/engine/crypto/keys.js';
import { erasePath } from '../../src/engine/erase/erase-path.js';
import { prune } from '../../src/engine/prune/prune.js';
import { repairSnapshots } from '../../src/engine/repair/repair-snapshots.js';
import { listLocks } from '../../src/engine/repo/lock.js';
import { Repository } from '../../src/engine/repo/repository.js';
import type { Clock } from '../../src/engine/util/clock.js';
import { FAST_KDF, initLocalRepo, makeTempDir, PASSWORD, removeDir, seededBytes } from './helpers.js';

/** A moment no test runs at, so a date taken from the computer's clock cannot pass for it. */
const T = Date.UTC(2031, 1, 3, 4, 5, 6, 789);
const AT_T = new Date(T).toISOString();
const fixedClock: Clock = () => T;

let dir: string;
let src: string;

beforeEach(async () => {
  dir = await makeTempDir('clock');
  src = path.join(dir, 'src');
  await fs.mkdir(path.join(src, 'sub'), { recursive: true });
  await fs.writeFile(path.join(src, 'secret.txt'), 'erase me\n');
  await fs.writeFile(path.join(src, 'sub', 'small.bin'), seededBytes('small', 20_000));
  await fs.writeFile(path.join(src, 'sub', 'large.bin'), seededBytes('large', 900_000));
});

afterEach(async () => {
  await removeDir(dir);
});

describe('the clock an operation takes', () => {
  it('dates a recovery point and measures its duration, read at the start and the end only', async () => {
    const { repo } = await initLocalRepo(dir);
    let now = T;
    const stepping: Clock = () => {
      const t = now;
      now += 1500;
      return t;
    };
    const { snapshot } = await backup(repo, { paths: [src], clock: stepping });
    expect(snapshot.time).toBe(AT_T);
    expect(snapshot.summary.durationMs).toBe(1500);
    expect(snapshot.summary.filesNew).toBe(3);
    // An explicit time still names the recovery point; the clock still measures the duration.
    const explicit = new Date(Date.UTC(2020, 0, 1));
    const again = await backup(repo, { paths: [src], time: explicit, clock: fixedClock });
    expect(again.snapshot.time).toBe(explicit.toISOString());
    expect(again.snapshot.summary.durationMs).toBe(0);
  });

  it('dates a new key slot', async () => {
    const slot = await createKeySlot(generateMasterKeys(), PASSWORD, { kdf: FAST_KDF, clock: fixedClock });
    expect(slot.created).toBe(AT_T);
  });

  it('dates an erasure: its records, its times and its lock', async () => {
    const { repo } = await initLocalRepo(dir);
    await backup(repo, { paths: [src] });
    let lockTimes: string[] = [];
    const result = await erasePath(repo, path.join(src, 'secret.txt'), {
      requestId: 'erase-clock',
      clock: fixedClock,
      beforeChange: async () => {
        lockTimes = (await listLocks(repo)).map((l) => l.info.time);
      },
    });
    expect(lockTimes).toEqual([AT_T]);
    expect(result.removedFromUseAt).toBe(AT_T);
    expect(result.physicallyDeletedAt).toBe(AT_T);
    const [rewritten] = result.rewritten;
    expect(rewritten).toBeDefined();
    const copy = await repo.loadSnapshot(rewritten?.rewritten as string);
    expect(copy.erasures?.map((e) => e.time)).toEqual([AT_T]);
  });

  it("dates a repaired copy's repair", async () => {
    const { repo, repoDir, backend } = await initLocalRepo(dir);
    await backup(repo, { paths: [src] });
    await repo.loadIndex();
    const dataPacks = new Set([...repo.index.entries()].filter(([, l]) => l.type === 'data').map(([, l]) => l.pack));
    expect(dataPacks.size).toBeGreaterThan(0);
    for (const pack of dataPacks) await fs.rm(path.join(repoDir, 'data', pack.slice(0, 2), pack));
    const reopened = await Repository.open(backend, PASSWORD);
    const result = await repairSnapshots(reopened, { clock: fixedClock });
    const [point] = result.repaired;
    expect(point?.repaired).toBeDefined();
    const copy = await reopened.loadSnapshot(point?.repaired as string);
    expect(copy.repaired?.time).toBe(AT_T);
  });

  it('tells leftover temporary files by their age on the clock when pruning', async () => {
    const { repo, repoDir } = await initLocalRepo(dir);
    await backup(repo, { paths: [src] });
    const leftover = path.join(repoDir, 'index', '.tmp-crashed-save');
    await fs.writeFile(leftover, 'partial');
    // Written just now: young on the computer's clock, so it may be a save in progress.
    await prune(repo);
    expect((await fs.stat(leftover)).isFile()).toBe(true);
    // Two hours later on the clock it is a leftover (prune removes those older than an hour).
    await prune(repo, undefined, { clock: () => Date.now() + 2 * 3600_000 });
    await expect(fs.stat(leftover)).rejects.toThrow();
  });
});
