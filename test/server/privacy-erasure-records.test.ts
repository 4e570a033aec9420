/**
 * Erasure and restriction leave evidence in the privacy records: erasing a path and freezing or
 * unfreezing a recovery point are audited (and the chain still verifies), and the export lists a
 * frozen point without its file index.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { readZip } from '../../src/app/privacy/zip.js';
import { backUp, repositoryWithSource, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let repositoryId: string;
let src: string;

beforeEach(async () => {
  fixture = await TestHost.open('privacy-erasure');
  ({ tmp, host } = fixture);
  src = path.join(tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'secret.txt'), 'customer data');
  await fs.writeFile(path.join(src, 'keep.txt'), 'kept');
  ({ repositoryId } = await repositoryWithSource(host, { location: path.join(tmp, 'repo'), source: src }));
  for (let i = 0; i < 2; i++) {
    await fs.writeFile(path.join(src, 'keep.txt'), `kept ${i}`);
    await backUp(host, repositoryId);
  }
});
afterEach(() => fixture?.close());

async function auditActions(): Promise<string[]> {
  const entries = (await host.handle('audit.list', { limit: 500 })) as { action: string }[];
  return entries.map((e) => e.action);
}

describe('erasure and restriction in the privacy records', () => {
  it('audits an erasure and a freeze, and the chain still verifies', async () => {
    const { taskId } = (await host.handle('privacy.erasePath', {
      repositoryId,
      path: path.join(src, 'secret.txt'),
    })) as { taskId: string };
    expect((await host.tasks.settled(taskId)).status).toBe('succeeded');
    const points = (await host.handle('snapshots.list', { repositoryId })) as { id: string }[];
    await host.handle('snapshots.freeze', { repositoryId, snapshotId: points[0]?.id as string, reason: 'dispute' });
    await host.handle('snapshots.unfreeze', { repositoryId, snapshotId: points[0]?.id as string });
    const actions = await auditActions();
    expect(actions).toEqual(expect.arrayContaining(['erase.path', 'snapshot.frozen', 'snapshot.unfrozen']));
    expect(((await host.handle('audit.verify', {})) as { ok: boolean }).ok).toBe(true);
  });

  it('exports a frozen recovery point without its file index', async () => {
    const points = (await host.handle('snapshots.list', { repositoryId })) as { id: string; time: string }[];
    const frozen = points[0]?.id as string;
    const open = points[1]?.id as string;
    await host.handle('snapshots.freeze', { repositoryId, snapshotId: frozen, reason: 'restricted' });
    const out = path.join(tmp, 'export.zip');
    await host.handle('privacy.export', { out });
    const files = readZip(await fs.readFile(out));
    const names = [...files.keys()];
    expect(names.some((n) => n.includes(open.slice(0, 16)) && n.endsWith('file-index.csv'))).toBe(true);
    expect(names.some((n) => n.includes(frozen.slice(0, 16)) && n.endsWith('file-index.csv'))).toBe(false);
    const listing = names.find((n) => n.endsWith('recovery-points.json')) as string;
    const rows = JSON.parse((files.get(listing) as Buffer).toString('utf8')) as { id: string; frozen: boolean }[];
    expect(rows.find((r) => r.id === frozen)?.frozen).toBe(true);
    expect(rows.find((r) => r.id === open)?.frozen).toBe(false);
  });
});
