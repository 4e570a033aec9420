/**
 * The secrets of remote repositories (an SFTP password or key passphrase, S3 keys), held in this
 * process's memory for the session only, keyed by repository id. Nothing here is ever written to
 * the catalog or anywhere else: after a restart `cairn serve` asks again, and the desktop's main
 * process hands back what it kept in the keychain vault. Values leave this store only towards
 * opening a backend; the contract sees which ones are held, never what they are.
 */
import type { z } from 'zod';
import type { CredentialsHeld, StorageCredentials as CredentialsSchema } from '../../contract/storage.js';

export type Credentials = z.output<typeof CredentialsSchema>;
export type HeldCredentials = z.output<typeof CredentialsHeld>;

const FIELDS = ['sftpPassword', 'sftpPassphrase', 's3AccessKeyId', 's3SecretAccessKey'] as const;

export class StorageCredentials {
  private readonly held = new Map<string, Credentials>();

  get(repositoryId: string): Credentials | undefined {
    return this.held.get(repositoryId);
  }

  /** Replaces what is held for the repository; empty credentials drop it. */
  set(repositoryId: string, credentials: Credentials): void {
    const kept = onlyGiven(credentials);
    if (Object.keys(kept).length === 0) this.held.delete(repositoryId);
    else this.held.set(repositoryId, kept);
  }

  delete(repositoryId: string): void {
    this.held.delete(repositoryId);
  }

  /** Erasing everything: nothing is held any more. */
  clear(): void {
    this.held.clear();
  }

  /** Which credentials are held for the repository, as the contract may show it. */
  summary(repositoryId: string): HeldCredentials {
    const c = this.held.get(repositoryId) ?? {};
    return {
      sftpPassword: c.sftpPassword !== undefined,
      sftpPassphrase: c.sftpPassphrase !== undefined,
      s3AccessKeyId: c.s3AccessKeyId !== undefined,
      s3SecretAccessKey: c.s3SecretAccessKey !== undefined,
    };
  }
}

/** A copy with only the known, non-empty fields (a request may carry more; they are not kept). */
function onlyGiven(credentials: Credentials): Credentials {
  const kept: Credentials = {};
  for (const field of FIELDS) {
    const value = credentials[field];
    if (typeof value === 'string' && value !== '') kept[field] = value;
  }
  return kept;
}
