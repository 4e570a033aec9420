/**
 * A removed key slot leaves none of its bytes in the repository folder: `key passwd`, `key remove`
 * and a new recovery kit (the use cases of src/app/services/keys.ts, as the CLI and the app call
 * them) on a local repository. A removed slot still wraps the master keys under its password, so
 * its file must be overwritten, not only unlinked.
 *
 * A test cannot read the blocks a file leaves when it is unlinked, so each slot file is given a
 * second name inside the repository folder before the changes (a hard link, as link-based backup
 * tools make): unlinking removes only Cairn's name and leaves the file's bytes under the other,
 * where writing over the file in place reaches them. Then every file under the folder is searched
 * for each removed slot's bytes, read before the changes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openPrivacyRecords, type PrivacyRecords } from '../../src/app/privacy/index.js';
import { createRepository } from '../../src/app/services/create-repository.js';
import {
  addKey,
  changePassword,
  createRecoveryKey,
  type KeyChangeDeps,
  listKeys,
  removeKey,
} from '../../src/app/services/keys.js';
import { openRepository, type RepositoryRecords } from '../../src/app/services/open-repository.js';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { FAST_KDF, makeTempDir, removeDir } from '../engine/helpers.js';
import { filesBelow } from '../support/name-sweep.js';

let dir: string;
let repoDir: string;
let records: RepositoryRecords;
let opened: PrivacyRecords | undefined;
/** Every slot file's bytes by id, each read once and given a second name under `<repo>/.second-names/`. */
let slots: Map<string, Buffer>;

beforeEach(async () => {
  slots = new Map();
  dir = await makeTempDir('slot-shred');
  repoDir = path.join(dir, 'repo');
  opened = undefined;
  records = {
    privacy: () => {
      opened ??= openPrivacyRecords(path.join(dir, 'data'), 'cli');
      return opened;
    },
    warn: () => {},
    incidentsChanged: () => {},
  };
});

afterEach(async () => {
  await removeDir(dir);
});

async function secondNameForEverySlot(): Promise<void> {
  const names = path.join(repoDir, '.second-names');
  await fs.mkdir(names, { recursive: true });
  for (const id of await fs.readdir(path.join(repoDir, 'keys'))) {
    if (slots.has(id)) continue;
    const file = path.join(repoDir, 'keys', id);
    slots.set(id, await fs.readFile(file));
    await fs.link(file, path.join(names, id));
  }
}

/** What of a slot file must be gone: the whole file, and its wrapped master keys alone. */
function secretsOf(bytes: Buffer): Buffer[] {
  const wrapped = (JSON.parse(bytes.toString('utf8')) as { wrapped: string }).wrapped;
  return [bytes, Buffer.from(wrapped, 'utf8'), Buffer.from(wrapped, 'base64')];
}

/** The files under the repository folder that hold any of `secrets`. */
async function filesHolding(secrets: Buffer[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesBelow(repoDir)) {
    const content = await fs.readFile(file);
    if (secrets.some((secret) => content.includes(secret))) found.push(path.relative(repoDir, file));
  }
  return found;
}

it('key passwd, key remove and a new recovery kit leave no byte of a removed slot in the repository folder', async () => {
  const backend = new LocalBackend(repoDir);
  const { repo } = await createRepository({ backend, password: 'old pw', operation: 'init', kdf: FAST_KDF, records });
  const deps: KeyChangeDeps = { records, cost: FAST_KDF };
  const initial = repo.keySlotId;
  const laptop = await addKey(repo, 'laptop pw', 'laptop', deps);
  const firstKit = await createRecoveryKey(repo, deps);
  await secondNameForEverySlot();

  const secondKit = await createRecoveryKey(repo, deps); // removes the first kit's slot
  await secondNameForEverySlot();
  const change = await changePassword(repo, 'new pw', deps); // removes the slot 'old pw' opened
  await secondNameForEverySlot();
  expect(await removeKey(repo, laptop.id.slice(0, 8), deps)).toBe(laptop.id);

  const removed = [firstKit.slotId, initial, laptop.id];
  const kept = [secondKit.slotId, change.slot.id];
  expect(secondKit.removed).toEqual([firstKit.slotId]);
  expect(change.replaced).toBe(initial);
  expect((await listKeys(repo)).map((s) => s.id).sort()).toEqual([...kept].sort());
  expect([...slots.keys()].sort()).toEqual([...removed, ...kept].sort());

  for (const id of removed) {
    const found = await filesHolding(secretsOf(slots.get(id) as Buffer));
    expect(found, `bytes of removed slot ${id.slice(0, 8)}`).toEqual([]);
    // The file itself lives on under its second name: written over, the same length.
    expect((await fs.stat(path.join(repoDir, '.second-names', id))).size).toBe(slots.get(id)?.length);
  }
  // The search finds what is there: each kept slot under both of its names.
  for (const id of kept) {
    expect(await filesHolding(secretsOf(slots.get(id) as Buffer))).toEqual([`.second-names/${id}`, `keys/${id}`]);
  }
  await expect(openRepository({ backend, password: 'old pw', records })).rejects.toMatchObject({
    code: 'wrong-password',
  });
  await expect(openRepository({ backend, password: 'laptop pw', records })).rejects.toMatchObject({
    code: 'wrong-password',
  });
  await expect(openRepository({ backend, password: firstKit.recoveryKey, records })).rejects.toMatchObject({
    code: 'wrong-password',
  });
  expect((await openRepository({ backend, password: 'new pw', records })).keySlotId).toBe(change.slot.id);
});
