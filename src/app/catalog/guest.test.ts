/**
 * A guest handle on the catalog (`cairn pause` beside the app or `cairn serve`): it opens only an
 * existing catalog, beside the owner whose lock it neither needs nor takes or releases, leaves the
 * owner's running tasks alone, and what it writes the owner reads at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../engine/errors.js';
import { Catalog } from './catalog.js';
import { OWNER_LOCK_FILE } from './owner-lock.js';

let dir: string;
const open: Catalog[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-guest-'));
});
afterEach(() => {
  for (const catalog of open.splice(0)) catalog.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function opened(options?: { guest?: boolean }): Catalog {
  const catalog = Catalog.open(dir, options);
  open.push(catalog);
  return catalog;
}

function failure(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    return err as CairnError;
  }
  throw new Error('expected a CairnError');
}

describe('a guest catalog handle', () => {
  it('opens no catalog where there is none, and creates nothing', () => {
    const empty = path.join(dir, 'nothing-here');
    const err = failure(() => Catalog.open(empty, { guest: true }));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain(`there is no app catalog in ${empty}`);
    expect(fs.existsSync(empty)).toBe(false);
  });

  it('works beside the owner, without its lock, and the owner reads its changes at once', () => {
    const owner = opened();
    owner.addRepository({ id: 'r1', location: path.join(dir, 'repo'), label: 'Disk', region: 'this-device' });
    const source = owner.addSource({ repositoryId: 'r1', path: path.resolve('/home/me') });
    const task = owner.createTask({ kind: 'backup', repositoryId: 'r1', status: 'running' });
    // A second owner is refused; a guest is not.
    expect(failure(() => Catalog.open(dir)).code).toBe('locked');
    const guest = opened({ guest: true });
    // The owner's running task is not taken for one a stopped process left behind.
    expect(guest.getTask(task.id)?.status).toBe('running');

    guest.updateSource(source.id, { pausedUntilResumed: true });
    expect(owner.getSource(source.id)).toMatchObject({ pausedUntil: null, pausedUntilResumed: true });

    // Closing the guest leaves the owner's lock in place.
    guest.close();
    expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(true);
    expect(failure(() => Catalog.open(dir)).code).toBe('locked');
    expect(owner.getTask(task.id)?.status).toBe('running');
  });
});
