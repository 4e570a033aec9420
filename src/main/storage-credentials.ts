/**
 * The secrets of remote repositories (SFTP password or key passphrase, S3 keys) kept across
 * restarts on the desktop: a sibling of the password vault (secrets.ts), in
 * `<dataDir>/storage-credentials.json`, each repository's credentials sealed with safeStorage as
 * one JSON string, with the same refusal where only plain-text storage exists (then they live for
 * the session only, in the engine's memory). The engine never stores them: main keeps them
 * after a method that was given them succeeded (the `keep-storage-credentials` follow-up) and
 * hands them back to the engine at every start, before remembered passwords unlock anything.
 */
import type { z } from 'zod';
import type { CredentialsKeeping } from '../contract/desktop.js';
import { ContractErrorCode } from '../contract/errors.js';
import { StorageCredentials } from '../contract/storage.js';
import type { EngineLike } from './engine-like.js';
import { PasswordVault, type PasswordVaultOptions, type VaultAvailability, VaultError } from './secrets.js';

export type Credentials = z.output<typeof StorageCredentials>;

export const STORAGE_CREDENTIALS_FILE = 'storage-credentials.json';

export class StorageCredentialVault {
  private readonly sealed: PasswordVault;

  constructor(options: Omit<PasswordVaultOptions, 'wording'>) {
    this.sealed = new PasswordVault({
      ...options,
      wording: {
        vault: 'storage credential vault',
        secret: 'storage credentials',
        secrets: 'storage credentials',
        fallback: 'they are kept for this session only',
      },
    });
  }

  available(): VaultAvailability {
    return this.sealed.available();
  }

  /** Keeps the repository's credentials, replacing what was kept; none given forgets them. */
  keep(repositoryId: string, credentials: Credentials): void {
    const parsed = StorageCredentials.parse(credentials);
    if (Object.keys(parsed).length === 0) this.sealed.forget(repositoryId);
    else this.sealed.remember(repositoryId, JSON.stringify(parsed));
  }

  forget(repositoryId: string): void {
    this.sealed.forget(repositoryId);
  }

  /** The kept credentials, or undefined; a VaultError when they cannot be decrypted or read. */
  recall(repositoryId: string): Credentials | undefined {
    const text = this.sealed.recall(repositoryId);
    if (text === undefined) return undefined;
    let parsed: ReturnType<typeof StorageCredentials.safeParse>;
    try {
      parsed = StorageCredentials.safeParse(JSON.parse(text));
    } catch {
      throw new VaultError(`the kept storage credentials of repository ${repositoryId} are unreadable`, 'io');
    }
    if (!parsed.success) {
      throw new VaultError(`the kept storage credentials of repository ${repositoryId} are unreadable`, 'io');
    }
    return parsed.data;
  }

  /** The repositories whose credentials are kept, sorted. */
  repositories(): string[] {
    return this.sealed.repositories();
  }

  /** Erasing everything: deletes the vault file (and a corrupt copy set aside). */
  clear(): string[] {
    return this.sealed.clear();
  }
}

/**
 * The `keep-storage-credentials` follow-up: after 'repo.create', 'repo.connect' or
 * 'repo.setStorageSettings' succeeded with `credentials`, keeps them under the repository's id.
 * Never throws: when they cannot be kept, the reply says why (they still hold for the session).
 */
export function keepCredentialsAfter(
  vault: StorageCredentialVault,
  params: unknown,
  result: unknown,
): { credentialsKept?: CredentialsKeeping } {
  const given = (params as { credentials?: unknown } | null)?.credentials;
  if (given === undefined) return {};
  const credentials = StorageCredentials.safeParse(given);
  const repositoryId = repositoryIdOf(params, result);
  if (!credentials.success || repositoryId === undefined) return {};
  try {
    if (Object.keys(credentials.data).length === 0) {
      // None typed (an SSH agent, keys from the environment): nothing stays kept either.
      vault.forget(repositoryId);
      return {};
    }
    const availability = vault.available();
    if (!availability.ok) return { credentialsKept: { kept: false, reason: availability.reason } };
    vault.keep(repositoryId, credentials.data);
    return { credentialsKept: { kept: true } };
  } catch (err) {
    return { credentialsKept: { kept: false, reason: messageOf(err) } };
  }
}

/** The repository a method acted on: named in the request, or the one it created or connected. */
function repositoryIdOf(params: unknown, result: unknown): string | undefined {
  const named = (params as { repositoryId?: unknown } | null)?.repositoryId;
  if (typeof named === 'string' && named !== '') return named;
  const made = (result as { id?: unknown } | null)?.id;
  return typeof made === 'string' && made !== '' ? made : undefined;
}

export type HandOverOutcome =
  | { repositoryId: string; status: 'handed-over' }
  /** The repository is no longer in the app: its credentials were forgotten. */
  | { repositoryId: string; status: 'forgotten' }
  | { repositoryId: string; status: 'failed'; message: string };

/**
 * At start (and after the engine restarted): gives the engine the kept credentials of every
 * repository, one at a time, so that unlocking can reach remote storage. Never throws.
 */
export async function handOverCredentials(
  vault: StorageCredentialVault,
  engine: Pick<EngineLike, 'handle'>,
  log: (message: string) => void = (message) => console.warn(message),
): Promise<HandOverOutcome[]> {
  const outcomes: HandOverOutcome[] = [];
  let ids: string[];
  try {
    ids = vault.repositories();
  } catch (err) {
    log(`Cairn could not read its kept storage credentials: ${messageOf(err)}`);
    return outcomes;
  }
  for (const repositoryId of ids) {
    try {
      const credentials = vault.recall(repositoryId);
      if (credentials === undefined) continue;
      await engine.handle('repo.setStorageSettings', { repositoryId, credentials });
      outcomes.push({ repositoryId, status: 'handed-over' });
    } catch (err) {
      let failure = err;
      if (codeOf(err) === 'not-found') {
        // Removed from the app (or erased) meanwhile: nothing will use them again.
        try {
          vault.forget(repositoryId);
          outcomes.push({ repositoryId, status: 'forgotten' });
          continue;
        } catch (forgetErr) {
          failure = forgetErr;
        }
      }
      const message = `Cairn could not use the kept storage credentials of repository ${repositoryId}: ${messageOf(failure)}`;
      log(message);
      outcomes.push({ repositoryId, status: 'failed', message });
    }
  }
  return outcomes;
}

function codeOf(err: unknown): ContractErrorCode | undefined {
  const parsed = ContractErrorCode.safeParse((err as { code?: unknown } | null)?.code);
  return parsed.success ? parsed.data : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
