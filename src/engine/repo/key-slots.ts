/**
 * Key slots (`keys/<sha256>`): each wraps the repository's master keys under one password
 * (docs/repository-format.md §6). Opening tries every slot; a slot that cannot be parsed is
 * reported as damaged rather than stopping the others. Adding and removing slots are the
 * Repository's methods (they must check its locks first); the file handling is here.
 *
 * A removed slot still wraps the master keys under its password, so its file is shredded where the
 * backend can (`Backend.shred`: overwritten in place with random bytes, flushed, then deleted), not
 * only unlinked: on a local folder unlinking leaves the bytes in the file's blocks, and in the file
 * itself under any other name it has (a hard link made by a backup tool).
 */
import type { Backend } from '../backend/types.js';
import { sha256Hex } from '../crypto/ids.js';
import { describeKdf } from '../crypto/kdf.js';
import { type DerivedAhead, type KeySlotFile, type MasterKeys, parseKeySlot, unlockKeySlot } from '../crypto/keys.js';
import { CairnError, IntegrityError, WrongPasswordError } from '../errors.js';

export interface KeySlotInfo {
  id: string;
  label: string;
  created: string;
  kdf: string;
  current: boolean;
  damaged?: boolean;
}

/** Stores a slot under the SHA-256 of its bytes; returns its id. */
export async function storeKeySlot(backend: Backend, slot: KeySlotFile): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(slot, null, 2), 'utf8');
  const id = sha256Hex(bytes);
  await backend.save({ kind: 'keys', id }, bytes);
  return id;
}

/**
 * Deletes the slot `id`: shredded where the backend can, else removed. Best effort beyond the
 * file itself: SSDs, copy-on-write file systems, snapshots and copies made elsewhere may keep the
 * old bytes (docs/threat-model.md, "Key handling").
 */
export async function destroyKeySlot(backend: Backend, id: string): Promise<void> {
  const ref = { kind: 'keys', id } as const;
  if (backend.shred) await backend.shred(ref);
  else await backend.remove(ref);
}

/**
 * Unwraps the master keys with `password`, trying every slot; says which slots are damaged. A
 * derivation started `ahead` for one of the slots is used for it.
 */
export async function unlockWithPassword(
  backend: Backend,
  password: string,
  ahead?: DerivedAhead,
): Promise<{ keys: MasterKeys; slotId: string }> {
  const slots: { id: string; slot: KeySlotFile }[] = [];
  const damaged: string[] = [];
  for await (const info of backend.list('keys')) {
    const bytes = await backend.load({ kind: 'keys', id: info.id });
    try {
      if (sha256Hex(bytes) !== info.id) throw new IntegrityError('content does not match its name');
      slots.push({ id: info.id, slot: parseKeySlot(bytes, `key slot ${info.id.slice(0, 8)}`) });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      damaged.push(info.id.slice(0, 8));
    }
  }
  if (slots.length === 0 && damaged.length === 0) {
    throw new IntegrityError(`the repository at ${backend.location} has no key slots: it cannot be opened`);
  }
  for (const { id, slot } of slots) {
    try {
      return { keys: await unlockKeySlot(slot, password, ahead), slotId: id };
    } catch (err) {
      if (!(err instanceof WrongPasswordError)) damaged.push(id.slice(0, 8));
    }
  }
  if (damaged.length > 0) {
    throw new IntegrityError(
      `wrong password, or the matching key slot is damaged (damaged slots: ${damaged.join(', ')})`,
    );
  }
  throw new WrongPasswordError();
}

/** Every slot with its label, oldest first; `currentId` is the slot that unlocked the session. */
export async function listKeySlots(backend: Backend, currentId: string): Promise<KeySlotInfo[]> {
  const out: KeySlotInfo[] = [];
  for await (const info of backend.list('keys')) {
    const current = info.id === currentId;
    try {
      const slot = parseKeySlot(await backend.load({ kind: 'keys', id: info.id }), `key slot ${info.id.slice(0, 8)}`);
      out.push({ id: info.id, label: slot.label, created: slot.created, kdf: describeKdf(slot.kdf), current });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      out.push({
        id: info.id,
        label: '(damaged: cannot be used)',
        created: '',
        kdf: 'unreadable',
        current,
        damaged: true,
      });
    }
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

/**
 * The slot named by `id` (or a unique prefix) that may be removed: never the only slot that can
 * open the repository, which could then never be opened again.
 */
export function slotToRemove(slots: KeySlotInfo[], id: string): KeySlotInfo {
  const match = slots.filter((s) => s.id.startsWith(id));
  if (match.length !== 1 || !match[0]) {
    throw new CairnError('not-found', match.length === 0 ? `no key slot ${id}` : `key slot prefix ${id} is ambiguous`);
  }
  if (!match[0].damaged && slots.filter((s) => !s.damaged).length === 1) {
    throw new CairnError(
      'invalid-argument',
      'refusing to remove the only key slot that can open the repository: it could never be opened again',
    );
  }
  return match[0];
}
