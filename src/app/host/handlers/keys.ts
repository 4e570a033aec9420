/**
 * The `keys.*` methods: the key slots of an unlocked repository (list, add a password, change the
 * password that unlocked the session, remove a slot) and a new recovery key for the printable
 * recovery kit. The slot logic is in ../keys.ts.
 */
import type { Result } from '../../../contract/methods.js';
import type { HostServices } from '../host-services.js';
import { addKey, changePassword, createRecoveryKey, listKeys, removeKey } from '../keys.js';
import type { Handlers, Namespace } from './types.js';

export type KeysDeps = Pick<HostServices, 'repositories' | 'kdf'>;

export function keysHandlers(deps: KeysDeps): Handlers<Namespace<'keys'>> {
  const repoOf = (id: string) => deps.repositories.unlocked(id).repo;
  return {
    'keys.list': (p) => listKeys(repoOf(p.repositoryId)),
    'keys.add': (p) => addKey(repoOf(p.repositoryId), p.password, p.label, deps.kdf),
    'keys.changePassword': (p) => changePassword(repoOf(p.repositoryId), p.newPassword, deps.kdf),
    'keys.remove': async (p) => removeKey(repoOf(p.repositoryId), p.slotId).then(() => ({ ok: true as const })),
    'keys.createRecoveryKey': (p) => recoveryKit(deps, p.repositoryId),
  };
}

/** A new recovery key for the printable recovery kit (shown once). */
async function recoveryKit(deps: KeysDeps, repositoryId: string): Promise<Result<'keys.createRecoveryKey'>> {
  const { record, repo } = deps.repositories.unlocked(repositoryId);
  const { slotId, recoveryKey } = await createRecoveryKey(repo, deps.kdf);
  return {
    repositoryId: record.id,
    label: record.label,
    location: record.location,
    slotId,
    recoveryKey,
    createdAt: new Date().toISOString(),
  };
}
