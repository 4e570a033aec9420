/**
 * Journal backups: a backup that trusts the watcher journal (and takes unchanged folders over
 * from its parent) makes exactly the recovery point a full rescan makes — a property test over
 * random operation sequences, first with the journal the operations imply, then with the real
 * chokidar watcher — and the rules that decide when the journal may be trusted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeSet } from '../../src/app/journal/change-set.js';
import { HEARTBEAT_STALE_MS, JournalBackup } from '../../src/app/journal/journal-backup.js';
import { JournalStore } from '../../src/app/journal/journal-store.js';
import { FolderWatcher } from '../../src/app/journal/watcher.js';
import { backup } from '../../src/engine/backup/archiver.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import type { TreeNode } from '../../src/engine/format/tree.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { toRepoPath } from '../../src/engine/util/paths.js';
import { initLocalRepo, makeTempDir, removeDir } from './helpers.js';
import { type Journaled, makeTree, prng, randomOp } from './journal-ops.js';

let dir: string;
let repo: Repository;
let src: string;

beforeEach(async () => {
  dir = await makeTempDir('journal');
  ({ repo } = await initLocalRepo(dir));
  src = path.join(dir, 'src');
});

afterEach(async () => {
  await repo.close();
  await removeDir(dir);
});

async function fullBackup(parent?: SnapshotRecord): Promise<SnapshotRecord> {
  const r = await backup(repo, { paths: [src], ...(parent ? { parent: parent.id } : {}) });
  expect(r.usedJournal).toBe(false);
  return r.snapshot;
}

/**
 * The node of the backed-up folder in a recovery point: what the comparison is about (the
 * folders above it, such as the busy system temp folder, may change between two backups).
 */
async function sourceNode(s: SnapshotRecord): Promise<TreeNode> {
  let tree = await repo.loadTree(s.tree);
  let node: TreeNode | undefined;
  for (const part of toRepoPath(src).split('/').filter(Boolean)) {
    node = tree.nodes.find((n) => n.name === part);
    if (!node) throw new Error(`${part} is not in recovery point ${s.id}`);
    if (node.subtree) tree = await repo.loadTree(node.subtree);
  }
  return node as TreeNode;
}

async function expectSameSource(a: SnapshotRecord, b: SnapshotRecord, message?: string): Promise<void> {
  expect(await sourceNode(a), message).toEqual(await sourceNode(b));
}

function totals(s: SnapshotRecord) {
  const { totalFiles, totalBytes, dirs } = s.summary;
  return { totalFiles, totalBytes, dirs };
}

describe('journal backup equals a full rescan', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`after a random sequence of changes (seed ${seed})`, async () => {
      const rnd = prng(seed);
      makeTree(src, rnd);
      const first = await fullBackup();
      const journaled: Journaled[] = [];
      const ops: string[] = [];
      const steps = 1 + Math.floor(rnd() * 15);
      for (let i = 0; i < steps; i++) {
        const { op, journaled: j } = randomOp(src, rnd);
        ops.push(op);
        journaled.push(...j);
      }
      const viaJournal = await backup(repo, {
        paths: [src],
        parent: first.id,
        planChanges: (parent) => (parent ? new ChangeSet(journaled) : undefined),
      });
      const rescan = await fullBackup(first);
      expect(viaJournal.usedJournal).toBe(true);
      await expectSameSource(viaJournal.snapshot, rescan, ops.join('\n'));
      expect(totals(viaJournal.snapshot)).toEqual(totals(rescan));
      expect(viaJournal.snapshot.summary.filesNew + viaJournal.snapshot.summary.filesChanged).toBeLessThanOrEqual(
        rescan.summary.filesNew + rescan.summary.filesChanged,
      );
    });
  }

  it('takes unchanged folders over without listing them', async () => {
    makeTree(src, prng(42), 60);
    const first = await fullBackup();
    const edited = path.join(src, 'f0.txt');
    fs.rmSync(edited, { force: true });
    fs.writeFileSync(edited, 'new content');
    const r = await backup(repo, {
      paths: [src],
      planChanges: (parent) => (parent ? new ChangeSet([{ path: edited, kind: 'entry' }]) : undefined),
    });
    expect(r.reusedFolders).toBeGreaterThan(0);
    await expectSameSource(r.snapshot, await fullBackup(first));
  });

  it('counts reused subtrees from the tree stats cache or by reading them', async () => {
    makeTree(src, prng(7), 40);
    const store = JournalStore.open(path.join(dir, 'data'));
    try {
      const first = (await backup(repo, { paths: [src], treeStats: store })).snapshot;
      const subtree = (await sourceNode(first)).subtree as string;
      expect(store.treeStats(subtree)).toEqual({
        files: first.summary.totalFiles,
        bytes: first.summary.totalBytes,
        dirs: first.summary.dirs,
      });
      const nothing = () => new ChangeSet([]);
      const withCache = await backup(repo, { paths: [src], planChanges: nothing, treeStats: store });
      const withoutCache = await backup(repo, { paths: [src], parent: first.id, planChanges: nothing });
      expect(totals(withCache.snapshot)).toEqual(totals(first));
      expect(totals(withoutCache.snapshot)).toEqual(totals(first));
      expect((await sourceNode(withCache.snapshot)).subtree).toBe(subtree);
    } finally {
      store.close();
    }
  });

  it('rescans a folder whole when its .cairnignore changes', async () => {
    makeTree(src, prng(9));
    fs.mkdirSync(path.join(src, 'd0', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'd0', 'sub', 'x.log'), 'log');
    const first = await fullBackup();
    const ignore = path.join(src, 'd0', '.cairnignore');
    fs.writeFileSync(ignore, '*.log\n');
    const r = await backup(repo, {
      paths: [src],
      planChanges: (parent) => (parent ? new ChangeSet([{ path: ignore, kind: 'entry' }]) : undefined),
    });
    await expectSameSource(r.snapshot, await fullBackup(first));
  });
});

describe('journal backup with the real watcher', () => {
  for (const seed of [11, 12, 13]) {
    it(`journals what changed and matches a full rescan (seed ${seed})`, async () => {
      const rnd = prng(seed);
      makeTree(src, rnd);
      const store = JournalStore.open(path.join(dir, 'data'));
      const watcher = await FolderWatcher.start(store, [src], { flushMs: 50 });
      try {
        expect(watcher.watchedCount).toBeGreaterThan(30);
        const plan1 = new JournalBackup(store, [src]);
        const first = await backup(repo, {
          paths: [src],
          planChanges: (p) => plan1.plan(p),
          treeStats: store,
        });
        plan1.commit(first.snapshot);
        expect(plan1.usedJournal).toBe(false);
        const ops: string[] = [];
        for (let i = 0, n = 2 + Math.floor(rnd() * 10); i < n; i++) ops.push(randomOp(src, rnd).op);
        // No waiting: the backup starts right after the changes and asks the watcher to confirm.
        const plan2 = new JournalBackup(store, [src]);
        await plan2.prepare();
        const second = await backup(repo, { paths: [src], planChanges: (p) => plan2.plan(p), treeStats: store });
        plan2.commit(second.snapshot);
        expect(plan2.usedJournal, plan2.reason).toBe(true);
        const rescan = await backup(repo, { paths: [src], parent: first.snapshot.id });
        await expectSameSource(second.snapshot, rescan.snapshot, ops.join('\n'));
      } finally {
        await watcher.close();
        store.close();
      }
    });
  }

  it('catches up on changes made before it started, back to the last backup', async () => {
    makeTree(src, prng(21));
    const store = JournalStore.open(path.join(dir, 'data'));
    try {
      const plan1 = new JournalBackup(store, [src]);
      const first = await backup(repo, { paths: [src], planChanges: (p) => plan1.plan(p), treeStats: store });
      plan1.commit(first.snapshot);
      // Changed while nothing watched:
      fs.writeFileSync(path.join(src, 'd0', 'while-away.txt'), 'written before the watcher started');
      fs.appendFileSync(path.join(src, 'f1.txt'), 'more');
      const watcher = await FolderWatcher.start(store, [src], { flushMs: 50 });
      try {
        const plan2 = new JournalBackup(store, [src]);
        await plan2.prepare();
        const second = await backup(repo, { paths: [src], planChanges: (p) => plan2.plan(p), treeStats: store });
        expect(plan2.usedJournal, plan2.reason).toBe(true);
        const rescan = await backup(repo, { paths: [src], parent: first.snapshot.id });
        await expectSameSource(second.snapshot, rescan.snapshot);
      } finally {
        await watcher.close();
      }
    } finally {
      store.close();
    }
  });
});

describe('when the journal is trusted', () => {
  let store: JournalStore;
  let now: number;
  const parent = { id: 'p1' } as SnapshotRecord;

  beforeEach(() => {
    fs.mkdirSync(src, { recursive: true });
    store = JournalStore.open(path.join(dir, 'data'));
    now = 1_000_000_000;
  });
  afterEach(() => store.close());

  function plan(options: { rescan?: boolean; excludes?: string[]; alive?: boolean } = {}) {
    return new JournalBackup(store, [src], {
      now: () => now,
      isAlive: () => options.alive ?? true,
      rescan: options.rescan,
      excludes: options.excludes,
    });
  }

  /** A watcher session that was ready before a first backup made `p1`. */
  function readySessionAndFirstBackup(): string {
    const session = store.startSession(src, 4242, 'elsewhere', now);
    store.markReady(session, null, now);
    const first = plan();
    first.plan(undefined);
    first.commit({ id: 'p1', partial: false });
    store.recordChanges(src, [{ path: path.join(src, 'a.txt'), kind: 'entry' }], now);
    now += 1000;
    store.heartbeat(session, now);
    return session;
  }

  it('trusts a live, complete session that was ready at the last backup', () => {
    readySessionAndFirstBackup();
    const p = plan();
    expect(p.plan(parent)?.canReuse(path.join(src, 'other'))).toBe(true);
    expect(p.usedJournal).toBe(true);
  });

  it('rescans without a parent, on --rescan, or when the excludes changed', () => {
    readySessionAndFirstBackup();
    expect(plan().plan(undefined)).toBeUndefined();
    const r = plan({ rescan: true });
    expect(r.plan(parent)).toBeUndefined();
    expect(r.reason).toMatch(/rescan was asked/);
    const e = plan({ excludes: ['*.tmp'] });
    expect(e.plan(parent)).toBeUndefined();
    expect(e.reason).toMatch(/exclude rules/);
  });

  it('rescans when the parent is not the last backup made here', () => {
    readySessionAndFirstBackup();
    const p = plan();
    expect(p.plan({ id: 'other' } as SnapshotRecord)).toBeUndefined();
    expect(p.reason).toMatch(/not the parent/);
  });

  it('rescans when the watcher lost events, stopped, or its heartbeat is stale', () => {
    const session = readySessionAndFirstBackup();
    now += HEARTBEAT_STALE_MS + 1;
    expect(plan().plan(parent)).toBeUndefined();
    store.heartbeat(session, now);
    expect(plan().plan(parent)).toBeDefined();
    store.markLost(session, 'overflow', now);
    const p = plan();
    expect(p.plan(parent)).toBeUndefined();
    expect(p.reason).toMatch(/no watcher is running/);
  });

  it('rescans when the watcher does not confirm its journal in time, and trusts it once it does', async () => {
    const session = readySessionAndFirstBackup();
    const waiting = plan();
    await waiting.prepare(60);
    expect(waiting.plan(parent)).toBeUndefined();
    expect(waiting.reason).toMatch(/did not confirm/);
    const answered = plan();
    const prepared = answered.prepare(2000);
    store.markFlushed(session, now);
    await prepared;
    expect(answered.plan(parent)).toBeDefined();
  });

  it('rescans when a new session did not catch up to the last backup', () => {
    readySessionAndFirstBackup();
    const late = store.startSession(src, 4243, 'elsewhere', now);
    store.markReady(late, null, now);
    const p = plan();
    expect(p.plan(parent)).toBeUndefined();
    expect(p.reason).toMatch(/did not cover/);
    const caughtUp = store.startSession(src, 4244, 'elsewhere', now);
    store.markReady(caughtUp, now - 5000, now);
    expect(plan().plan(parent)).toBeDefined();
  });

  it('forces a full rescan once a week and after a partial recovery point', () => {
    readySessionAndFirstBackup();
    const p = plan();
    p.plan(parent);
    p.commit({ id: 'p2', partial: true });
    const after = plan();
    expect(after.plan({ id: 'p2' } as SnapshotRecord)).toBeUndefined();
    expect(after.reason).toMatch(/7 days/);
    after.commit({ id: 'p3', partial: false });
    const next = plan();
    expect(next.plan({ id: 'p3' } as SnapshotRecord)).toBeDefined();
    now += 7 * 24 * 3600 * 1000;
    for (const s of store.sessions()) store.heartbeat(s.sessionId, now);
    const weekLater = plan();
    expect(weekLater.plan({ id: 'p3' } as SnapshotRecord)).toBeUndefined();
    expect(weekLater.reason).toMatch(/7 days/);
  });
});
