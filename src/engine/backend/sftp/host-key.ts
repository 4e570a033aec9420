/**
 * Deciding whether to trust the key an SSH server presents (ssh2's `hostVerifier`), as
 * `StrictHostKeyChecking yes` would, plus one explicit way in: a key listed for the host in the
 * known-hosts file is accepted; a key the user accepted by its fingerprint (`acceptHostKey`) is
 * accepted only for a host with no key listed; a different key for a listed host ('changed')
 * and a revoked key are always refused, whatever was accepted. Nothing is written to the
 * known-hosts file here: whether to remember an accepted key is the caller's decision.
 */
import type { RefusedHostKey } from '../types.js';
import { HostKeyRefusedError } from './errors.js';
import {
  checkHostKey,
  fingerprint,
  type KnownHostEntry,
  keyAlgorithm,
  knownKeyTypes,
  lookupName,
} from './known-hosts.js';

/** ssh2's host key algorithms, most preferred first (its defaults). */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

export interface HostKeyPolicy {
  /** For ssh2's `hostVerifier`: true to go on with this key. A refusal is kept in `refusal`. */
  verify(key: Buffer): boolean;
  /** Why the last key was refused, once `verify` returned false. */
  refusal?: HostKeyRefusedError;
  /**
   * Host key algorithms to offer, those of keys already listed for this host first: a server
   * with several keys then presents the one that can be checked, not another that would look
   * 'changed'.
   */
  algorithms: string[];
}

/** Normalizes what a user typed as a fingerprint: trims it, adds `SHA256:` and drops base64 padding. */
export function normalizeFingerprint(text: string): string {
  const trimmed = text.trim().replace(/=+$/, '');
  return trimmed.startsWith('SHA256:') ? trimmed : `SHA256:${trimmed}`;
}

export function hostKeyPolicy(
  target: { host: string; port: number },
  entries: readonly KnownHostEntry[],
  options: { acceptHostKey?: string | undefined; knownHostsFile: string },
): HostKeyPolicy {
  const { host, port } = target;
  const accepted = options.acceptHostKey ? normalizeFingerprint(options.acceptHostKey) : undefined;
  const policy: HostKeyPolicy = {
    algorithms: preferredAlgorithms(knownKeyTypes(entries, host, port)),
    verify(key: Buffer): boolean {
      const check = checkHostKey(entries, host, port, key);
      if (check.status === 'known') return true;
      const refused: RefusedHostKey = {
        host,
        port,
        status: check.status === 'unknown' ? 'unknown' : 'changed',
        fingerprint: fingerprint(key),
        algorithm: keyAlgorithm(key),
      };
      if (check.status === 'unknown' && accepted === refused.fingerprint) return true;
      const presented = `${refused.algorithm} key ${refused.fingerprint}`;
      let detail: string;
      if (check.status === 'unknown') {
        detail =
          `its host key is not known (${presented}, not in ${options.knownHostsFile}). ` +
          `If this is your server, confirm that fingerprint with its administrator (ssh-keygen -lf on the ` +
          `server's host key) and accept it with --sftp-accept-host-key ${refused.fingerprint}`;
      } else if (check.status === 'revoked') {
        detail = `its host key (${presented}) is marked @revoked in ${check.entry.file} line ${check.entry.line}: Cairn will not connect to it`;
      } else {
        const where = check.known.map((e) => `${e.file} line ${e.line}`).join(', ');
        detail =
          `its host key has CHANGED: it presents ${presented}, not the key recorded for it in ${where}. ` +
          'Someone may be intercepting the connection, or the server was reinstalled. Cairn will not connect; ' +
          `if the change is expected, remove the old key (ssh-keygen -R '${lookupName(host, port)}') and accept the new one`;
      }
      policy.refusal = new HostKeyRefusedError(refused, detail);
      return false;
    },
  };
  return policy;
}

function preferredAlgorithms(knownTypes: readonly string[]): string[] {
  const first = knownTypes.flatMap((type) =>
    type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : HOST_KEY_ALGORITHMS.includes(type) ? [type] : [],
  );
  return [...new Set([...first, ...HOST_KEY_ALGORITHMS])];
}
