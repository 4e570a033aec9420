/**
 * Starting a repository's key derivation ahead of opening it: the CLI calls this before the rest
 * of its modules load, so that Argon2id (or scrypt) runs on its own threads meanwhile, and hands
 * the result to `openRepository` (`prepared`), which uses it for the slot it was started for.
 * Synchronous on purpose: whatever is asynchronous would wait for the module loading. Only for
 * storage that reads without waiting (a local folder), and for the first key slot, the one
 * opening tries first; anything unexpected just means no head start.
 */
import { parseLocation } from '../../engine/backend/location.js';
import { openBackend } from '../../engine/backend/open.js';
import { type DerivedAhead, deriveAhead, parseKeySlot } from '../../engine/crypto/keys.js';
import { withSizeCaps } from '../../engine/repo/capped-backend.js';

/** A key derivation started for a repository; pass it to `openRepository` as `prepared`. */
export type PreparedUnlock = DerivedAhead;

/** Starts deriving the key of `location`'s first key slot from `password`; undefined when it cannot. */
export function prepareUnlock(location: string, password: string): PreparedUnlock | undefined {
  try {
    // Remote storage reads nothing synchronously: no head start there (and no connection made).
    if (parseLocation(location).kind !== 'local') return undefined;
    const backend = withSizeCaps(openBackend(location));
    if (!backend.listSync || !backend.loadSync) return undefined;
    const first = backend.listSync('keys')[0];
    if (!first) return undefined;
    return deriveAhead(parseKeySlot(backend.loadSync({ kind: 'keys', id: first }), 'a key slot'), password);
  } catch {
    return undefined;
  }
}
