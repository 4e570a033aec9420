/**
 * The app's one clock: a host opened with a fixed clock (EngineHostOptions.clock) dates with it
 * what its use cases record — a backup's recovery point, a key slot's `created`, a freeze, the
 * audit entries (with the task id of a finished backup) and `repo.health`'s `checkedAt` — so
 * nothing the app records reads the computer's clock behind the host's back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { backUp, repositoryWithSource, TestHost } from '../support/host.js';

/** A time no test run happens at, so a date read from the computer's clock cannot match it. */
const FIXED = Date.parse('2031-05-06T07:08:09.000Z');
const FIXED_ISO = new Date(FIXED).toISOString();

let fixture: TestHost;

beforeEach(async () => {
  fixture = await TestHost.open('host-clock', { clock: () => FIXED });
});
afterEach(() => fixture?.close());

it('dates a recovery point, a key slot, a freeze and the audit trail with the host clock', async () => {
  const { host, tmp } = fixture;
  const src = path.join(tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'notes.txt'), 'dated by the host');
  const { repositoryId } = await repositoryWithSource(host, { location: path.join(tmp, 'repo'), source: src });

  const snapshotId = await backUp(host, repositoryId);
  const [point] = await host.call('snapshots.list', { repositoryId });
  expect(point).toMatchObject({ id: snapshotId });
  expect(Date.parse(point?.time ?? '')).toBe(FIXED);

  const slot = await host.call('keys.add', { repositoryId, password: 'second', label: 'laptop' });
  expect(slot.created).toBe(FIXED_ISO);

  const frozen = await host.call('snapshots.freeze', { repositoryId, snapshotId, reason: 'accuracy contested' });
  expect(frozen.frozenAt).toBe(FIXED_ISO);

  expect((await host.call('repo.health', { repositoryId })).checkedAt).toBe(FIXED_ISO);

  const audit = await host.call('audit.list', { limit: 1000 });
  expect(audit.map((e) => e.at)).toEqual(audit.map(() => FIXED_ISO));
  const backups = audit.filter((e) => e.action === 'backup.completed');
  expect(backups).toHaveLength(1);
  expect(backups[0]?.details).toMatchObject({ repositoryId, snapshotId, taskId: expect.any(String) });
});
