/**
 * The key of the audit trail's chain (./audit-trail.ts): each entry's mac is
 * HMAC-SHA-256(key, previous mac ‖ "\n" ‖ entry hash). Without a key given by the caller, the key is
 * 32 random bytes kept in `audit.key` (mode 0600) next to the trail — which protects nothing
 * against someone who can edit that folder (they can read the key and re-mac a rewritten chain);
 * what still catches them is the head anchored in each repository (./audit-anchors.ts), whose
 * key comes from the repository's own keys. docs/privacy.md and docs/threat-model.md say so.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import { withFileLock, writeFileAtomic } from './files.js';

export const AUDIT_KEY_FILE = 'audit.key';

export interface AuditKey {
  key: Buffer;
  /** Where the key is kept, in words (shown by `audit verify`). */
  where: string;
  /**
   * True when this key was just made: only then may a trail written before entries were keyed be
   * given macs (otherwise a trail stripped of its macs could be passed off as an old one).
   */
  fresh: boolean;
}

/** The mac of an entry whose hash is `hash`, after the entry whose mac is `prevMac`. */
export function chainMac(key: Uint8Array, prevMac: string, hash: string): string {
  return crypto.createHmac('sha256', key).update(`${prevMac}\n${hash}`, 'utf8').digest('hex');
}

/**
 * Reads the key file in `dir`, creating it (32 random bytes, hex, mode 0600) when there is none,
 * under a lock so that an app and a CLI starting together end up with one key.
 */
export function folderAuditKey(dir: string): AuditKey {
  const file = path.join(dir, AUDIT_KEY_FILE);
  const { text, fresh } = withFileLock(dir, 'audit-key', () => readOrCreate(file));
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new CairnError(
      'integrity',
      `${file} is not an audit key (64 hex characters); the audit trail cannot be checked`,
    );
  }
  return { key: Buffer.from(text, 'hex'), where: `${file} (in the data folder: see docs/privacy.md)`, fresh };
}

function readOrCreate(file: string): { text: string; fresh: boolean } {
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text === undefined) {
    text = crypto.randomBytes(32).toString('hex');
    writeFileAtomic(file, `${text}\n`);
    return { text, fresh: true };
  }
  return { text, fresh: false };
}
