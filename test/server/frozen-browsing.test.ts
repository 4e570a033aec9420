/**
 * A frozen (restricted, GDPR Art. 18) recovery point through the contract, method by method, as
 * the app reaches it: every method that reads its contents is refused with code 'restricted'
 * (browse, compare on either side, restore preview, restore) or leaves it out (search, the
 * personal-data export's file index), each from the one guard in the engine; listing marks it,
 * freezing it again and checking the repository still work, retention keeps it, erasure rewrites
 * it and the freeze moves to the copy; unfreezing lifts every refusal.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { readZip } from '../../src/app/privacy/zip.js';
import { backUp, repositoryWithSource, runTask, succeeded, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let src: string;
let repositoryId: string;
let first: string;
let second: string;

const refused = (reason: string) => ({
  code: 'restricted',
  message: expect.stringMatching(
    new RegExp(`is frozen \\(restricted under GDPR Art\\. 18\\) since .* \\(${reason}\\).*unfreeze it in Privacy`),
  ),
});

beforeEach(async () => {
  fixture = await TestHost.open('frozen-browsing');
  ({ tmp, host } = fixture);
  src = path.join(tmp, 'src');
  await fs.mkdir(src, { recursive: true });
  await fs.writeFile(path.join(src, 'report.txt'), 'first version');
  await fs.writeFile(path.join(src, 'secret.txt'), 'a name to erase');
  ({ repositoryId } = await repositoryWithSource(host, { location: path.join(tmp, 'repo'), source: src }));
  first = await backUp(host, repositoryId);
  await fs.writeFile(path.join(src, 'report.txt'), 'second version, longer');
  second = await backUp(host, repositoryId);
  await host.call('snapshots.freeze', { repositoryId, snapshotId: first, reason: 'accuracy contested' });
});
afterEach(() => fixture?.close());

describe('the methods that read a frozen point refuse it', () => {
  it('snapshots.browse', async () => {
    const browse = (snapshotId: string) => host.call('snapshots.browse', { repositoryId, snapshotId, path: src });
    await expect(browse(first)).rejects.toMatchObject(refused('accuracy contested'));
    await expect(browse(first.slice(0, 8))).rejects.toMatchObject(refused('accuracy contested'));
    expect((await browse(second)).map((e) => e.name)).toEqual(['report.txt', 'secret.txt']);
  });

  it('snapshots.diff, on either side', async () => {
    await expect(host.call('snapshots.diff', { repositoryId, a: first, b: second })).rejects.toMatchObject(
      refused('accuracy contested'),
    );
    await expect(host.call('snapshots.diff', { repositoryId, a: second, b: first })).rejects.toMatchObject(
      refused('accuracy contested'),
    );
  });

  it('restore.preview', async () => {
    const target = path.join(tmp, 'out');
    await expect(host.call('restore.preview', { repositoryId, snapshotId: first, target })).rejects.toMatchObject(
      refused('accuracy contested'),
    );
    expect((await host.call('restore.preview', { repositoryId, snapshotId: second, target })).counts.new).toBe(2);
  });

  it('restore.start, before any task starts and writing nothing', async () => {
    const target = path.join(tmp, 'out');
    await expect(host.call('restore.start', { repositoryId, snapshotId: first, target })).rejects.toMatchObject(
      refused('accuracy contested'),
    );
    expect(await host.call('tasks.list', {})).not.toContainEqual(expect.objectContaining({ kind: 'restore' }));
    await expect(fs.access(target)).rejects.toThrow();
  });

  it('snapshots.search leaves it out', async () => {
    const found = await host.call('snapshots.search', { repositoryId, query: 'report' });
    expect(found.snapshotsSearched).toBe(1);
    expect(found.hits.map((h) => h.versions.map((v) => v.snapshotId))).toEqual([[second]]);
  });

  it('privacy.export lists it, marked frozen, without its file index', async () => {
    const out = path.join(tmp, 'export.zip');
    await host.call('privacy.export', { out, repositoryId });
    const names = [...readZip(await fs.readFile(out)).keys()];
    const indexes = names.filter((n) => n.endsWith('/file-index.csv'));
    expect(indexes).toHaveLength(1);
    expect(indexes[0]).toContain(second.slice(0, 16));
    const listed = names.find((n) => n.endsWith('/recovery-points.csv')) as string;
    const csv =
      readZip(await fs.readFile(out))
        .get(listed)
        ?.toString() ?? '';
    expect(csv.split('\n').find((line) => line.startsWith(first))).toContain('true');
  });
});

describe('what must still see a frozen point', () => {
  it('lists it marked frozen, freezes it again keeping the first reason, and checks it', async () => {
    const listed = await host.call('snapshots.list', { repositoryId });
    expect(listed.map((s) => [s.id, s.frozen])).toEqual([
      [second, false],
      [first, true],
    ]);
    const again = await host.call('snapshots.freeze', { repositoryId, snapshotId: first, reason: 'another' });
    expect(again).toMatchObject({ snapshotId: first, reason: 'accuracy contested' });
    const check = await runTask(host, 'check.start', { repositoryId, readData: true });
    expect(check.status, check.error ?? '').toBe('succeeded');
    expect(check.result).toMatchObject({ ok: true, snapshots: 2 });
  });

  it('retention keeps it and prunes nothing it needs', async () => {
    await host.call('retention.set', { repositoryId, policy: { last: 1 } });
    const task = await runTask(host, 'retention.apply', { repositoryId });
    expect(task.status, task.error ?? '').toBe('succeeded');
    expect((await host.call('snapshots.list', { repositoryId })).map((s) => s.id).sort()).toEqual(
      [first, second].sort(),
    );
    await host.call('snapshots.unfreeze', { repositoryId, snapshotId: first });
    const target = path.join(tmp, 'out');
    await succeeded(host, (await host.call('restore.start', { repositoryId, snapshotId: first, target })).taskId);
    expect(await fs.readFile(path.join(target, src, 'report.txt'), 'utf8')).toBe('first version');
  });

  it('erasure rewrites it, and the freeze moves to the copy', async () => {
    const secret = path.join(src, 'secret.txt');
    const preview = await host.call('privacy.erasePreview', { repositoryId, path: secret });
    expect(preview.recoveryPoints).toHaveLength(2);
    const task = await succeeded(
      host,
      (await host.call('privacy.erasePath', { repositoryId, path: secret, excludeFromBackups: false })).taskId,
    );
    expect(task.result?.recoveryPointsRewritten).toBe(2);
    const listed = await host.call('snapshots.list', { repositoryId });
    expect(listed.map((s) => s.id)).not.toContain(first);
    const moved = listed.find((s) => s.frozen);
    expect(moved).toBeDefined();
    expect(listed.filter((s) => s.frozen)).toHaveLength(1);
    const copy = moved?.id as string;
    await expect(host.call('snapshots.browse', { repositoryId, snapshotId: copy, path: src })).rejects.toMatchObject(
      refused('accuracy contested'),
    );
    await host.call('snapshots.unfreeze', { repositoryId, snapshotId: copy });
    const names = (await host.call('snapshots.browse', { repositoryId, snapshotId: copy, path: src })).map(
      (e) => e.name,
    );
    expect(names).toEqual(['report.txt']);
  });
});

it('unfreezing lifts every refusal at once', async () => {
  await host.call('snapshots.unfreeze', { repositoryId, snapshotId: first });
  const target = path.join(tmp, 'out');
  expect((await host.call('snapshots.browse', { repositoryId, snapshotId: first, path: src })).length).toBe(2);
  expect((await host.call('snapshots.diff', { repositoryId, a: first, b: second })).counts.modified).toBe(1);
  expect((await host.call('restore.preview', { repositoryId, snapshotId: first, target })).counts.new).toBe(2);
  const all = await host.call('snapshots.search', { repositoryId, query: 'report' });
  expect(all.hits[0]?.versions.map((v) => v.snapshotId)).toEqual([second, first]);
  await succeeded(host, (await host.call('restore.start', { repositoryId, snapshotId: first, target })).taskId);
  expect(await fs.readFile(path.join(target, src, 'report.txt'), 'utf8')).toBe('first version');
});
