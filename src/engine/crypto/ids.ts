/**
 * Identifiers. Blob ids are keyed (HMAC-SHA-256 under the repository's id key), so the same
 * content in two repositories has unrelated ids and an id reveals nothing about the content.
 * Storage object names (packs, index files, snapshots, key slots) are the SHA-256 of the stored
 * (encrypted) bytes, so anyone can check a file's integrity without keys.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export function blobId(idKey: Uint8Array, plaintext: Uint8Array): string {
  return createHmac('sha256', idKey).update(plaintext).digest('hex');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function randomId(): string {
  return randomBytes(32).toString('hex');
}

export const ID_PATTERN = /^[0-9a-f]{64}$/;

/** Whether `value` is 64 lowercase hex digits (a loop: index loading checks every blob id). */
export function isId(value: string): boolean {
  if (value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
