/**
 * Turns a repository location typed by a user into a Backend (see location.ts for the forms):
 * a folder opens a LocalBackend; `sftp://` an SftpBackend and `s3://` / `s3+http://` an
 * S3Backend, each wrapped for networks that fail (remote-stack.ts: retries with backoff,
 * transfer limits, a local cache of the small immutable objects when the caller names a cache
 * folder). `memory:` is for tests only and cannot be opened by location.
 */
import { LocalBackend } from './local.js';
import { parseLocation } from './location.js';
import type { BackendOptions } from './options.js';
import { type RemoteStackOptions, wrapRemote } from './remote-stack.js';
import type { RetryInfo } from './retrying-backend.js';
import { S3Backend } from './s3/s3-backend.js';
import { SftpBackend } from './sftp/sftp-backend.js';
import type { Backend } from './types.js';

/** A retry about to happen on remote storage (the app shows "storage unreachable since …"). */
export type RetryNotice = RetryInfo;

export interface OpenOptions extends BackendOptions {
  /** A folder for the local cache of a remote repository's index and snapshot files (optional). */
  cacheDir?: string;
  /** Told of each retry after a transient failure of remote storage. */
  onRetry?: (notice: RetryNotice) => void;
  /** The retry policy's numbers where the defaults (up to 5 minutes of retries) do not suit. */
  retry?: RemoteStackOptions['retry'];
}

export function openBackend(location: string, options: OpenOptions = {}): Backend {
  const parsed = parseLocation(location);
  const stack: RemoteStackOptions = {
    ...(options.transfer ? { transfer: options.transfer } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  };
  switch (parsed.kind) {
    case 'local':
      return new LocalBackend(parsed.path);
    case 'sftp':
      return wrapRemote(new SftpBackend(parsed, options.sftp, options.transfer), stack);
    case 's3':
      return wrapRemote(new S3Backend(parsed, options.s3, options.transfer), stack);
  }
}
