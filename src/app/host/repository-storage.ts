/**
 * How the host opens a repository's storage: the location from the catalog, the repository's
 * non-secret storage settings (catalog table `repository_storage`, checked against the contract's
 * schema when read), the credentials held for the session (storage-credentials.ts) and, for remote
 * storage, a cache folder of its own under `<data dir>/cache/<repository id>`. Every backend the
 * host opens for a repository of the app comes from `backendFor`, so a session, a check of a
 * locked repository and its storage use all reach the storage the same way, and each remote one
 * reports its retries and its successes to the reachability tracker (storage-reachability.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ContractError } from '../../contract/errors.js';
import type { LocationKind, RepositoryStorage as RepositoryStorageSchema } from '../../contract/storage.js';
import { StorageSettings } from '../../contract/storage.js';
import { parseLocation } from '../../engine/backend/location.js';
import { BackendError } from '../../engine/backend/types.js';
import type { Catalog, JsonObject, RepositoryRecord } from '../catalog/catalog.js';
import { type Backend, backendAt, type OpenOptions, type RetryNotice } from '../services/open-repository.js';
import type { Credentials, StorageCredentials } from './storage-credentials.js';
import type { StorageReachability } from './storage-reachability.js';

export type Settings = z.output<typeof StorageSettings>;
export type Kind = z.output<typeof LocationKind>;

/** The kind of a location; one the engine cannot parse (it could not have been added) counts as a folder. */
export function locationKind(location: string): Kind {
  try {
    return parseLocation(location).kind;
  } catch {
    return 'local';
  }
}

/**
 * The settings that apply to a kind of storage, without empty parts: an S3 bucket keeps no SFTP
 * settings, and a folder of this computer needs none (transfer limits concern the network).
 */
export function settingsForKind(kind: Kind, settings: Settings | undefined): Settings {
  const kept: Settings = {};
  if (!settings || kind === 'local') return kept;
  const part = <T extends object>(value: T | undefined): T | undefined =>
    value && Object.values(value).some((v) => v !== undefined) ? value : undefined;
  const transfer = part(settings.transfer);
  if (transfer) kept.transfer = transfer;
  if (kind === 'sftp') {
    const sftp = part(settings.sftp);
    if (sftp) kept.sftp = sftp;
  } else {
    const s3 = part(settings.s3);
    if (s3) kept.s3 = s3;
  }
  return kept;
}

/** What opening a location of `kind` gets from the settings and the credentials. */
export function openOptions(
  kind: Kind,
  settings: Settings | undefined,
  credentials: Credentials | undefined,
  extra: { cacheDir?: string; connectTimeoutMs?: number } = {},
): OpenOptions {
  const options: OpenOptions = {};
  if (kind === 'local') return options;
  const s = settingsForKind(kind, settings);
  const c = credentials ?? {};
  if (kind === 'sftp') {
    options.sftp = {
      ...s.sftp,
      ...(c.sftpPassword !== undefined ? { password: c.sftpPassword } : {}),
      ...(c.sftpPassphrase !== undefined ? { passphrase: c.sftpPassphrase } : {}),
      ...(extra.connectTimeoutMs !== undefined ? { timeoutMs: extra.connectTimeoutMs } : {}),
    };
  } else {
    // Without keys the backend uses the standard AWS chain (AWS_ACCESS_KEY_ID and the rest).
    options.s3 = {
      ...s.s3,
      ...(c.s3AccessKeyId !== undefined ? { accessKeyId: c.s3AccessKeyId } : {}),
      ...(c.s3SecretAccessKey !== undefined ? { secretAccessKey: c.s3SecretAccessKey } : {}),
    };
  }
  if (s.transfer) options.transfer = { ...s.transfer };
  if (extra.cacheDir !== undefined) options.cacheDir = extra.cacheDir;
  return options;
}

/**
 * A remote repository's storage that refused to sign in (after a restart its password or key
 * passphrase is no longer held): the engine's reason, and where to give what is missing.
 */
export function signInAdvice(record: RepositoryRecord, err: unknown): unknown {
  const kind = locationKind(record.location);
  if (kind === 'local' || !hasCode(err, 'auth')) return err;
  const what = kind === 'sftp' ? 'the server’s password or key passphrase' : 'the access key';
  const reason = err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
  return new ContractError(
    'io',
    `${reason}. Give ${what} under Settings → Storage, then unlock “${record.label}” again.`,
  );
}

function hasCode(err: unknown, code: string): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BackendError && e.code === code) return true;
  }
  return false;
}

export class RepositoryStorage {
  constructor(
    private readonly catalog: Catalog,
    readonly credentials: StorageCredentials,
    private readonly dataDir: string,
    /** Told of each remote repository's retries and successful operations. */
    private readonly reachability?: StorageReachability,
    /** The retry policy's numbers for repository storage (default: up to 5 minutes of retries). */
    private readonly retry?: OpenOptions['retry'],
  ) {}

  /** The repository's saved settings; a stored value that no longer fits the schema counts as none. */
  settings(record: RepositoryRecord): Settings {
    const parsed = StorageSettings.safeParse(this.catalog.getRepositoryStorage(record.id) ?? {});
    return settingsForKind(locationKind(record.location), parsed.success ? parsed.data : undefined);
  }

  /** Saves the settings that apply to the repository's kind of storage (none: the row goes). */
  save(record: RepositoryRecord, settings: Settings): Settings {
    const kept = settingsForKind(locationKind(record.location), StorageSettings.parse(settings));
    this.catalog.setRepositoryStorage(record.id, Object.keys(kept).length > 0 ? (kept as JsonObject) : null);
    return kept;
  }

  /** The local cache folder of a remote repository's small objects. */
  cacheDir(repositoryId: string): string {
    return path.join(this.dataDir, 'cache', repositoryId);
  }

  /**
   * The repository's storage, opened with its settings, its session credentials and its cache
   * (none with `cache: false`: erasing everything must leave nothing behind in the data folder).
   */
  backendFor(record: RepositoryRecord, { cache = true }: { cache?: boolean } = {}): Backend {
    const kind = locationKind(record.location);
    let cacheDir: string | undefined;
    if (kind !== 'local' && cache) {
      cacheDir = this.cacheDir(record.id);
      fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    }
    const options = openOptions(kind, this.settings(record), this.credentials.get(record.id), { cacheDir });
    return this.open(record.location, options, () => record.id);
  }

  /**
   * A location opened as the storage of one of the app's repositories: remote storage with the
   * host's retry policy (its time budget capped at `maxRetryMs` where someone waits for the
   * answer), its retries and successful operations reported to the reachability tracker as those
   * of repository `repositoryId()`; nothing is reported while that is undefined (a repository
   * being created has no id yet).
   */
  open(location: string, options: OpenOptions, repositoryId: () => string | undefined, maxRetryMs?: number): Backend {
    if (locationKind(location) === 'local') return backendAt(location, options);
    const retry = { ...this.retry, ...options.retry };
    if (maxRetryMs !== undefined) retry.budgetMs = Math.min(retry.budgetMs ?? maxRetryMs, maxRetryMs);
    const reachability = this.reachability;
    const backend = backendAt(location, {
      ...options,
      ...(Object.keys(retry).length > 0 ? { retry } : {}),
      ...(reachability
        ? {
            onRetry: (notice: RetryNotice) => {
              const id = repositoryId();
              if (id !== undefined) reachability.retrying(id, notice);
            },
          }
        : {}),
    });
    return reachability ? reachability.observe(repositoryId, backend) : backend;
  }

  /** What Settings shows of the repository's storage: never a secret, only which ones are held. */
  describe(record: RepositoryRecord): z.output<typeof RepositoryStorageSchema> {
    return {
      repositoryId: record.id,
      kind: locationKind(record.location),
      location: record.location,
      settings: this.settings(record),
      credentialsHeld: this.credentials.summary(record.id),
    };
  }
}
