/**
 * Checking a repository, as `cairn check` and the app's check tasks run it: the engine's check
 * under the shared lock (structure, and with `readData` the stored data), then an incident per
 * kind of problem found, so damage is on record however it was found. Rolling verification
 * (the app's `verify.slice`) is the same check over the slice of packs verified longest ago,
 * kept in the verification tracker; a full read counts for it too.
 *
 * The checker takes no AbortSignal, so a cancelled check stops at its next progress report.
 */
import type { Backend } from '../../engine/backend/types.js';
import {
  type CheckProblem,
  type CheckResult,
  check,
  type DataSubset,
  parseSubset,
} from '../../engine/check/checker.js';
import { type LockOptions, withLock } from '../../engine/repo/lock.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import type { VerificationCoverage, VerificationTracker } from '../catalog/verification.js';
import { type IncidentView, recordIntegrityProblems } from './records.js';
import type { RepositoryRecords } from './repository-records.js';

export type { CheckProblem, CheckResult, DataSubset, IncidentView, VerificationCoverage };
export { parseSubset };

export interface CheckProgress {
  phase: 'index' | 'snapshots' | 'data';
  done: number;
  total: number;
}

/** The rolling verification's memory of which packs were read intact when. */
export type VerificationLog = Pick<VerificationTracker, 'planSlice' | 'record' | 'coverage'>;

export interface CheckDeps {
  /** The repository as incidents name it: its id and a label people know it by. */
  repository: { id: string; label: string };
  /** What found the problems, as an incident's finding says ("cairn check found 2 problem(s)"). */
  source: string;
  /** Where incidents are opened for the problems found (a failure to write them is warned there). */
  records: RepositoryRecords;
  /** With a full read, the packs read count as verified for rolling verification. */
  verification?: VerificationLog;
  /** Dates what the verification tracker records, and the repository lock (default: the system clock). */
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: CheckProgress) => void;
}

export interface CheckOutcome {
  result: CheckResult;
  /** The incidents opened or extended for the problems found. */
  incidents: IncidentView[];
}

/** Checks the repository under the shared lock and records what it found. */
export async function checkRepository(
  repo: Repository,
  readData: DataSubset | undefined,
  deps: CheckDeps,
): Promise<CheckOutcome> {
  const result = await withLock(
    repo,
    'check',
    false,
    () => check(repo, { ...(readData ? { readData } : {}), onProgress: progressOf(deps) }),
    lockOptions(deps),
  );
  if (readData?.kind === 'all' && deps.verification) {
    const now = new Date((deps.clock ?? systemClock)());
    deps.verification.record(deps.repository.id, result.packsVerified, result.errors, now);
  }
  return { result, incidents: recordProblems(deps, result.errors) };
}

export interface VerifySliceDeps extends CheckDeps {
  verification: VerificationLog;
  /** Every pack is to be read within this many days. */
  windowDays: number;
  /** Told how many of the stored packs this slice reads, before it reads them. */
  onPlanned?: (planned: number, total: number) => void;
}

export interface VerifySliceOutcome extends CheckOutcome {
  /** Packs stored, and packs this slice was to read. */
  packs: number;
  planned: number;
  coverage: VerificationCoverage;
}

/** Reads the next slice of packs (never verified, or verified longest ago) and records it. */
export async function verifySlice(repo: Repository, deps: VerifySliceDeps): Promise<VerifySliceOutcome> {
  const clock = deps.clock ?? systemClock;
  const id = deps.repository.id;
  const { all, slice, result } = await withLock(
    repo,
    'check',
    false,
    async () => {
      const all = await listPackIds(repo.backend);
      const slice = deps.verification.planSlice(id, all, { windowDays: deps.windowDays, now: new Date(clock()) });
      deps.onPlanned?.(slice.length, all.length);
      const result = await check(repo, { readData: { kind: 'packs', ids: slice }, onProgress: progressOf(deps) });
      return { all, slice, result };
    },
    lockOptions(deps),
  );
  const now = new Date(clock());
  deps.verification.record(id, result.packsVerified, result.errors, now, all);
  const coverage = deps.verification.coverage(id, all, { windowDays: deps.windowDays, now });
  const incidents = recordProblems(deps, result.errors);
  return { result, incidents, packs: all.length, planned: slice.length, coverage };
}

/** How much was verified within the window; needs no key (works on a locked repository). */
export async function verificationCoverage(
  backend: Backend,
  verification: VerificationLog,
  repositoryId: string,
  windowDays: number,
  clock: Clock = systemClock,
): Promise<VerificationCoverage> {
  const all = await listPackIds(backend);
  return verification.coverage(repositoryId, all, { windowDays, now: new Date(clock()) });
}

/** The ids of every pack stored in the repository (sorted). */
async function listPackIds(backend: Backend): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of backend.list('data')) ids.push(info.id);
  return ids.sort();
}

function lockOptions(deps: CheckDeps): LockOptions {
  return deps.clock ? { clock: deps.clock } : {};
}

function progressOf(deps: CheckDeps): (p: CheckProgress) => void {
  return (p) => {
    deps.signal?.throwIfAborted();
    deps.onProgress?.(p);
  };
}

function recordProblems(deps: CheckDeps, problems: CheckProblem[]): IncidentView[] {
  return recordIntegrityProblems(deps.records, deps.repository, problems, deps.source);
}
