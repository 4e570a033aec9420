/**
 * The shape check of a decoded lock document. Lock holders are compared by their fields: a lock
 * whose `refreshed` is not a time would never go stale, and one that names this host with pid 0
 * or -1 would pass the liveness probe (`process.kill(0, 0)` signals our own process group), so
 * it would block the repository for good. Such a lock is refused as damaged, which the lock
 * protocol treats as stale (docs/repository-format.md §14).
 */
import { IntegrityError } from '../errors.js';

/** Longest hostname (RFC 1035 names, and what os.hostname() returns) or operation name kept. */
const MAX_NAME = 1024;
/** Process ids are positive; no system gives out ids beyond 2^31 - 1 (pid_t is 32-bit signed). */
const MAX_PID = 2 ** 31 - 1;

function isTime(value: unknown): value is string {
  return typeof value === 'string' && Number.isFinite(Date.parse(value));
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_NAME;
}

/** A lock document (docs/repository-format.md §14): who holds it, since when, for what. */
export interface LockInfo {
  time: string;
  refreshed: string;
  hostname: string;
  pid: number;
  exclusive: boolean;
  operation: string;
}

/** Returns the decoded document as a LockInfo, or throws IntegrityError when a field is unusable. */
export function parseLockInfo(value: unknown, what: string): LockInfo {
  const doc = value as Record<string, unknown> | null;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new IntegrityError(`${what} is not a lock document`);
  }
  const ok =
    isTime(doc.time) &&
    isTime(doc.refreshed) &&
    isName(doc.hostname) &&
    Number.isSafeInteger(doc.pid) &&
    (doc.pid as number) >= 1 &&
    (doc.pid as number) <= MAX_PID &&
    typeof doc.exclusive === 'boolean' &&
    isName(doc.operation);
  if (!ok) throw new IntegrityError(`${what} is malformed: its holder, times or kind are missing or invalid`);
  return doc as unknown as LockInfo;
}
