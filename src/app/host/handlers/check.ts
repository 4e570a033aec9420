/**
 * The `check.*` and `verify.*` methods: a check of an unlocked repository as a 'check' task
 * (structure, and with readData all stored data), rolling verification (a 'check' task reading
 * the next slice of packs, also started by the scheduled verification) and how much of the stored
 * data was verified lately. Problems open incidents; a clean check or slice counts as the last
 * check.
 */
import type { ParsedParams, Result } from '../../../contract/methods.js';
import type { Backend } from '../../../engine/backend/types.js';
import { type CheckResult, check } from '../../../engine/check/checker.js';
import { withLock } from '../../../engine/repo/lock.js';
import type { JsonValue } from '../../catalog/catalog.js';
import type { HostServices } from '../host-services.js';
import { MAX_TASK_MESSAGES, type TaskContext, TaskFailure } from '../task-manager.js';
import type { Handlers, Namespace } from './types.js';

export type CheckDeps = Pick<
  HostServices,
  'catalog' | 'tasks' | 'repositories' | 'verification' | 'privacy' | 'events'
>;

export function checkHandlers(deps: CheckDeps): Handlers<Namespace<'check'> | Namespace<'verify'>> {
  return {
    'check.start': (p) => startCheck(deps, p),
    'verify.slice': (p) => startVerifySlice(deps, p),
    'verify.coverage': (p) => verificationCoverage(deps, p),
  };
}

async function startCheck(deps: CheckDeps, p: ParsedParams<'check.start'>): Promise<Result<'check.start'>> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const task = deps.tasks.start({
    kind: 'check',
    repositoryId: record.id,
    run: async (ctx) => {
      const r = await withLock(repo, 'check', false, () =>
        check(repo, { readData: p.readData ? { kind: 'all' } : undefined, onProgress: checkProgress(ctx) }),
      );
      reportCheckFindings(ctx, r);
      deps.privacy.integrityProblems(record, r.errors, 'a check');
      // A full read counts for rolling verification: intact packs, and any failure.
      if (p.readData) deps.verification.record(record.id, r.packsVerified, r.errors, new Date());
      const result: Record<string, JsonValue> = {
        ok: r.ok,
        problems: r.errors.length,
        snapshots: r.snapshots,
        trees: r.trees,
        packs: r.packs,
        packsRead: r.packsRead,
        bytesRead: r.bytesRead,
      };
      if (!r.ok) throw new TaskFailure(`the check found ${r.errors.length} problem(s) in "${record.label}"`, result);
      // Only a check that found no damage counts as the last check.
      deps.catalog.updateRepository(record.id, { lastCheckAt: new Date().toISOString() });
      deps.events.emitStatus();
      return result;
    },
  });
  return { taskId: task.id };
}

/** A 'check' task reading the next slice of packs; problems fail it and are recorded. */
export async function startVerifySlice(
  deps: CheckDeps,
  p: ParsedParams<'verify.slice'>,
): Promise<Result<'verify.slice'>> {
  const { verification } = deps;
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const task = deps.tasks.start({
    kind: 'check',
    repositoryId: record.id,
    exclusiveKey: `verify:${record.id}`,
    busyMessage: `stored data of "${record.label}" is already being verified; wait for it to finish or cancel it`,
    run: async (ctx) => {
      const { all, slice, r } = await withLock(repo, 'check', false, async () => {
        const all = await listPackIds(repo.backend);
        const slice = verification.planSlice(record.id, all, { windowDays: p.windowDays, now: new Date() });
        ctx.message(`reading ${slice.length} of ${all.length} pack(s) of stored data`);
        const r = await check(repo, { readData: { kind: 'packs', ids: slice }, onProgress: checkProgress(ctx) });
        return { all, slice, r };
      });
      const now = new Date();
      verification.record(record.id, r.packsVerified, r.errors, now, all);
      const coverage = verification.coverage(record.id, all, { windowDays: p.windowDays, now });
      reportCheckFindings(ctx, r);
      deps.privacy.integrityProblems(record, r.errors, 'rolling verification');
      const result: Record<string, JsonValue> = {
        ok: r.ok,
        problems: r.errors.length,
        packs: all.length,
        packsPlanned: slice.length,
        packsRead: r.packsRead,
        packsVerified: r.packsVerified.length,
        bytesRead: r.bytesRead,
        verifiedShare: coverage.verifiedShare,
        windowDays: coverage.windowDays,
      };
      if (!r.ok) {
        deps.events.emitStatus();
        throw new TaskFailure(
          `verifying stored data of "${record.label}" found ${r.errors.length} problem(s); the first: ${r.errors[0]?.object}: ${r.errors[0]?.message}`,
          result,
        );
      }
      ctx.message(
        `${Math.floor(coverage.verifiedShare * 100)}% of the stored data verified in the last ${coverage.windowDays} days`,
      );
      deps.catalog.updateRepository(record.id, { lastCheckAt: now.toISOString() });
      deps.events.emitStatus();
      return result;
    },
  });
  return { taskId: task.id };
}

/** Coverage from the catalog and the pack list; works on a locked repository too (no key needed). */
async function verificationCoverage(
  deps: CheckDeps,
  p: ParsedParams<'verify.coverage'>,
): Promise<Result<'verify.coverage'>> {
  const all = await deps.repositories.withBackend(p.repositoryId, listPackIds);
  return deps.verification.coverage(p.repositoryId, all, { windowDays: p.windowDays, now: new Date() });
}

/** The ids of every pack stored in the repository (sorted). */
async function listPackIds(backend: Backend): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of backend.list('data')) ids.push(info.id);
  return ids.sort();
}

/**
 * Progress of a check task: a message per phase and the share done. The checker takes no signal,
 * so cancelling stops it at its next progress report.
 */
function checkProgress(ctx: TaskContext): (p: { phase: string; done: number; total: number }) => void {
  let phase = '';
  return (pr) => {
    ctx.signal.throwIfAborted();
    if (pr.phase !== phase) {
      phase = pr.phase;
      ctx.message(`checking ${pr.phase === 'data' ? 'stored data' : pr.phase}`);
    }
    ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null });
  };
}

/** The problems and notes of a check, as task messages. */
function reportCheckFindings(ctx: TaskContext, r: CheckResult): void {
  for (const e of r.errors.slice(0, MAX_TASK_MESSAGES)) ctx.message(`${e.object}: ${e.message}`, 'error');
  for (const n of r.notes.slice(0, MAX_TASK_MESSAGES)) ctx.message(n);
}
