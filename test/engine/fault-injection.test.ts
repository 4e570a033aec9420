/**
 * Fault injection (issue 18, "Trust"): backup, forget + prune with repack, erasure of a path, key
 * add and password change run over FaultyBackend (test/backends/faulty-backend.ts) with every
 * fault kind at seeded points of the operation, plus targeted points that once went wrong.
 * After each run, on a fault-free view of the same stored objects:
 *   - the operation succeeded or failed with a clear error (an Error with a message, not a
 *     programming error), and never hung;
 *   - check, reading all data, finds no error (notes on unindexed packs are fine);
 *   - every recovery point committed before restores byte-identical (one the operation may
 *     remove — forgotten, or replaced by its erased copy — may be gone; an erased copy restores
 *     without the erased path), and a new one holds exactly what was backed up;
 *   - the password works (after a password change, the old or the new one; only the new one
 *     once it reported success), and no lock is left behind;
 *   - what the operation promised when it reported success holds, and the same operation run
 *     again without faults completes and leaves the repository clean.
 * Each run starts from a copy of one base repository (three recovery points of a changing tree;
 * small packs, so an operation makes dozens of writes to strike at). FAULT_SEED (default 18)
 * seeds the points, FAULT_POINTS (default 2) sets the points per kind and operation, and
 * FAULT_CASE="erase path, stale-list at 9" runs only the cases whose name starts with it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequestId } from '../../src/app/privacy/erasure/records.js';
import { MemoryBackend } from '../../src/engine/backend/memory.js';
import { type Backend, OBJECT_KINDS, type ObjectKind } from '../../src/engine/backend/types.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import type { ChunkerParams } from '../../src/engine/chunker/fastcdc.js';
import { erasePath } from '../../src/engine/erase/erase-path.js';
import { nodeAt } from '../../src/engine/erase/rewrite-snapshot.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import { compareNames, type TreeNode } from '../../src/engine/format/tree.js';
import { type PruneResult, prune } from '../../src/engine/prune/prune.js';
import { withLock } from '../../src/engine/repo/lock.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import { toRepoPath } from '../../src/engine/util/paths.js';
import { FAULT_KINDS, type FaultKind, FaultyBackend, seededRandom } from '../backends/faulty-backend.js';
import {
  compressibleText,
  FAST_KDF,
  type LocalEntry,
  makeTempDir,
  PASSWORD,
  removeDir,
  scanTree,
  seededBytes,
} from './helpers.js';

const SEED = Number(process.env.FAULT_SEED ?? 18);
const POINTS_PER_KIND = Number(process.env.FAULT_POINTS ?? 2);
const ONLY = process.env.FAULT_CASE;
const KiB = 1024;
const NEW_PASSWORD = 'a new password after the fault';
/**
 * Files up to 64 KiB are read and encoded on the main thread; only the base's big file goes to
 * the chunking workers, so the operations under test start no worker threads of their own.
 */
const CHUNKER: ChunkerParams = { minSize: 64 * KiB, avgSize: 128 * KiB, maxSize: 512 * KiB };
const PACK_SIZE = 40 * KiB;
/** An operation on this small repository takes well under a second; far longer is a hang. */
const HANG_MS = 20_000;
const KEEP_LAST = 2;

/** What the forget + prune operation returns. */
interface Forgot {
  pruned: PruneResult;
  /** Recovery points left out because they could not be read. */
  warnings: string[];
}

interface Base {
  dir: string;
  src: string;
  backend: MemoryBackend;
  /** Snapshot id → the tree it was taken of. */
  manifests: Map<string, LocalEntry[]>;
  snapshots: SnapshotRecord[];
  /** The source as the backup operation finds it (changed since the last base backup). */
  next: LocalEntry[];
  /** A file in every base recovery point, which the erasure removes. */
  erased: string;
}

/** The tree for backup number `i`: two new files, the two of backup i-2 gone, small changes. */
async function mutate(src: string, i: number): Promise<void> {
  await fs.mkdir(path.join(src, 'docs', 'deep'), { recursive: true });
  if (i === 1) {
    await fs.writeFile(path.join(src, 'docs', 'stable.txt'), compressibleText(30 * KiB));
    await fs.writeFile(path.join(src, 'docs', 'deep', 'secret.bin'), seededBytes('the secret', 24 * KiB));
  }
  // Changed for the base only: re-reading it would start the chunking workers.
  if (i <= 3) await fs.writeFile(path.join(src, 'big.bin'), seededBytes(`big ${i % 2}`, 300 * KiB));
  for (const part of ['a', 'b']) {
    await fs.writeFile(path.join(src, `new-${i}-${part}.bin`), seededBytes(`new ${i} ${part}`, 18 * KiB + i));
    await fs.rm(path.join(src, `new-${i - 2}-${part}.bin`), { force: true });
  }
  await fs.writeFile(path.join(src, 'changing.txt'), `version ${i}\n`);
  await fs.rm(path.join(src, 'link'), { force: true });
  await fs.symlink(`new-${i}-a.bin`, path.join(src, 'link'));
  const t = new Date(Date.UTC(2026, 0, i));
  await fs.utimes(path.join(src, 'changing.txt'), t, t);
}

async function makeBase(): Promise<Base> {
  const dir = await makeTempDir('faults');
  const src = path.join(dir, 'src');
  const backend = new MemoryBackend();
  const repo = await Repository.init(backend, PASSWORD, { kdf: FAST_KDF, chunker: CHUNKER, packSize: PACK_SIZE });
  const manifests = new Map<string, LocalEntry[]>();
  const snapshots: SnapshotRecord[] = [];
  for (let i = 1; i <= 3; i++) {
    await mutate(src, i);
    const { snapshot } = await backup(repo, { paths: [src], time: new Date(Date.UTC(2026, 0, i, 12)) });
    manifests.set(snapshot.id, await scanTree(src));
    snapshots.push(snapshot);
  }
  await repo.close();
  await mutate(src, 4);
  const erased = toRepoPath(path.join(src, 'docs', 'deep', 'secret.bin'));
  return { dir, src, backend, manifests, snapshots, next: await scanTree(src), erased };
}

/** A copy of every stored object in a new MemoryBackend (each run starts from the base). */
async function copyOf(from: Backend): Promise<MemoryBackend> {
  const to = new MemoryBackend();
  for (const kind of OBJECT_KINDS) {
    for await (const info of from.list(kind)) {
      await to.save({ kind, id: info.id }, await from.load({ kind, id: info.id }));
    }
  }
  return to;
}

interface Operation {
  name: string;
  run(repo: Repository, base: Base): Promise<unknown>;
  /** Why a fault-free run would not exercise what the scenario is about, if it would not. */
  pointless?(result: unknown): string | undefined;
  /** Base recovery points the operation may remove (`present`: the recovery points there afterwards). */
  mayRemove(id: string, present: SnapshotRecord[], base: Base): boolean;
  /** Whether a recovery point not in the base may be there, and the tree it must restore to. */
  expectNew(s: SnapshotRecord, base: Base): { tree: LocalEntry[]; without?: string } | undefined;
  /** What the operation promised once it reported success (`result`), checked on the fault-free view. */
  afterSuccess?(repo: Repository, base: Base, result: unknown): Promise<string[]>;
  /** Points the seeded sweep may miss that once went wrong: each must be run. */
  targeted?: { kind: FaultKind; at: number; objects: ObjectKind }[];
}

async function opens(backend: Backend, password: string): Promise<boolean> {
  try {
    await (await Repository.open(backend, password)).close();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'wrong-password') return false;
    throw err;
  }
}

const OPERATIONS: Operation[] = [
  {
    name: 'backup',
    run: (repo, base) => withLock(repo, 'backup', false, () => backup(repo, { paths: [base.src] })),
    mayRemove: () => false,
    expectNew: (_s, base) => ({ tree: base.next }),
    async afterSuccess(repo, base) {
      const added = (await repo.listSnapshots()).filter((s) => !base.manifests.has(s.id));
      return added.length > 0 ? [] : ['the backup reported success but saved no recovery point'];
    },
  },
  {
    name: 'forget + prune',
    async run(repo) {
      // As `cairn forget` does, a recovery point that cannot be read is left out with a warning.
      const warnings: string[] = [];
      repo.onDamage = (message) => warnings.push(message);
      await withLock(repo, 'forget', true, async () => {
        for (const s of (await repo.listSnapshots()).slice(0, -KEEP_LAST)) await repo.removeSnapshot(s.id);
      });
      return { pruned: await prune(repo, undefined, { repackThreshold: 0.95 }), warnings };
    },
    pointless: (result) => ((result as Forgot).pruned.packsRepacked > 0 ? undefined : 'prune repacked nothing'),
    mayRemove: (id, _present, base) => base.snapshots.slice(0, -KEEP_LAST).some((s) => s.id === id),
    expectNew: () => undefined,
    async afterSuccess(repo, _base, result) {
      const left = (await repo.listSnapshots()).length;
      if (left === KEEP_LAST || (result as Forgot).warnings.length > 0) return [];
      return [`${left} recovery points are left, not ${KEEP_LAST}, and no warning said why`];
    },
    // A recovery point that cannot be read for a moment must not be skipped silently.
    targeted: [{ kind: 'load-fail', at: 1, objects: 'snapshots' }],
  },
  {
    name: 'erase path',
    run: (repo, base) => erasePath(repo, base.erased, { requestId: newRequestId(), resume: true }),
    // An original goes only once its erased copy is stored.
    mayRemove: (id, present) => present.some((s) => s.erasures?.at(-1)?.original === id),
    expectNew(s, base) {
      const original = s.erasures?.at(-1)?.original;
      const tree = original ? base.manifests.get(original) : undefined;
      return tree ? { tree, without: base.erased } : undefined;
    },
    async afterSuccess(repo, base) {
      const holding: string[] = [];
      for (const s of await repo.listSnapshots()) {
        if (await nodeAt(repo, s.tree, base.erased)) holding.push(`recovery point ${s.id.slice(0, 8)} still holds it`);
      }
      return holding;
    },
    targeted: [
      // The last erased copy missing from the listing: prune would delete its trees.
      { kind: 'stale-list', at: 2, objects: 'snapshots' },
      // A recovery point that holds the path cannot be read for a moment while they are listed.
      { kind: 'load-fail', at: 2, objects: 'snapshots' },
    ],
  },
  {
    name: 'key add',
    run: (repo) => repo.addKeySlot(NEW_PASSWORD, 'added', FAST_KDF),
    mayRemove: () => false,
    expectNew: () => undefined,
    async afterSuccess(repo) {
      return (await opens(repo.backend, NEW_PASSWORD)) ? [] : ['the added password does not open the repository'];
    },
  },
  {
    name: 'password change',
    run: (repo) => withLock(repo, 'key passwd', true, () => repo.changePassword(NEW_PASSWORD, FAST_KDF)),
    mayRemove: () => false,
    expectNew: () => undefined,
    async afterSuccess(repo) {
      const problems: string[] = [];
      if (!(await opens(repo.backend, NEW_PASSWORD))) problems.push('the new password does not open the repository');
      if (await opens(repo.backend, PASSWORD)) problems.push('the old password still opens the repository');
      return problems;
    },
  },
];

/** Opens with the old password or, after a key operation, the new one; undefined when neither works. */
async function openEither(backend: Backend): Promise<{ repo: Repository; password: string } | undefined> {
  for (const password of [PASSWORD, NEW_PASSWORD]) {
    if (await opens(backend, password)) return { repo: await Repository.open(backend, password), password };
  }
  return undefined;
}

/** Differences between a restored folder and the tree it should hold (without `without` and below). */
async function treeDifferences(restored: string, expected: LocalEntry[], base: Base, without?: string) {
  const dropped = without ? path.relative(base.src, without) : undefined;
  const keep = (e: LocalEntry) => !dropped || (e.rel !== dropped && !e.rel.startsWith(`${dropped}/`));
  const shape = (e: LocalEntry) =>
    JSON.stringify([
      e.rel,
      e.type,
      e.sha256 ?? null,
      e.target ?? null,
      e.type === 'symlink' ? 0 : e.mode,
      e.type === 'symlink' ? 0 : Math.round(e.mtimeMs),
    ]);
  const want = expected.filter(keep).map(shape);
  const got = (await scanTree(restored)).map(shape);
  return [
    ...want.filter((w) => !got.includes(w)).map((m) => `missing or different: ${m}`),
    ...got.filter((g) => !want.includes(g)).map((x) => `unexpected: ${x}`),
  ];
}

/**
 * Restores the given recovery points and compares each with the tree it was taken of. They are
 * restored in one go, as folders of one tree made for the purpose (in a scratch copy of the
 * stored objects, so the retry sees the repository as the fault left it): the same restorer
 * reads every pack and writes every file, but its worker threads start once instead of once per
 * recovery point, which keeps a hundred verifications inside the time budget.
 */
async function restoreAll(
  stored: MemoryBackend,
  password: string,
  points: { s: SnapshotRecord; tree: LocalEntry[]; without?: string }[],
  base: Base,
  label: string,
): Promise<string[]> {
  if (points.length === 0) return [];
  const problems: string[] = [];
  const repo = await Repository.open(await copyOf(stored), password);
  const target = path.join(base.dir, 'restores', label);
  try {
    await repo.loadIndex();
    const nodes: TreeNode[] = points.map(({ s }) => ({
      name: s.id,
      type: 'dir',
      mode: 0o700,
      mtime: 0,
      subtree: s.tree,
    }));
    const tree = await repo.saveTree({ nodes: nodes.sort((a, b) => compareNames(a.name, b.name)) });
    await repo.flush();
    const whole = { ...(points[0] as { s: SnapshotRecord }).s, id: 'every-recovery-point', tree };
    const result = await restore(repo, whole, { target });
    for (const e of result.errors) problems.push(`restore: ${e.path}: ${e.message}`);
    for (const { s, tree: expected, without } of points) {
      const diff = await treeDifferences(path.join(target, s.id, path.resolve(base.src)), expected, base, without);
      for (const d of diff.slice(0, 3)) problems.push(`restore ${s.id.slice(0, 8)}: ${d}`);
    }
  } catch (err) {
    problems.push(`restore failed: ${(err as Error).message}`);
  } finally {
    await repo.close();
    await removeDir(target);
  }
  return problems;
}

/**
 * Whether the base recovery points restore exactly as they did in beforeAll: every index file
 * and pack of the base is still stored, and no index file supersedes another (nothing was
 * pruned or rewritten). Stored objects are named by the SHA-256 of their bytes (check verified
 * that of every pack; index files are verified as they are read), so those are the base's own
 * bytes; an index file added since can only name further copies of a blob, and check decoded
 * every blob of every pack against its id.
 */
async function baseIntact(repo: Repository, base: Base): Promise<boolean> {
  const stored = new Set<string>();
  for (const kind of ['data', 'index'] as const) {
    for await (const info of repo.backend.list(kind)) stored.add(`${kind}/${info.id}`);
  }
  for (const kind of ['data', 'index'] as const) {
    for await (const info of base.backend.list(kind)) {
      if (!stored.delete(`${kind}/${info.id}`)) return false;
    }
  }
  for (const key of stored) {
    if (key.startsWith('index/') && (await repo.loadIndexFile(key.slice(6))).supersedes.length > 0) return false;
  }
  return true;
}

/** Runs `promise`, failing with "HUNG" when it has not settled after HANG_MS. */
async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HUNG: did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return { ok: true, value: await Promise.race([promise, hang]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** Why an operation's failure is not a clear error, or undefined when it is one. */
function unclear(error: unknown): string | undefined {
  if (!(error instanceof Error)) return `it threw a non-Error: ${String(error)}`;
  if (error.message.startsWith('HUNG')) return error.message;
  if (error.message.trim() === '') return `${error.name} without a message`;
  if (error instanceof TypeError || error instanceof ReferenceError || error instanceof SyntaxError)
    return `a programming error: ${error.name}: ${error.message}`;
  return undefined;
}

/** Everything the scenario promises after one faulted run; returns the problems found. */
async function verify(
  op: Operation,
  stored: MemoryBackend,
  base: Base,
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
  label: string,
) {
  const problems: string[] = [];
  const opened = await openEither(stored);
  if (!opened) return ['neither the old nor the new password opens the repository'];
  const { repo } = opened;
  try {
    if (op.name !== 'password change' && opened.password !== PASSWORD) {
      problems.push('the password no longer opens the repository');
    }
    const locks = await repo.listIds('locks');
    if (locks.length > 0) problems.push(`${locks.length} lock(s) left behind`);
    const checked = await check(repo, { readData: { kind: 'all' } });
    for (const e of checked.errors) problems.push(`check: ${e.object}: ${e.message}`);
    const present = await repo.listSnapshots();
    const presentIds = new Set(present.map((s) => s.id));
    const points: { s: SnapshotRecord; tree: LocalEntry[]; without?: string }[] = [];
    for (const s of base.snapshots) {
      if (presentIds.has(s.id)) points.push({ s, tree: base.manifests.get(s.id) as LocalEntry[] });
      else if (!op.mayRemove(s.id, present, base)) problems.push(`recovery point ${s.id.slice(0, 8)} is gone`);
    }
    for (const s of present) {
      if (base.manifests.has(s.id)) continue;
      const expected = op.expectNew(s, base);
      if (expected) points.push({ s, ...expected });
      else problems.push(`an unexpected recovery point ${s.id.slice(0, 8)} appeared`);
    }
    // Restoring takes most of a run's time (its worker threads start from TypeScript here):
    // base recovery points are restored again only when what they are read from changed.
    const intact = checked.errors.length === 0 && (await baseIntact(repo, base));
    const changed = intact ? points.filter((p) => !base.manifests.has(p.s.id)) : points;
    problems.push(...(await restoreAll(stored, opened.password, changed, base, label)));
    if (outcome.ok && op.afterSuccess) problems.push(...(await op.afterSuccess(repo, base, outcome.value)));
  } finally {
    await repo.close();
  }
  if (problems.length > 0) return problems;

  // The same operation again, without faults, completes and leaves a clean repository.
  const again = await openEither(stored);
  if (!again) return ['the repository cannot be opened for the retry'];
  try {
    const retry = await settle(op.run(again.repo, base));
    if (!retry.ok) return [`the fault-free retry failed: ${(retry.error as Error).message}`];
    const checked = await check(again.repo, { readData: { kind: 'all' } });
    for (const e of checked.errors) problems.push(`check after the retry: ${e.object}: ${e.message}`);
    if (op.afterSuccess) problems.push(...(await op.afterSuccess(again.repo, base, retry.value)));
  } finally {
    await again.repo.close();
  }
  return problems;
}

/** Distinct seeded points in [0, count): all of them when there are few. */
function pointsFor(count: number, wanted: number, random: () => number): number[] {
  if (count <= wanted) return Array.from({ length: count }, (_, i) => i);
  const points = new Set<number>();
  while (points.size < wanted) points.add(Math.floor(random() * count));
  return [...points].sort((a, b) => a - b);
}

describe(`operations over a faulty backend (seed ${SEED}, ${POINTS_PER_KIND} points per kind)`, () => {
  let base: Base;

  beforeAll(async () => {
    base = await makeBase();
    const points = base.snapshots.map((s) => ({ s, tree: base.manifests.get(s.id) as LocalEntry[] }));
    expect(await restoreAll(base.backend, PASSWORD, points, base, 'base')).toEqual([]);
  });
  afterAll(async () => {
    await removeDir(base?.dir);
  });

  for (const [opIndex, op] of OPERATIONS.entries()) {
    it(`${op.name}: every fault kind at seeded points leaves a repository that checks clean and restores`, async () => {
      // A fault-free run sizes the points to strike at (each kind counts its own calls).
      const sizing = new FaultyBackend(await copyOf(base.backend));
      const sized = await Repository.open(sizing, PASSWORD);
      sizing.arm({ kind: 'fail-before', at: Number.POSITIVE_INFINITY });
      const result = await op.run(sized, base);
      const pointless = op.pointless?.(result);
      await sized.close();
      expect(pointless).toBeUndefined();

      const random = seededRandom(SEED * 31 + opIndex);
      const cases: { kind: FaultKind; at: number; objects?: ObjectKind; count: number }[] = [];
      for (const kind of FAULT_KINDS) {
        const count = sizing.eligibleCount(kind);
        for (const at of pointsFor(count, POINTS_PER_KIND, random)) cases.push({ kind, at, count });
      }
      for (const t of op.targeted ?? []) cases.push({ ...t, count: sizing.eligibleCount(t.kind, t.objects) });

      const failures: string[] = [];
      let runs = 0;
      let failedRuns = 0;
      for (const { kind, at, objects, count } of cases) {
        const seed = SEED * 1000 + at;
        const where = `${op.name}, ${kind} at ${at} of ${count}${objects ? ` ${objects}` : ''} calls (seed ${seed})`;
        if (ONLY && !where.startsWith(ONLY)) continue;
        if (at >= count) {
          failures.push(`${where}: there is no such call to strike`);
          continue;
        }
        const stored = await copyOf(base.backend);
        const faulty = new FaultyBackend(stored);
        const repo = await Repository.open(faulty, PASSWORD);
        faulty.arm({ kind, at, seed, objects, delayMs: 5 });
        const outcome = await settle(op.run(repo, base));
        await repo.close();
        runs++;
        if (faulty.struck.length === 0) {
          failures.push(`${where}: the fault never struck`);
          continue;
        }
        if (!outcome.ok) {
          failedRuns++;
          const why = unclear(outcome.error);
          if (why) failures.push(`${where}: not a clear error: ${why}`);
          // Slow storage is no reason to give up.
          else if (kind === 'slow') failures.push(`${where}: failed: ${(outcome.error as Error).message}`);
        }
        const problems = await verify(op, stored, base, outcome, String(runs)).catch((err: Error) => [
          `verifying threw: ${err.message}`,
        ]);
        const result = outcome.ok ? 'succeeded' : `failed: ${(outcome.error as Error).message.slice(0, 120)}`;
        for (const p of problems) failures.push(`${where} (${result}): ${p}`);
      }
      if (!ONLY) {
        expect(runs).toBeGreaterThan(5);
        expect(failedRuns).toBeGreaterThan(0);
      }
      expect(failures).toEqual([]);
      // A generous bound for a loaded machine: a hang is caught per run (HANG_MS), not here.
    }, 240_000);
  }
});
