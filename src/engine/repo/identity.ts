/**
 * Whether an open session still belongs to the repository at its location: another program or
 * computer may have erased or replaced the repository, or removed the password (key slot) that
 * unlocked the session, since it was opened (docs/repository-format.md §14, "Freshness").
 */
import { type Backend, isNotFound } from '../backend/types.js';
import type { MasterKeys } from '../crypto/keys.js';
import { CairnError, IntegrityError } from '../errors.js';
import type { RepositoryConfig } from '../format/config.js';
import { decodeDocument } from '../format/sealed-json.js';

/**
 * The reason the session must end, or undefined when it is still the repository it opened with
 * a key slot that still exists. A read that fails otherwise (the storage did not answer) throws.
 */
export async function sessionEndedBecause(
  backend: Backend,
  keys: MasterKeys,
  config: RepositoryConfig,
  keySlotId: string,
): Promise<CairnError | undefined> {
  const where = backend.location;
  let stored: RepositoryConfig;
  try {
    const bytes = await backend.load({ kind: 'config', id: 'config' });
    stored = decodeDocument<RepositoryConfig>(keys.dataKey, bytes, 'config', 'the repository config');
  } catch (err) {
    if (isNotFound(err)) {
      return new CairnError(
        'no-repository',
        `the repository at ${where} no longer exists: it was erased or moved by another program or computer`,
      );
    }
    if (err instanceof IntegrityError) {
      return new CairnError(
        'no-repository',
        `the repository at ${where} was replaced by another one (its config no longer opens with this session's keys)`,
      );
    }
    throw err;
  }
  if (stored.id !== config.id) {
    return new CairnError('no-repository', `the repository at ${where} was replaced by another repository`);
  }
  for await (const info of backend.list('keys')) if (info.id === keySlotId) return undefined;
  return new CairnError(
    'locked',
    `the password that unlocked the repository at ${where} was changed or removed by another program or computer: unlock it again`,
  );
}
