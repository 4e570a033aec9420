/**
 * The app and a terminal on the same repository, as a user would have them: the engine host (the
 * app, holding the repository unlocked with its index in memory) and the real `cairn` command
 * line run from source between the app's operations: forget + prune, a prune that repacks, an
 * erasure, a password change. After each, every backup the app reports as succeeded restores
 * byte-identical through the app, the app's own check passes, and the terminal's
 * `check --read-data` is clean. A password changed in the terminal ends the app's session with a
 * message; unlocking with the new password brings it back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { expectSameTree, restoredPath, seededBytes } from '../engine/helpers.js';
import { type CliEnv, cairn, cairnAsync, type Run } from '../support/cli.js';
import { repositoryWithSource, runTask, TestHost } from '../support/host.js';

const KiB = 1024;

let fixture: TestHost;
let tmp: string;
let src: string;
let repoDir: string;
let host: EngineHost;
let repositoryId: string;
let password = 'pw';
/** Recovery point id → a copy of the source tree as that point holds it. */
const copies = new Map<string, string>();

/** What the terminal's `cairn` is given: the current password and a data folder of its own. */
function terminalEnv(env: CliEnv): CliEnv {
  return { password, dataDir: path.join(tmp, 'terminal-data'), ...env };
}

/** The terminal: `cairn ARGS` from source, with its own data folder, on the same repository. */
function terminal(args: string[], env: CliEnv = {}): Run {
  return cairn([...args, '--repo', repoDir], terminalEnv(env));
}

function ok(args: string[], env: CliEnv = {}): Run {
  const r = terminal(args, env);
  expect(r.status, `cairn ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

async function writeSource(version: string, withSecret = true): Promise<void> {
  await fs.writeFile(path.join(src, 'data.bin'), seededBytes(`data ${version}`, 600 * KiB));
  await fs.writeFile(path.join(src, 'notes.txt'), `notes of version ${version}\n`);
  if (withSecret) await fs.writeFile(path.join(src, 'secret.txt'), 'a secret kept in every point\n');
}

/** An app backup that must succeed; the tree it saw is kept for comparing restores. */
async function appBackup(): Promise<string> {
  const task = await runTask(host, 'backup.start', { repositoryId });
  expect(task.status, task.error ?? '').toBe('succeeded');
  const id = (task.result as { snapshotId: string }).snapshotId;
  const copy = path.join(tmp, 'copies', id);
  await fs.cp(src, copy, { recursive: true, preserveTimestamps: true });
  copies.set(id, copy);
  return id;
}

/** Every recovery point the app lists restores through the app exactly as it was backed up. */
async function expectEverythingRestores(): Promise<void> {
  const list = (await host.handle('snapshots.list', { repositoryId })) as { id: string }[];
  expect(list.length).toBeGreaterThan(0);
  for (const { id } of list) {
    const copy = copies.get(id);
    expect(copy, `recovery point ${id.slice(0, 8)} is one the test knows`).toBeDefined();
    const target = await fs.mkdtemp(path.join(tmp, 'restore-'));
    const task = await runTask(host, 'restore.start', { repositoryId, snapshotId: id, target });
    expect(task.status, task.error ?? '').toBe('succeeded');
    await expectSameTree(copy as string, restoredPath(target, src));
  }
  const checked = await runTask(host, 'check.start', { repositoryId, readData: true });
  expect(checked.status, checked.error ?? '').toBe('succeeded');
  const r = ok(['check', '--read-data']);
  expect(r.stdout).toContain('no errors were found');
}

beforeAll(async () => {
  fixture = await TestHost.open('app-and-terminal', { dataFolder: 'app-data' });
  ({ tmp, host } = fixture);
  src = path.join(tmp, 'src');
  repoDir = path.join(tmp, 'repo');
  await fs.mkdir(src);
  ({ repositoryId } = await repositoryWithSource(host, { location: repoDir, password, source: src }));
});

afterAll(() => fixture?.close());

describe('the app and a terminal on one repository', () => {
  let first: string;
  let second: string;

  it('after forget + prune in the terminal, the app stores pruned data again and every point restores', async () => {
    await writeSource('1');
    first = await appBackup();
    await writeSource('2');
    second = await appBackup();

    ok(['forget', first.slice(0, 8), '--prune']);
    copies.delete(first);
    // Version 1 comes back: its data was pruned, so the app must store it again.
    await writeSource('1');
    const third = await appBackup();
    const task = (await host.handle('tasks.list', { limit: 1 })) as { result: { dataAdded: number } }[];
    expect(task[0]?.result.dataAdded).toBeGreaterThanOrEqual(600 * KiB);
    expect(third).not.toBe(second);
    await expectEverythingRestores();
  });

  it('after a prune that repacked in the terminal, the app checks, restores and backs up', async () => {
    ok(['forget', second.slice(0, 8), '--prune', '--repack-threshold', '1']);
    copies.delete(second);
    await expectEverythingRestores();
    await writeSource('4');
    await appBackup();
    await expectEverythingRestores();
  });

  it('after an erasure in the terminal, the app lists the rewritten points and they restore without the path', async () => {
    ok(['privacy', 'erase', '--path', path.join(src, 'secret.txt')]);
    const points = JSON.parse(ok(['snapshots', '--json']).stdout) as {
      id: string;
      erasures?: { original: string }[];
    }[];
    for (const point of points) {
      const original = point.erasures?.at(-1)?.original;
      if (!original || copies.has(point.id)) continue;
      const copy = copies.get(original) as string;
      const erased = `${copy}-erased`;
      await fs.cp(copy, erased, { recursive: true, preserveTimestamps: true });
      await fs.rm(path.join(erased, 'secret.txt'));
      copies.set(point.id, erased);
      copies.delete(original);
    }
    await expectEverythingRestores();
    // The file is still on disk, so the next backup holds it again (and says nothing of it yet).
    await writeSource('5');
    await appBackup();
    await expectEverythingRestores();
  });

  it('a password changed in the terminal ends the app session with a message; the new one unlocks it', async () => {
    ok(['key', 'passwd'], { newPassword: 'a new password' });
    password = 'a new password';
    await writeSource('6');
    const task = await runTask(host, 'backup.start', { repositoryId });
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(/password that unlocked .* was changed or removed by another program .*unlock it again/);
    const status = (await host.handle('app.status', {})) as { repositories: { id: string; unlocked: boolean }[] };
    expect(status.repositories.find((r) => r.id === repositoryId)?.unlocked).toBe(false);
    await expect(host.handle('repo.unlock', { repositoryId, password: 'pw' })).rejects.toMatchObject({
      code: 'wrong-password',
    });
    await host.handle('repo.unlock', { repositoryId, password });
    await appBackup();
    await expectEverythingRestores();
  });
});

/** In the background, not to completion: the app's tasks keep running while the terminal's command does. */
function terminalAsync(args: string[], env: CliEnv = {}): Promise<Run> {
  return cairnAsync([...args, '--repo', repoDir], terminalEnv(env)).done;
}

describe('the app and a terminal at the same time', () => {
  it('every backup the app reports as succeeded restores, whatever the terminal does meanwhile', async () => {
    // A tree large enough that a backup of it overlaps a terminal command.
    for (let i = 0; i < 4; i++) await fs.writeFile(path.join(src, `big-${i}.bin`), seededBytes(`big ${i}`, 2 << 20));
    await writeSource('before');
    await appBackup(); // so that there is always a point to forget
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      await writeSource(`concurrent ${round}`);
      const points = (await host.handle('snapshots.list', { repositoryId })) as { id: string }[];
      const oldest = points.at(-1)?.id as string;
      const command =
        round % 3 === 0
          ? ['forget', oldest.slice(0, 8), '--prune', '--repack-threshold', '1']
          : round % 3 === 1
            ? ['prune', '--repack-threshold', '1']
            : ['key', 'passwd'];
      const nextPassword = `password ${round}`;
      const cli = terminalAsync(command, { newPassword: nextPassword });
      await new Promise((r) => setTimeout(r, random() * 2500));
      const task = await runTask(host, 'backup.start', { repositoryId }).catch((err: Error) => ({
        status: 'refused',
        error: err.message,
        result: null,
      }));
      const done = await cli;
      // The terminal's command either worked or said the repository is in use.
      if (done.status !== 0) expect(done.stderr).toMatch(/in use/);
      else if (command[0] === 'forget') copies.delete(oldest);
      if (done.status === 0 && command[0] === 'key') password = nextPassword;
      // The app's backup either succeeded or failed with a message that says why.
      if (task.status === 'succeeded') {
        const id = (task.result as { snapshotId: string }).snapshotId;
        const copy = path.join(tmp, 'copies', id);
        await fs.cp(src, copy, { recursive: true, preserveTimestamps: true });
        copies.set(id, copy);
      } else {
        expect(task.error).toMatch(/in use|unlock it again|stopped before saving/);
      }
      outcomes.push(`${command[0]}:${done.status === 0 ? 'ok' : 'in use'}/app:${task.status}`);
      // After a password change the app's session ends at its next operation (if the backup did
      // not meet it already): the user unlocks again with the new password.
      if (done.status === 0 && command[0] === 'key') {
        const status = (await host.handle('app.status', {})) as {
          repositories: { id: string; unlocked: boolean }[];
        };
        if (status.repositories.find((r) => r.id === repositoryId)?.unlocked) {
          const probe = await runTask(host, 'check.start', { repositoryId });
          expect(probe.error).toMatch(/unlock it again/);
        }
        await host.handle('repo.unlock', { repositoryId, password });
      }
      await expectEverythingRestores();
    }
    // Both kinds of outcome must have happened, or the test proves less than it says.
    expect(outcomes.some((o) => o.endsWith('app:succeeded'))).toBe(true);
    expect(outcomes.some((o) => o.includes(':in use') || !o.endsWith('app:succeeded'))).toBe(true);
  }, 240_000);
});
