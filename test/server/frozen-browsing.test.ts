/**
 * A frozen (restricted, GDPR Art. 18) recovery point through the contract, as the Recovery points
 * and Restore screens reach it: comparing it (`snapshots.diff`, either side) and previewing its
 * restore (`restore.preview`) are refused as the command line refuses them, and `snapshots.search`
 * leaves it out; unfreezing it lifts all three.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { backUp, repositoryWithSource, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let src: string;
let repositoryId: string;

beforeEach(async () => {
  fixture = await TestHost.open('frozen-browsing');
  ({ tmp, host } = fixture);
  src = path.join(tmp, 'src');
  await fs.mkdir(src, { recursive: true });
  await fs.writeFile(path.join(src, 'report.txt'), 'first version');
  ({ repositoryId } = await repositoryWithSource(host, { location: path.join(tmp, 'repo'), source: src }));
});
afterEach(() => fixture?.close());

it('refuses to compare or preview a frozen point and leaves it out of searches', async () => {
  const first = await backUp(host, repositoryId);
  await fs.writeFile(path.join(src, 'report.txt'), 'second version, longer');
  const second = await backUp(host, repositoryId);
  await host.call('snapshots.freeze', { repositoryId, snapshotId: first, reason: 'accuracy contested' });

  const refused = { code: 'invalid-argument', message: expect.stringMatching(/is frozen.*Art\. 18/) };
  await expect(host.call('snapshots.diff', { repositoryId, a: first, b: second })).rejects.toMatchObject(refused);
  await expect(host.call('snapshots.diff', { repositoryId, a: second, b: first })).rejects.toMatchObject(refused);
  const target = path.join(tmp, 'out');
  await expect(host.call('restore.preview', { repositoryId, snapshotId: first, target })).rejects.toMatchObject(
    refused,
  );
  const found = await host.call('snapshots.search', { repositoryId, query: 'report' });
  expect(found.snapshotsSearched).toBe(1);
  expect(found.hits.map((h) => h.versions.map((v) => v.snapshotId))).toEqual([[second]]);

  await host.call('snapshots.unfreeze', { repositoryId, snapshotId: first });
  expect((await host.call('snapshots.diff', { repositoryId, a: first, b: second })).counts.modified).toBe(1);
  expect((await host.call('restore.preview', { repositoryId, snapshotId: first, target })).counts.new).toBe(1);
  const all = await host.call('snapshots.search', { repositoryId, query: 'report' });
  expect(all.hits[0]?.versions.map((v) => v.snapshotId)).toEqual([second, first]);
});
