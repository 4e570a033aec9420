/**
 * "Test connection" (`repo.testLocation`): opens the location with the settings and credentials
 * typed so far, asks whether a repository is there (and, where the storage reports one, its
 * region), and closes it again. Changes nothing. Bounded in time, so the button never hangs: the
 * SSH connection gets a connect timeout of its own and the whole probe a deadline, after which the
 * answer is 'timeout' and the backend is closed in the background.
 */
import type { z } from 'zod';
import type { LocationTest, StorageCredentials, StorageSettings } from '../../contract/storage.js';
import { type ParsedLocation, parseLocation } from '../../engine/backend/location.js';
import { type Backend, backendAt } from '../services/open-repository.js';
import { classifyFailure, TestTimeout } from './connection-problems.js';
import { openOptions } from './repository-storage.js';

export type LocationTestResult = z.output<typeof LocationTest>;

export interface LocationTestInput {
  location: string;
  storage?: z.output<typeof StorageSettings> | undefined;
  credentials?: z.output<typeof StorageCredentials> | undefined;
}

export interface LocationTestLimits {
  /** The deadline of the whole probe (default 20 s). */
  timeoutMs?: number;
  /** The SSH connection's own timeout (default 10 s), shorter so its reason is the one reported. */
  connectTimeoutMs?: number;
}

const TIMEOUT_MS = 20_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Closing must not hold the answer up either. */
const CLOSE_MS = 2_000;

export async function testLocation(
  input: LocationTestInput,
  limits: LocationTestLimits = {},
): Promise<LocationTestResult> {
  const timeoutMs = limits.timeoutMs ?? TIMEOUT_MS;
  let where: ParsedLocation | undefined;
  let backend: Backend | undefined;
  try {
    where = parseLocation(input.location);
    const options = openOptions(where.kind, input.storage, input.credentials, {
      connectTimeoutMs: Math.min(limits.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, timeoutMs),
    });
    // One attempt: a test reports what it met at once, where a backup would wait and retry.
    backend = backendAt(input.location, { ...options, retry: { maxAttempts: 1 } });
    const probed = backend;
    const found = await withDeadline(probe(probed), timeoutMs);
    return {
      reachable: true,
      kind: where.kind,
      location: probed.location,
      repositoryExists: found.exists,
      ...(found.region !== undefined ? { reportedRegion: found.region } : {}),
    };
  } catch (err) {
    return { reachable: false, ...classifyFailure(err, where) };
  } finally {
    if (backend) await withDeadline(backend.close(), CLOSE_MS).catch(() => undefined);
  }
}

async function probe(backend: Backend): Promise<{ exists: boolean; region: string | undefined }> {
  const exists = await backend.exists();
  const region = backend.reportedRegion ? await backend.reportedRegion() : undefined;
  return { exists, region };
}

/** `work`, or a TestTimeout once `ms` passed (the work itself goes on and is dropped). */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TestTimeout(ms)), ms);
  });
  // A late failure of the dropped work must not become an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
