/**
 * Keys derived from the master key set for one purpose each (docs/repository-format.md §3.5):
 * HKDF-SHA-256 (RFC 5869) with an empty salt and the purpose's label as `info`, so a derived key
 * reveals nothing about the master key and two purposes never share a key. Nothing derived here
 * is stored in the repository: the app keeps what it computes with them (keyed hashes of erased
 * paths) in its own data folder, and anyone who opens the repository can compute them again.
 */
import { hkdfSync } from 'node:crypto';
import type { MasterKeys } from './keys.js';

/** The label of the key that hashes erased paths (§3.5, §13.2). */
export const ERASURE_PATH_LABEL = 'cairn erasure path hash v1';

/** The label of the key that makes and checks the audit-trail anchors in snapshots (§3.5, §11). */
export const AUDIT_ANCHOR_LABEL = 'cairn audit anchor v1';

/** HKDF-SHA-256 (RFC 5869): `length` bytes from `ikm`, `salt` and `info`. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/** The 32-byte key for `label` (UTF-8, the HKDF info) derived from `master` with an empty salt. */
export function deriveSubkey(master: Uint8Array, label: string): Buffer {
  if (label.length === 0) throw new Error('a derived key needs a label');
  return hkdfSha256(master, new Uint8Array(0), Buffer.from(label, 'utf8'), 32);
}

/** The key of the keyed hashes that name an erased path outside the repository, from the id key. */
export function erasurePathKey(keys: Pick<MasterKeys, 'idKey'>): Buffer {
  return deriveSubkey(keys.idKey, ERASURE_PATH_LABEL);
}

/** The key of the audit-trail anchors a snapshot carries (§11, `audit`), from the id key. */
export function auditAnchorKey(keys: Pick<MasterKeys, 'idKey'>): Buffer {
  return deriveSubkey(keys.idKey, AUDIT_ANCHOR_LABEL);
}
