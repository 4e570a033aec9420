/**
 * Key slots as the command line (`cairn key …`) and the app (`keys.*`) manage them: list, add a
 * password, change the password that unlocked the session, remove a slot, and make a recovery
 * key. Every change is recorded in the audit trail (`keys.added`, `keys.password-changed`,
 * `keys.removed`).
 *
 * A recovery key is 150 random bits written as 6 groups of 5 Crockford base32 characters
 * (`7KQ2M-…`), stored only inside its own key slot (labelled RECOVERY_LABEL) and returned once,
 * for the printable recovery kit. Making a new one removes the earlier recovery key slots, so a
 * lost kit can be revoked; that is why the label is reserved for it.
 */
import { randomInt } from 'node:crypto';
import type { KdfCost } from '../../engine/crypto/kdf.js';
import { CairnError } from '../../engine/errors.js';
import { type LockOptions, withLock } from '../../engine/repo/lock.js';
import type { KeySlotInfo, Repository } from '../../engine/repo/repository.js';
import type { Clock } from '../../engine/util/clock.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export const RECOVERY_LABEL = 'recovery key';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U
const GROUPS = 6;
const GROUP_LENGTH = 5;

/** A key slot as both callers show it. */
export interface KeySlot {
  id: string;
  label: string;
  /** When it was made (ISO 8601; empty for a damaged slot). */
  created: string;
  /** Its key derivation, for people (`argon2id m=… t=… p=…`). */
  kdf: string;
  /** The slot that unlocked this session. */
  current: boolean;
  /** It cannot be read, so it cannot open the repository. */
  damaged: boolean;
  /** It holds the recovery key. */
  recoveryKey: boolean;
}

/** What a key change needs besides the open repository. */
export interface KeyChangeDeps {
  /** Where each change is audited. */
  records: RepositoryRecords;
  /**
   * The cost of new slots (the app's, lowered in tests); used only when it is for the
   * repository's own key derivation, else that derivation's default.
   */
  cost?: KdfCost;
  /** The clock the repository lock reads. */
  clock?: Clock;
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

function toSlot(s: KeySlotInfo): KeySlot {
  const damaged = s.damaged === true;
  return { ...s, damaged, recoveryKey: !damaged && s.label === RECOVERY_LABEL };
}

/** Every key slot, oldest first. */
export async function listKeys(repo: Repository): Promise<KeySlot[]> {
  return (await repo.listKeySlots()).map(toSlot);
}

async function slotById(repo: Repository, id: string): Promise<KeySlot> {
  const slot = (await listKeys(repo)).find((s) => s.id === id);
  if (!slot) throw new CairnError('not-found', `the new key slot ${id.slice(0, 8)} cannot be found`);
  return slot;
}

function slotCost(repo: Repository, cost: KdfCost | undefined): KdfCost | undefined {
  return cost?.name === repo.config.algorithms.keyDerivation ? cost : undefined;
}

function lockOptions(deps: KeyChangeDeps): LockOptions {
  return deps.clock ? { clock: deps.clock } : {};
}

/** A label people chose: trimmed, not empty, and not the one reserved for the recovery key. */
function checkedLabel(label: string): string {
  const trimmed = label.trim();
  if (trimmed === '') throw new CairnError('invalid-argument', 'the label of a key slot must not be empty');
  if (trimmed.toLowerCase() === RECOVERY_LABEL) {
    throw new CairnError(
      'invalid-argument',
      `"${RECOVERY_LABEL}" is reserved for the recovery key; choose another name`,
    );
  }
  return trimmed;
}

/**
 * Adds a slot for another password; the others keep working. No lock: a new slot wraps the same
 * master keys, so nothing another program does can conflict with it.
 */
export async function addKey(repo: Repository, password: string, label: string, deps: KeyChangeDeps): Promise<KeySlot> {
  const name = checkedLabel(label);
  const id = await repo.addKeySlot(password, name, slotCost(repo, deps.cost));
  appendAudit(deps.records, 'keys.added', { repositoryId: repo.config.id, keySlot: id, label: name });
  return slotById(repo, id);
}

export interface PasswordChange {
  slot: KeySlot;
  /** The slot that was replaced; null when the session was unlocked with the recovery key. */
  replaced: string | null;
}

/**
 * Replaces the password that unlocked this session (under an exclusive lock: the old slot is
 * removed). When the session was unlocked with the recovery key, the recovery key stays valid and
 * the new password gets a slot of its own, so changing "the password" never revokes the kit.
 */
export async function changePassword(
  repo: Repository,
  newPassword: string,
  deps: KeyChangeDeps,
): Promise<PasswordChange> {
  const current = (await listKeys(repo)).find((s) => s.current);
  if (current?.recoveryKey) {
    const id = await repo.addKeySlot(newPassword, 'password', slotCost(repo, deps.cost));
    appendAudit(deps.records, 'keys.password-changed', {
      repositoryId: repo.config.id,
      keySlot: id,
      removed: null,
      recoveryKeyKept: true,
    });
    return { slot: await slotById(repo, id), replaced: null };
  }
  const previous = repo.keySlotId;
  const id = await withLock(
    repo,
    'change password',
    true,
    () => repo.changePassword(newPassword, slotCost(repo, deps.cost)),
    lockOptions(deps),
  );
  appendAudit(deps.records, 'keys.password-changed', { repositoryId: repo.config.id, keySlot: id, removed: previous });
  return { slot: await slotById(repo, id), replaced: previous };
}

/**
 * Removes a key slot, named by its id or a unique prefix of it (as `cairn key list` shows them).
 * Never the slot that unlocked this session (that is what changing the password is for; and a
 * slot can be removed only by someone who knows another password), never the last usable one.
 * Returns the full id of the removed slot.
 */
export async function removeKey(repo: Repository, slotId: string, deps: KeyChangeDeps): Promise<string> {
  const wanted = slotId.trim();
  if (wanted === '') throw new CairnError('invalid-argument', 'name the key slot to remove (its id, as listed)');
  const removed = await withLock(
    repo,
    'remove key slot',
    true,
    async () => {
      const matches = (await listKeys(repo)).filter((s) => s.id.startsWith(wanted.toLowerCase()));
      const [slot] = matches;
      if (!slot) throw new CairnError('not-found', `there is no key slot ${wanted}`);
      if (matches.length > 1) {
        throw new CairnError('invalid-argument', `key slot ${wanted} is ambiguous: give more of its id`);
      }
      if (slot.current) {
        throw new CairnError(
          'invalid-argument',
          'this password unlocked the repository in this session: change the password to replace it, or unlock with another password to remove it',
        );
      }
      await repo.removeKeySlot(slot.id);
      return slot.id;
    },
    lockOptions(deps),
  );
  appendAudit(deps.records, 'keys.removed', { repositoryId: repo.config.id, keySlot: removed });
  return removed;
}

export interface RecoveryKeyOutcome {
  slotId: string;
  /** Shown this once: it is stored nowhere but inside its slot. */
  recoveryKey: string;
  /** The earlier recovery key slots, now removed. */
  removed: string[];
}

/**
 * Adds a fresh recovery key slot, then removes the earlier recovery key slots (not the session's
 * own: that one keeps the session valid until it is locked).
 */
export async function createRecoveryKey(repo: Repository, deps: KeyChangeDeps): Promise<RecoveryKeyOutcome> {
  const outcome = await withLock(
    repo,
    'recovery key',
    true,
    async () => {
      const earlier = (await listKeys(repo)).filter((s) => s.recoveryKey && !s.current);
      const recoveryKey = generateRecoveryKey();
      const slotId = await repo.addKeySlot(recoveryKey, RECOVERY_LABEL, slotCost(repo, deps.cost));
      for (const old of earlier) await repo.removeKeySlot(old.id);
      return { slotId, recoveryKey, removed: earlier.map((s) => s.id) };
    },
    lockOptions(deps),
  );
  const repositoryId = repo.config.id;
  appendAudit(deps.records, 'keys.added', { repositoryId, keySlot: outcome.slotId, label: RECOVERY_LABEL });
  for (const id of outcome.removed) appendAudit(deps.records, 'keys.removed', { repositoryId, keySlot: id });
  return outcome;
}
