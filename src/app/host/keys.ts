/**
 * Key slots through the contract ('keys.*'): list, add a password, change the password that
 * unlocked the session, remove a slot, and make a recovery key. A recovery key is 150 random bits
 * written as 6 groups of 5 Crockford base32 characters (`7KQ2M-…`), stored only inside its own
 * key slot (labelled RECOVERY_LABEL) and returned once, for the printable recovery kit. Making a
 * new one removes the earlier recovery key slots, so a lost kit can be revoked.
 */
import { randomInt } from 'node:crypto';
import { ContractError } from '../../contract/errors.js';
import type { Result } from '../../contract/methods.js';
import type { KdfCost } from '../../engine/crypto/kdf.js';
import { withLock } from '../../engine/repo/lock.js';
import type { KeySlotInfo, Repository } from '../../engine/repo/repository.js';

export const RECOVERY_LABEL = 'recovery key';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U
const GROUPS = 6;
const GROUP_LENGTH = 5;

type Slot = Result<'keys.list'>[number];

/**
 * The cost to give a new slot of `repo`: the host's (lowered in tests) when it is for the
 * repository's own key derivation, otherwise that derivation's default.
 */
function slotCost(repo: Repository, cost: KdfCost | undefined): KdfCost | undefined {
  return cost?.name === repo.config.algorithms.keyDerivation ? cost : undefined;
}

/** A new random recovery key, e.g. `7KQ2M-0XH4T-…` (6 × 5 characters, 150 bits). */
export function generateRecoveryKey(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/**
 * The canonical form of something typed as a recovery key (any case, spaces or dashes, and the
 * look-alikes O→0, I/L→1), or null when it is not shaped like one.
 */
export function normalizeRecoveryKey(typed: string): string | null {
  const chars = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (chars.length !== GROUPS * GROUP_LENGTH || ![...chars].every((c) => ALPHABET.includes(c))) return null;
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) groups.push(chars.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH));
  return groups.join('-');
}

function toSlot(s: KeySlotInfo): Slot {
  return {
    id: s.id,
    label: s.label,
    created: s.created,
    current: s.current,
    damaged: s.damaged === true,
    recoveryKey: !s.damaged && s.label === RECOVERY_LABEL,
  };
}

export async function listKeys(repo: Repository): Promise<Slot[]> {
  return (await repo.listKeySlots()).map(toSlot);
}

async function slotById(repo: Repository, id: string): Promise<Slot> {
  const slot = (await listKeys(repo)).find((s) => s.id === id);
  if (!slot) throw new ContractError('internal', `the new key slot ${id.slice(0, 8)} cannot be found`);
  return slot;
}

export async function addKey(repo: Repository, password: string, label: string, cost?: KdfCost): Promise<Slot> {
  if (label.trim().toLowerCase() === RECOVERY_LABEL) {
    throw new ContractError(
      'invalid-argument',
      `"${RECOVERY_LABEL}" is reserved for the recovery key; choose another name`,
    );
  }
  return slotById(repo, await repo.addKeySlot(password, label.trim(), slotCost(repo, cost)));
}

/**
 * Replaces the password that unlocked this session. When the session was unlocked with the
 * recovery key, the recovery key stays valid and the new password gets a slot of its own.
 */
export async function changePassword(repo: Repository, newPassword: string, cost?: KdfCost): Promise<Slot> {
  const current = (await listKeys(repo)).find((s) => s.current);
  if (current?.recoveryKey) return slotById(repo, await repo.addKeySlot(newPassword, 'password', slotCost(repo, cost)));
  const id = await withLock(repo, 'change password', true, () =>
    repo.changePassword(newPassword, slotCost(repo, cost)),
  );
  return slotById(repo, id);
}

export async function removeKey(repo: Repository, slotId: string): Promise<void> {
  const slots = await listKeys(repo);
  const slot = slots.find((s) => s.id === slotId);
  if (!slot) throw new ContractError('not-found', `there is no key slot ${slotId.slice(0, 8)}`);
  if (slot.current) {
    throw new ContractError(
      'invalid-argument',
      'this password unlocked the repository in this session: use "Change password" to replace it instead',
    );
  }
  await withLock(repo, 'remove key slot', true, () => repo.removeKeySlot(slot.id));
}

export interface RecoveryKeyOutcome {
  slotId: string;
  recoveryKey: string;
}

/** Adds a fresh recovery key slot, then removes the earlier recovery key slots (not the session's own). */
export async function createRecoveryKey(repo: Repository, cost?: KdfCost): Promise<RecoveryKeyOutcome> {
  return withLock(repo, 'recovery key', true, async () => {
    const earlier = (await listKeys(repo)).filter((s) => s.recoveryKey && !s.current);
    const recoveryKey = generateRecoveryKey();
    const slotId = await repo.addKeySlot(recoveryKey, RECOVERY_LABEL, slotCost(repo, cost));
    for (const old of earlier) await repo.removeKeySlot(old.id);
    return { slotId, recoveryKey };
  });
}
