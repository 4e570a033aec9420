/**
 * Long operations (backup, restore, check) as tasks: each runs in the background with an
 * AbortController, goes queued → running → succeeded / failed / cancelled (cancelling while it
 * stops), reports progress at most a few times a second (with the time left, eta.ts), and is
 * persisted in the catalog's task history. Subscribers receive every change as a contract `Task`.
 * Tasks with the same `exclusiveKey` (e.g. two backups of one repository) never run at once.
 */
import type { z } from 'zod';
import { ContractError } from '../../contract/errors.js';
import type { TaskKind, TaskProgress, Task as TaskSchema } from '../../contract/schemas.js';
import { CairnError } from '../../engine/errors.js';
import type { Catalog, JsonValue, TaskRecord } from '../catalog/catalog.js';
import { ETA_MIN_BYTES, ETA_MIN_FRACTION, EtaEstimator } from './eta.js';

export type Task = z.output<typeof TaskSchema>;
export type TaskKindName = z.output<typeof TaskKind>;
export type Progress = z.output<typeof TaskProgress>;

/** What a running task may report; `bytes`/`totalBytes` drive the time estimate (eta.ts). */
export interface ProgressUpdate {
  files: number;
  bytes: number;
  totalBytes?: number | null;
  /** Number of files in all, when known. */
  filesTotal?: number | null;
  /** While the totals are still being counted: what was counted so far. */
  counting?: { files: number; bytes: number } | null;
  currentPath?: string | null;
  /** A fraction done (0–1) for tasks that count objects, not bytes; used for the estimate. */
  fraction?: number | null;
}

export interface TaskContext {
  /** The task's id (what the audit trail names a task's records by). */
  readonly id: string;
  readonly signal: AbortSignal;
  progress(update: ProgressUpdate): void;
  message(text: string, level?: 'info' | 'warning' | 'error'): void;
}

export interface TaskSpec {
  kind: TaskKindName;
  repositoryId: string | null;
  /** Tasks sharing this key never run at the same time; a second one is refused with 'locked'. */
  exclusiveKey?: string;
  /** Said when a second task with the same key is refused. */
  busyMessage?: string;
  run(ctx: TaskContext): Promise<Record<string, JsonValue>>;
}

/** Thrown by a task's run to fail while still recording what it achieved. */
export class TaskFailure extends Error {
  constructor(
    message: string,
    readonly result: Record<string, JsonValue>,
  ) {
    super(message);
    this.name = 'TaskFailure';
  }
}

export const PROGRESS_INTERVAL_MS = 250;

/**
 * How many warnings or problems one task lists as messages (backup, restore, check), so that a
 * task that meets thousands of them keeps a readable message list.
 */
export const MAX_TASK_MESSAGES = 100;

interface Active {
  controller: AbortController;
  exclusiveKey?: string;
  startedMs: number;
  progress: Progress | null;
  /** The time-left estimate, and what it measures (bytes, or the fraction done). */
  eta?: { unit: 'bytes' | 'fraction'; estimator: EtaEstimator };
  lastEmit: number;
  timer?: NodeJS.Timeout;
  done: Promise<void>;
}

function toTask(record: TaskRecord): Task {
  return {
    id: record.id,
    kind: record.kind as TaskKindName,
    status: record.status,
    repositoryId: record.repositoryId,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    progress: (record.progress as Progress | null) ?? null,
    messages: record.messages.map((m) => (m.level === 'info' ? m.text : `${m.level}: ${m.text}`)),
    error: record.error,
    result: (record.result as Record<string, unknown> | null) ?? null,
  };
}

function describeTaskError(err: unknown): string {
  if (err instanceof CairnError || err instanceof ContractError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return 'no space left on the device';
  return e instanceof Error && e.message ? e.message : String(err);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Told once when a task has ended, with what its run threw (undefined when it succeeded). */
export type SettledListener = (task: Task, error: unknown) => void;

export class TaskManager {
  private readonly active = new Map<string, Active>();
  private readonly listeners = new Set<(task: Task) => void>();
  private readonly settledListeners = new Set<SettledListener>();
  private readonly cancelListeners = new Set<(task: Task) => void>();

  constructor(
    private readonly catalog: Catalog,
    private readonly progressIntervalMs = PROGRESS_INTERVAL_MS,
    /** Times the progress: its pacing, speed and time left (tests pass their own). */
    private readonly now: () => number = () => Date.now(),
  ) {}

  subscribe(listener: (task: Task) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Listens for ended tasks with the error their run threw, which the recorded task keeps only as
   * text (the storage reachability tracker looks for a BackendError 'unavailable' in it).
   */
  onSettled(listener: SettledListener): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  /**
   * Listens for tasks asked to stop (cancelled, or stopped as the host closes): the host ends the
   * retry pauses of the task's storage so the task stops now, not after the retry budget.
   */
  onCancelled(listener: (task: Task) => void): () => void {
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  private cancelled(task: Task): void {
    for (const listener of this.cancelListeners) {
      try {
        listener(task);
      } catch {
        // A listener's failure must not keep the task from stopping.
      }
    }
  }

  /** Creates the task and starts it in the background; returns it as first recorded (queued). */
  start(spec: TaskSpec): Task {
    if (spec.exclusiveKey) {
      for (const [id, a] of this.active) {
        if (a.exclusiveKey === spec.exclusiveKey) {
          throw new ContractError(
            'locked',
            `${spec.busyMessage ?? 'the same operation is already running'} (task ${id})`,
          );
        }
      }
    }
    const record = this.catalog.createTask({ kind: spec.kind, repositoryId: spec.repositoryId });
    const controller = new AbortController();
    let resolveDone!: () => void;
    const active: Active = {
      controller,
      exclusiveKey: spec.exclusiveKey,
      startedMs: this.now(),
      progress: null,
      lastEmit: 0,
      done: new Promise<void>((resolve) => {
        resolveDone = resolve;
      }),
    };
    this.active.set(record.id, active);
    const task = toTask(record);
    this.emit(task);
    setImmediate(() => {
      void this.execute(record.id, spec, active).finally(() => {
        this.active.delete(record.id);
        resolveDone();
      });
    });
    return task;
  }

  get(id: string): Task {
    const record = this.catalog.getTask(id);
    if (!record) throw new ContractError('not-found', `there is no task ${id}`);
    return toTask(record);
  }

  list(limit: number): Task[] {
    return this.catalog.listTasks({ limit }).map(toTask);
  }

  runningCount(): number {
    return this.active.size;
  }

  /** Tasks still running for a repository. */
  activeFor(repositoryId: string): string[] {
    return this.list(500)
      .filter((t) => t.repositoryId === repositoryId && this.active.has(t.id))
      .map((t) => t.id);
  }

  /** Asks a running task to stop; it becomes 'cancelling', then 'cancelled' once it has stopped. */
  cancel(id: string): Task {
    const current = this.get(id);
    const active = this.active.get(id);
    if (!active) {
      if (current.status === 'cancelled') return current;
      throw new ContractError('invalid-argument', `task ${id} has already finished (${current.status})`);
    }
    if (active.controller.signal.aborted) return current;
    const task = this.update(id, { status: 'cancelling' });
    active.controller.abort();
    this.cancelled(task);
    return task;
  }

  /** Cancels every running task and waits until all have stopped. */
  async close(): Promise<void> {
    const running = [...this.active.entries()];
    for (const [id, a] of running) {
      if (!a.controller.signal.aborted) {
        let task: Task | undefined;
        try {
          task = this.update(id, { status: 'cancelling' });
        } catch {
          // the catalog may already be unusable; the abort below still stops the task
        }
        a.controller.abort();
        if (task) this.cancelled(task);
      }
    }
    await Promise.all(running.map(([, a]) => a.done));
  }

  /** Resolves when the task has finished (at once when it is not running). */
  async settled(id: string): Promise<Task> {
    await this.active.get(id)?.done;
    return this.get(id);
  }

  /**
   * Adds a message to a task, running or finished, and tells subscribers: what happened after it
   * ended and belongs to its history (the alert webhook could not be reached).
   */
  note(id: string, text: string, level: 'info' | 'warning' | 'error' = 'info'): Task {
    return this.update(id, { messages: [{ at: new Date().toISOString(), level, text }] });
  }

  private async execute(id: string, spec: TaskSpec, active: Active): Promise<void> {
    const { signal } = active.controller;
    try {
      if (signal.aborted) throw Object.assign(new Error('cancelled before it started'), { name: 'AbortError' });
      active.startedMs = this.now();
      this.update(id, { status: 'running' });
      const ctx: TaskContext = {
        id,
        signal,
        progress: (update) => this.progress(id, active, update),
        message: (text, level = 'info') => {
          this.update(id, { messages: [{ at: new Date().toISOString(), level, text }] });
        },
      };
      const result = await spec.run(ctx);
      this.tellSettled(this.finish(id, active, { status: 'succeeded', result }), undefined);
    } catch (err) {
      let task: Task;
      if (signal.aborted && (isAbort(err) || !(err instanceof TaskFailure))) {
        task = this.finish(id, active, { status: 'cancelled', error: 'cancelled' });
      } else if (err instanceof TaskFailure) {
        task = this.finish(id, active, { status: 'failed', error: err.message, result: err.result });
      } else {
        task = this.finish(id, active, { status: 'failed', error: describeTaskError(err) });
      }
      this.tellSettled(task, err);
    }
  }

  private tellSettled(task: Task, error: unknown): void {
    for (const listener of this.settledListeners) {
      try {
        listener(task, error);
      } catch {
        // a listener's failure changes nothing about the task
      }
    }
  }

  private progress(id: string, active: Active, update: ProgressUpdate): void {
    const now = this.now();
    const elapsed = (now - active.startedMs) / 1000;
    const total = update.totalBytes ?? null;
    active.progress = {
      files: update.files,
      bytes: update.bytes,
      totalBytes: total,
      etaSeconds: this.timeLeft(active, now, update),
      currentPath: update.currentPath ?? null,
      bytesPerSecond: elapsed > 0.5 && update.bytes > 0 ? Math.round(update.bytes / elapsed) : null,
      filesTotal: update.filesTotal ?? null,
      counting: update.counting ?? null,
    };
    if (active.timer) return;
    const wait = active.lastEmit + this.progressIntervalMs - now;
    if (wait <= 0) {
      this.flushProgress(id, active);
      return;
    }
    active.timer = setTimeout(() => {
      active.timer = undefined;
      if (this.active.has(id)) this.flushProgress(id, active);
    }, wait);
  }

  /**
   * Seconds left (eta.ts): bytes still to read at the rate measured, or, for a task that reports
   * a fraction done instead of bytes, the fraction left; null until that means something.
   */
  private timeLeft(active: Active, now: number, update: ProgressUpdate): number | null {
    const total = update.totalBytes ?? null;
    const fraction = update.fraction ?? null;
    const unit = fraction !== null && total === null ? 'fraction' : 'bytes';
    if (active.eta?.unit !== unit)
      active.eta = { unit, estimator: new EtaEstimator(unit === 'bytes' ? ETA_MIN_BYTES : ETA_MIN_FRACTION) };
    return unit === 'bytes'
      ? active.eta.estimator.update(now, update.bytes, total !== null && total > 0 ? total : null)
      : active.eta.estimator.update(now, fraction as number, 1);
  }

  private flushProgress(id: string, active: Active): void {
    active.lastEmit = this.now();
    if (active.progress) this.update(id, { progress: active.progress as unknown as JsonValue });
  }

  private finish(
    id: string,
    active: Active,
    outcome: { status: 'succeeded' | 'failed' | 'cancelled'; error?: string; result?: Record<string, JsonValue> },
  ): Task {
    if (active.timer) clearTimeout(active.timer);
    active.timer = undefined;
    return this.update(id, {
      status: outcome.status,
      error: outcome.error ?? null,
      ...(outcome.result ? { result: outcome.result } : {}),
      ...(active.progress ? { progress: { ...active.progress, etaSeconds: null } as unknown as JsonValue } : {}),
    });
  }

  private update(id: string, update: Parameters<Catalog['updateTask']>[1]): Task {
    const task = toTask(this.catalog.updateTask(id, update));
    this.emit(task);
    return task;
  }

  private emit(task: Task): void {
    for (const listener of this.listeners) {
      try {
        listener(task);
      } catch {
        // a failing subscriber (e.g. a closed connection) must not stop the task
      }
    }
  }
}
