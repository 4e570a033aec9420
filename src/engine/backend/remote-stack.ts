/**
 * The wrappers every remote backend (SFTP, S3) is used through, in their order:
 *
 *   metadata cache → retrying → throttled → the remote backend
 *
 * - The cache is outermost so that a hit costs nothing: no connection slot, no tokens, no
 *   request, and it answers while the storage is unreachable. A miss goes down the stack like
 *   any load.
 * - Retrying sits above throttling, so that each attempt goes through the limits afresh: a
 *   re-sent object (a save, or a staged pack appended again after a dropped connection) is
 *   counted against the upload limit and cut into paced pieces like the first sending, and a
 *   call pausing before its next attempt holds no connection slot, which another call (one that
 *   may succeed, or find the storage back) can use. Throttling above retrying would hold a slot
 *   through every pause and let retransmissions burst past the limit.
 */

import { withMetadataCache } from './metadata-cache.js';
import type { TransferOptions } from './options.js';
import { type Monotonic, type RetryInfo, type RetryOptions, retryingBackend, type Sleep } from './retrying-backend.js';
import { throttledBackend } from './throttled-backend.js';
import type { Backend } from './types.js';

/** How many requests run against remote storage at once when the user set no number (TransferOptions). */
export const DEFAULT_REMOTE_CONNECTIONS = 4;

export interface RemoteStackOptions {
  transfer?: TransferOptions;
  /** A folder for the metadata cache of this one repository; no cache without it. */
  cacheDir?: string;
  /** Told before each retry's pause (the app shows "storage unreachable since …"). */
  onRetry?: (info: RetryInfo) => void;
  /** The retry policy's numbers (pauses, budget, attempts), where the defaults do not suit. */
  retry?: Pick<RetryOptions, 'baseDelayMs' | 'factor' | 'maxDelayMs' | 'budgetMs' | 'maxAttempts'>;
  sleep?: Sleep;
  /** Numbers in [0, 1), for the retries' jitter. */
  random?: () => number;
  /** A monotonic clock in milliseconds, for pacing and the retry budget (default performance.now). */
  clock?: Monotonic;
}

/** `inner` (a remote backend) wrapped for use: cached, retried, throttled (see the header). */
export function wrapRemote(inner: Backend, options: RemoteStackOptions = {}): Backend {
  const { sleep, random, clock: now } = options;
  const transfer = { ...options.transfer, connections: options.transfer?.connections || DEFAULT_REMOTE_CONNECTIONS };
  const throttled = throttledBackend(inner, transfer, { sleep, now });
  const retrying = retryingBackend(throttled, { ...options.retry, onRetry: options.onRetry, sleep, random, now });
  return options.cacheDir ? withMetadataCache(retrying, options.cacheDir) : retrying;
}
