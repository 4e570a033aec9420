/**
 * The `check.*` and `verify.*` methods: a check of an unlocked repository as a 'check' task
 * (structure, and with readData all stored data), rolling verification (a 'check' task reading
 * the next slice of packs, also started by the scheduled verification) and how much of the stored
 * data was verified lately, over the check service (src/app/services/check.ts), which opens
 * incidents for problems. A clean check or slice counts as the last check.
 */
import type { ParsedParams, Result } from '../../../contract/methods.js';
import type { JsonValue } from '../../catalog/catalog.js';
import {
  type CheckResult,
  type CheckDeps as CheckServiceDeps,
  checkRepository,
  verificationCoverage,
  verifySlice,
} from '../../services/check.js';
import type { HostServices } from '../host-services.js';
import { MAX_TASK_MESSAGES, type TaskContext, TaskFailure } from '../task-manager.js';
import type { Handlers, Namespace } from './types.js';

export type CheckDeps = Pick<
  HostServices,
  'catalog' | 'tasks' | 'repositories' | 'verification' | 'privacy' | 'events' | 'clock'
>;

export function checkHandlers(deps: CheckDeps): Handlers<Namespace<'check'> | Namespace<'verify'>> {
  return {
    'check.start': (p) => startCheck(deps, p),
    'verify.slice': (p) => startVerifySlice(deps, p),
    'verify.coverage': (p) =>
      deps.repositories.withBackend(p.repositoryId, (backend) =>
        verificationCoverage(backend, deps.verification, p.repositoryId, p.windowDays, deps.clock),
      ),
  };
}

async function startCheck(deps: CheckDeps, p: ParsedParams<'check.start'>): Promise<Result<'check.start'>> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const task = deps.tasks.start({
    kind: 'check',
    repositoryId: record.id,
    run: async (ctx) => {
      const { result: r } = await checkRepository(repo, p.readData ? { kind: 'all' } : undefined, {
        ...serviceDeps(deps, record, ctx, 'a check'),
        verification: deps.verification,
      });
      reportCheckFindings(ctx, r);
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
      deps.catalog.updateRepository(record.id, { lastCheckAt: new Date(deps.clock()).toISOString() });
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
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const task = deps.tasks.start({
    kind: 'check',
    repositoryId: record.id,
    exclusiveKey: `verify:${record.id}`,
    busyMessage: `stored data of "${record.label}" is already being verified; wait for it to finish or cancel it`,
    run: async (ctx) => {
      const {
        result: r,
        packs,
        planned,
        coverage,
      } = await verifySlice(repo, {
        ...serviceDeps(deps, record, ctx, 'rolling verification'),
        verification: deps.verification,
        windowDays: p.windowDays,
        onPlanned: (slice, all) => ctx.message(`reading ${slice} of ${all} pack(s) of stored data`),
      });
      reportCheckFindings(ctx, r);
      const result: Record<string, JsonValue> = {
        ok: r.ok,
        problems: r.errors.length,
        packs,
        packsPlanned: planned,
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
      deps.catalog.updateRepository(record.id, { lastCheckAt: new Date(deps.clock()).toISOString() });
      deps.events.emitStatus();
      return result;
    },
  });
  return { taskId: task.id };
}

/**
 * What the check service needs from the app: the task's cancellation and progress (a message per
 * phase and the share done), and the privacy records (a record that cannot be written is a task
 * warning; changed incidents are announced to the screens).
 */
function serviceDeps(
  deps: CheckDeps,
  record: { id: string; label: string },
  ctx: TaskContext,
  source: string,
): CheckServiceDeps {
  let phase = '';
  return {
    repository: { id: record.id, label: record.label },
    source,
    clock: deps.clock,
    records: {
      privacy: () => deps.privacy.records,
      warn: (w) => ctx.message(w, 'warning'),
      incidentsChanged: () =>
        deps.events.publish('incidents.changed', deps.privacy.records.incidents.list({ openOnly: true })),
    },
    signal: ctx.signal,
    onProgress: (pr) => {
      if (pr.phase !== phase) {
        phase = pr.phase;
        ctx.message(`checking ${pr.phase === 'data' ? 'stored data' : pr.phase}`);
      }
      ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null });
    },
  };
}

/** The problems and notes of a check, as task messages. */
function reportCheckFindings(ctx: TaskContext, r: CheckResult): void {
  for (const e of r.errors.slice(0, MAX_TASK_MESSAGES)) ctx.message(`${e.object}: ${e.message}`, 'error');
  for (const n of r.notes.slice(0, MAX_TASK_MESSAGES)) ctx.message(n);
}
