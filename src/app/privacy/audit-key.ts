/**
 * The key of the audit trail's chain (./audit-trail.ts): each entry's mac is
 * HMAC-SHA-256(key, previous mac ‖ "\n" ‖ entry hash). Where the key is kept decides whom the macs
 * stop, so every way of keeping it says so in `where` (shown by `audit verify`):
 * - the desktop app keeps it in the OS keychain (`keychainAuditKey`, sealed by Electron's
 *   safeStorage in `audit.key-in-keychain`): someone who can edit the data folder but cannot use
 *   the user's login session cannot re-mac a rewritten chain;
 * - the CLI, `cairn serve` and the desktop app where no keychain exists keep 32 random bytes in
 *   `audit.key` (mode 0600, `folderAuditKey`), which protects nothing against someone who can
 *   read that folder.
 * What catches the rest is the head anchored in each repository (./audit-anchors.ts). A data
 * folder whose key is in the keychain is never given a folder key: that would fork the chain, so
 * the CLI and `cairn serve` refuse to write or check entries there. docs/privacy.md and
 * docs/threat-model.md say so.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import { withFileLock, writeFileAtomic } from './files.js';

export const AUDIT_KEY_FILE = 'audit.key';
/** Present exactly when the desktop app keeps the key in the OS keychain; holds it sealed by the keychain. */
export const KEYCHAIN_KEY_FILE = 'audit.key-in-keychain';
const KEY_HEX = /^[0-9a-f]{64}$/;

export interface AuditKey {
  key: Buffer;
  /** Where the key is kept and what that protects against, in words (shown by `audit verify`). */
  where: string;
  /**
   * True when this key was just made: only then may a trail written before entries were keyed be
   * given macs (otherwise a trail stripped of its macs could be passed off as an old one).
   */
  fresh: boolean;
}

/** The OS keychain as the desktop app reaches it (Electron's safeStorage in src/main). */
export interface KeychainSealer {
  /** The keychain in words, e.g. "the system keychain (gnome_libsecret)". */
  name: string;
  /** Encrypts `text` so that only this user's login session can decrypt it. */
  seal(text: string): Buffer;
  unseal(sealed: Buffer): string;
}

/**
 * How the desktop app's main process tells the engine host to key the trail, before anything is
 * written: `keychain` hands over the key read from (or just put in) the keychain; `folder` keeps
 * the folder key because no keychain can keep it (`reason`); `unavailable` means the key is in the
 * keychain but cannot be read now, so no entry may be written or checked (a new key would fork
 * the chain).
 */
export type AuditKeyChoice =
  | { kind: 'keychain'; key: string; where: string; fresh: boolean }
  | { kind: 'folder'; reason: string }
  | { kind: 'unavailable'; reason: string };

/** The mac of an entry whose hash is `hash`, after the entry whose mac is `prevMac`. */
export function chainMac(key: Uint8Array, prevMac: string, hash: string): string {
  return crypto.createHmac('sha256', key).update(`${prevMac}\n${hash}`, 'utf8').digest('hex');
}

function folderWhere(file: string, note?: string): string {
  const why = note ? ` It is not in the system keychain: ${note}.` : '';
  return (
    `in the file ${file}, in the app's data folder. It stops anyone who can change the trail but cannot ` +
    `read that folder; someone who can read the folder can read the key and re-key a rewritten trail, ` +
    `which only the anchors kept in your repositories reveal (docs/privacy.md).${why}`
  );
}

function keychainWhere(name: string, file: string): string {
  return (
    `in ${name}, sealed in ${file}. Someone who can change the data folder but cannot use your login ` +
    `session cannot re-key a rewritten trail; anyone who can use your login session can read the key, ` +
    `which only the anchors kept in your repositories reveal (docs/privacy.md).`
  );
}

/** The refusal of every process that cannot reach the keychain holding the key (CLI, `cairn serve`). */
function inKeychainError(dir: string): CairnError {
  return new CairnError(
    'locked',
    `the audit trail's key is in the desktop app's keychain (${path.join(dir, KEYCHAIN_KEY_FILE)}), which ` +
      `the command line and "cairn serve" cannot read, so they neither add audit entries nor check the ` +
      `trail on this data folder (a key of their own would split the trail): run this from the desktop ` +
      `app, or use another data folder (--data-dir)`,
  );
}

/**
 * Reads the key file in `dir`, creating it (32 random bytes, hex, mode 0600) when there is none,
 * under a lock so that an app and a CLI starting together end up with one key. Refuses when the
 * desktop app keeps the key in the keychain. `note` says why the key is not in a keychain.
 */
export function folderAuditKey(dir: string, note?: string): AuditKey {
  const file = path.join(dir, AUDIT_KEY_FILE);
  const { text, fresh } = withFileLock(dir, 'audit-key', () => {
    if (fs.existsSync(path.join(dir, KEYCHAIN_KEY_FILE))) throw inKeychainError(dir);
    return readOrCreate(file);
  });
  return { key: Buffer.from(text, 'hex'), where: folderWhere(file, note), fresh };
}

function readOrCreate(file: string): { text: string; fresh: boolean } {
  const text = readKeyFile(file);
  if (text !== undefined) return { text, fresh: false };
  const made = crypto.randomBytes(32).toString('hex');
  writeFileAtomic(file, `${made}\n`);
  return { text: made, fresh: true };
}

/** The key in the folder key file, or undefined when there is none. */
function readKeyFile(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!KEY_HEX.test(text)) {
    throw new CairnError(
      'integrity',
      `${file} is not an audit key (64 hex characters); the audit trail cannot be checked`,
    );
  }
  return text;
}

/**
 * The key kept in the keychain (`sealer`), under the same lock as the folder key: read when
 * `audit.key-in-keychain` exists; else the folder key moved in (the same key, so the trail's macs
 * stay valid; the folder file is then overwritten and deleted); else a new key made there (the
 * only case where `fresh`). Throws when the sealed key cannot be read or the keychain refuses.
 */
export function keychainAuditKey(dir: string, sealer: KeychainSealer): AuditKey {
  const sealedFile = path.join(dir, KEYCHAIN_KEY_FILE);
  const folderFile = path.join(dir, AUDIT_KEY_FILE);
  return withFileLock(dir, 'audit-key', () => {
    const where = keychainWhere(sealer.name, sealedFile);
    if (fs.existsSync(sealedFile)) {
      const text = unsealKeyFile(sealedFile, sealer);
      // A move interrupted after sealing leaves the same key in the folder: finish it.
      if (readKeyFileQuietly(folderFile) === text) shred(folderFile);
      return { key: Buffer.from(text, 'hex'), where, fresh: false };
    }
    const moved = readKeyFile(folderFile);
    const text = moved ?? crypto.randomBytes(32).toString('hex');
    const sealed = sealer.seal(text);
    if (sealer.unseal(sealed) !== text) {
      throw new CairnError('io', `${sealer.name} did not give back the audit trail's key it was given to keep`);
    }
    writeFileAtomic(sealedFile, `${JSON.stringify({ version: 1, sealed: sealed.toString('base64') })}\n`);
    if (moved !== undefined) shred(folderFile);
    return { key: Buffer.from(text, 'hex'), where, fresh: moved === undefined };
  });
}

function unsealKeyFile(file: string, sealer: KeychainSealer): string {
  const damaged = (why: string) =>
    new CairnError(
      'integrity',
      `the audit trail's key in ${file} cannot be read (${why}); no audit entry is written or checked until it can, since a new key would split the trail`,
    );
  let sealed: unknown;
  try {
    sealed = (JSON.parse(fs.readFileSync(file, 'utf8')) as { sealed?: unknown }).sealed;
  } catch (err) {
    throw damaged(err instanceof SyntaxError ? 'the file is not valid JSON' : (err as Error).message);
  }
  if (typeof sealed !== 'string' || sealed === '') throw damaged('the file holds no sealed key');
  let text: string;
  try {
    text = sealer.unseal(Buffer.from(sealed, 'base64'));
  } catch (err) {
    throw damaged(`${sealer.name} could not decrypt it: ${(err as Error).message}`);
  }
  if (!KEY_HEX.test(text)) throw damaged('what it decrypts to is not an audit key');
  return text;
}

function readKeyFileQuietly(file: string): string | undefined {
  try {
    return readKeyFile(file);
  } catch {
    return undefined;
  }
}

/** Overwrites the folder key file with random bytes, then deletes it (old blocks: docs/privacy.md). */
function shred(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, crypto.randomBytes(fs.fstatSync(fd).size), 0, undefined, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.unlinkSync(file);
}

/** The key source of a trail in `dir` as the desktop app chose it (see AuditKeyChoice). */
export function auditKeySource(dir: string, choice: AuditKeyChoice): () => AuditKey {
  switch (choice.kind) {
    case 'keychain': {
      if (!KEY_HEX.test(choice.key))
        throw new CairnError('invalid-argument', 'the audit key handed over is not 32 bytes in hex');
      const key: AuditKey = { key: Buffer.from(choice.key, 'hex'), where: choice.where, fresh: choice.fresh };
      return () => key;
    }
    case 'folder': {
      let key: AuditKey | undefined;
      return () => (key ??= folderAuditKey(dir, choice.reason));
    }
    case 'unavailable':
      return () => {
        throw new CairnError('locked', choice.reason);
      };
  }
}

/** The choice as it arrives over a process boundary, checked; undefined when it is not one. */
export function parseAuditKeyChoice(value: unknown): AuditKeyChoice | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.kind === 'keychain') {
    if (
      typeof v.key !== 'string' ||
      !KEY_HEX.test(v.key) ||
      typeof v.where !== 'string' ||
      typeof v.fresh !== 'boolean'
    ) {
      return undefined;
    }
    return { kind: 'keychain', key: v.key, where: v.where, fresh: v.fresh };
  }
  if ((v.kind === 'folder' || v.kind === 'unavailable') && typeof v.reason === 'string' && v.reason !== '') {
    return { kind: v.kind, reason: v.reason };
  }
  return undefined;
}
