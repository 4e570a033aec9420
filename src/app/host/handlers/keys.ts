/**
 * The `keys.*` methods: the key slots of an unlocked repository (list, add a password, change the
 * password that unlocked the session, remove a slot) and a new recovery key for the printable
 * recovery kit, through the shared use cases (src/app/services/keys.ts), which audit each change.
 */
import type { Result } from '../../../contract/methods.js';
import {
  addKey,
  changePassword,
  createRecoveryKey,
  type KeyChangeDeps,
  type KeySlot,
  listKeys,
  removeKey,
} from '../../services/keys.js';
import type { HostServices } from '../host-services.js';
import type { Handlers, Namespace } from './types.js';

export type KeysDeps = Pick<HostServices, 'repositories' | 'kdf' | 'privacy' | 'clock'>;

/** A key slot as the contract shows it (without the key derivation the CLI lists). */
function contractSlot(s: KeySlot): Result<'keys.list'>[number] {
  return {
    id: s.id,
    label: s.label,
    created: s.created,
    current: s.current,
    damaged: s.damaged,
    recoveryKey: s.recoveryKey,
  };
}

export function keysHandlers(deps: KeysDeps): Handlers<Namespace<'keys'>> {
  const repoOf = (id: string) => deps.repositories.unlocked(id).repo;
  const change: KeyChangeDeps = { records: deps.privacy.port, cost: deps.kdf, clock: deps.clock };
  return {
    'keys.list': async (p) => (await listKeys(repoOf(p.repositoryId))).map(contractSlot),
    'keys.add': async (p) => contractSlot(await addKey(repoOf(p.repositoryId), p.password, p.label, change)),
    'keys.changePassword': async (p) =>
      contractSlot((await changePassword(repoOf(p.repositoryId), p.newPassword, change)).slot),
    'keys.remove': async (p) => {
      await removeKey(repoOf(p.repositoryId), p.slotId, change);
      return { ok: true as const };
    },
    'keys.createRecoveryKey': (p) => recoveryKit(deps, change, p.repositoryId),
  };
}

/** A new recovery key for the printable recovery kit (shown once). */
async function recoveryKit(
  deps: KeysDeps,
  change: KeyChangeDeps,
  repositoryId: string,
): Promise<Result<'keys.createRecoveryKey'>> {
  const { record, repo } = deps.repositories.unlocked(repositoryId);
  const { slotId, recoveryKey } = await createRecoveryKey(repo, change);
  return {
    repositoryId: record.id,
    label: record.label,
    location: record.location,
    slotId,
    recoveryKey,
    createdAt: new Date(deps.clock()).toISOString(),
  };
}
