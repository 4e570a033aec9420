/**
 * Opening (unlocking) a repository, as every CLI command and the app's `repo.unlock`/`repo.connect`
 * do it: the storage from the location the user typed, the password (asked for only once the
 * repository is known to exist), a recovery key typed loosely accepted as well, an incident when
 * opening fails for an integrity reason, and damage found later reported through `onDamage`.
 *
 * Then, before the session is used, `reapplyErasures` applies the repository's erasure tombstones
 * (an interrupted erasure is finished; a path erased earlier and found again in an older copy of
 * the repository, or in a recovery point another computer wrote since, is erased again), each one
 * audited as `erase.reapplied`. Erasure records written before erased paths were hashed are
 * converted first (that needs the repository's keys). It is a step of its own because the app
 * runs it as a task and the CLI inline. Messages name no erased path: the app keeps them.
 */
import { type OpenOptions, openBackend } from '../../engine/backend/open.js';
import type { Backend } from '../../engine/backend/types.js';
import { CairnError, describeError } from '../../engine/errors.js';
import { Repository } from '../../engine/repo/repository.js';
import type { Clock } from '../../engine/util/clock.js';
import type { Catalog } from '../catalog/catalog.js';
import { ErasureRecords } from '../privacy/erasure/records.js';
import { auditOfOutcome, type EraseOutcome, reapplyTombstones, tombstonesToApply } from '../privacy/erasure/service.js';
import { normalizeRecoveryKey } from './keys.js';
import type { PreparedUnlock } from './prepare-unlock.js';
import { appendAudit, type RepositoryRecords, recordOpenFailure } from './repository-records.js';

export type { OpenOptions, RetryNotice } from '../../engine/backend/open.js';
export type { BackendOptions, S3Options, SftpOptions, TransferOptions } from '../../engine/backend/options.js';
export type { Backend } from '../../engine/backend/types.js';
export type { Repository } from '../../engine/repo/repository.js';
export type { EraseOutcome } from '../privacy/erasure/service.js';
export type { RepositoryRecords } from './repository-records.js';

/**
 * The storage at `location` (a path, `~/…`, `file://…`, `sftp://…`, `s3://…`) with what a remote
 * location needs to be reached; a location that cannot be used is the user's mistake.
 */
export function backendAt(location: string, options: OpenOptions = {}): Backend {
  try {
    return openBackend(location, options);
  } catch (err) {
    throw new CairnError('invalid-argument', describeError(err), { cause: err });
  }
}

export interface OpenRequest {
  backend: Backend;
  /** The password, or how to ask for it (asked only once the repository is known to exist). */
  password: string | (() => Promise<string>);
  /** What an incident calls the repository: the app's record, else its location. */
  repository?: { id: string | null; label: string };
  records: RepositoryRecords;
  /** Told once of each damaged index file or recovery point the session comes across. */
  onDamage?: (message: string) => void;
  /** A key derivation started ahead for this password (prepare-unlock.ts). */
  prepared?: PreparedUnlock;
  /** Dates what the session writes on its own (new key slots); the system clock by default. */
  clock?: Clock;
}

/** Opens the repository with its password (or its recovery key); see the module comment. */
export async function openRepository(request: OpenRequest): Promise<Repository> {
  const { backend } = request;
  if (!(await backend.exists())) {
    throw new CairnError('no-repository', `there is no Cairn repository at ${backend.location}`);
  }
  const password = typeof request.password === 'string' ? request.password : await request.password();
  let repo: Repository;
  try {
    repo = await unlock(backend, password, { ahead: request.prepared, clock: request.clock });
  } catch (err) {
    const { id, label } = request.repository ?? { id: null, label: backend.location };
    recordOpenFailure(request.records, { id, label, location: backend.location }, err);
    throw err;
  }
  if (request.onDamage) repo.onDamage = request.onDamage;
  return repo;
}

/**
 * Opens with what the user typed; when that is refused and it is shaped like a recovery key typed
 * loosely (lower case, spaces, O for 0), tries its canonical form too. A recovery key is just
 * another key slot's password, so this accepts nothing a careful typist could not open with.
 */
async function unlock(
  backend: Backend,
  password: string,
  options: { ahead?: PreparedUnlock; clock?: Clock },
): Promise<Repository> {
  const open = {
    ...(options.ahead ? { ahead: options.ahead } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  try {
    return await Repository.open(backend, password, open);
  } catch (err) {
    const canonical = normalizeRecoveryKey(password);
    if (!(err instanceof CairnError) || err.code !== 'wrong-password' || !canonical || canonical === password)
      throw err;
    return Repository.open(backend, canonical, open);
  }
}

export interface ReapplyRequest {
  /** The app data folder holding the erasure records. */
  dataDir: string;
  records: RepositoryRecords;
  signal?: AbortSignal;
  /** Told of each path erased again, in words for people. */
  onReapplied?: (message: string, outcome: EraseOutcome) => void;
  /** Dates the erasure records (the system clock by default). */
  clock?: Clock;
  /** The app's catalog, whose task history is cleared of each path erased again (the CLI has none). */
  catalog?: Catalog;
}

/**
 * Converts the repository's erasure records written before erased paths were hashed. What does
 * it (and SQLite, to clear the journal and task history) is loaded only when there are any, so
 * opening a repository loads no more than it did.
 */
async function convertLegacyErasures(
  repo: Repository,
  request: Pick<ReapplyRequest, 'dataDir' | 'records' | 'catalog'>,
): Promise<void> {
  if (new ErasureRecords(request.dataDir).legacyTombstones(repo.config.id).length === 0) return;
  const { migrateLegacyErasures } = await import('./erase.js');
  migrateLegacyErasures(repo, request);
}

/**
 * Whether `repo` holds a path erased earlier, or an erasure is unfinished (cheap when there are
 * no tombstones); converts older erasure records of the repository first.
 */
export async function erasuresToReapply(
  repo: Repository,
  request: Pick<ReapplyRequest, 'dataDir' | 'records' | 'catalog'>,
): Promise<boolean> {
  await convertLegacyErasures(repo, request);
  return (await tombstonesToApply(repo, request.dataDir)).length > 0;
}

/** What a re-applied erasure is called for people, without the path (the app keeps this text). */
export function describeReapplied(o: EraseOutcome): string {
  const points = o.rewritten.length + o.forgotten.length;
  const why = points > 0 ? `${points} recovery point(s) still held it` : 'that erasure had not finished';
  return `a path was erased (request ${o.reapplies ?? o.requestId}) but ${why}: erased now; receipt ${o.receiptFile}`;
}

/**
 * Applies the repository's erasure tombstones (see the module comment); the session must not be
 * used if this fails, and the caller closes it. A failure of the storage core keeps its code (a
 * repository in use stays 'locked') with a message that says what was being done.
 */
export async function reapplyErasures(repo: Repository, request: ReapplyRequest): Promise<EraseOutcome[]> {
  let outcomes: EraseOutcome[];
  await convertLegacyErasures(repo, request);
  try {
    outcomes = await reapplyTombstones(repo, request.dataDir, {
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.clock ? { clock: request.clock } : {}),
    });
  } catch (err) {
    if (!(err instanceof CairnError) || request.signal?.aborted) throw err;
    throw new CairnError(
      err.code,
      `this repository holds a path that was erased, and erasing it again failed: ${err.message}`,
      { cause: err },
    );
  }
  // Loaded only when something was erased again: clearing the journal and task history needs SQLite.
  const traces = outcomes.some((o) => o.path !== null) ? await import('./erase.js') : undefined;
  for (const outcome of outcomes) {
    appendAudit(request.records, 'erase.reapplied', { repositoryId: repo.config.id, ...auditOfOutcome(outcome) });
    if (outcome.path !== null) traces?.clearTracesOf(request, outcome.path);
    request.onReapplied?.(describeReapplied(outcome), outcome);
  }
  return outcomes;
}
