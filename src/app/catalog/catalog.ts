/**
 * The app catalog: a better-sqlite3 database (WAL) in the app data directory holding settings,
 * the repositories the app knows, backup sources with their schedules, and task history. It is a
 * cache of app state — the repositories are the source of truth for backed-up data, so deleting
 * the catalog never loses a backup. This module owns opening (with migrations and recovery of
 * tasks a previous process left unfinished) and the typed queries; row mapping is in records.ts,
 * the wording of SQLite's failures in catalog-errors.ts.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { CairnError, describeError } from '../../engine/errors.js';
import { openSharedDatabase, retryWhileBusy } from '../util/sqlite.js';
import { openError, statementError } from './catalog-errors.js';
import { migrate } from './migrations.js';
import { OwnerLock } from './owner-lock.js';
import {
  excludesToJson,
  FINAL_TASK_STATUSES,
  type JsonObject,
  type JsonValue,
  objectOrNullToJson,
  optionalTimestamp,
  parseJson,
  type RepositoryRecord,
  type RepositoryRow,
  repositoryFromRow,
  requireAbsolutePath,
  requireTaskMessage,
  requireTaskStatus,
  requireText,
  type SourceRecord,
  type SourceRow,
  sourceFromRow,
  type TaskMessage,
  type TaskRecord,
  type TaskRow,
  type TaskStatus,
  taskFromRow,
  toJson,
} from './records.js';

export const CATALOG_FILE = 'catalog.sqlite';
export const INTERRUPTED_TASK_ERROR = 'interrupted: Cairn stopped before the task finished';

export interface NewRepository {
  id: string;
  location: string;
  label: string;
  region: string;
}

export interface RepositoryUpdate {
  label?: string;
  region?: string;
  lastBackupAt?: string | null;
  lastCheckAt?: string | null;
}

export interface NewSource {
  repositoryId: string;
  path: string;
  excludes?: string[];
  schedule?: JsonObject | null;
  retention?: JsonObject | null;
  pausedUntil?: string | null;
  pausedUntilResumed?: boolean;
  onlyWhenIdle?: boolean;
  avoidMeteredNetwork?: boolean;
}

export interface SourceUpdate {
  path?: string;
  excludes?: string[];
  schedule?: JsonObject | null;
  retention?: JsonObject | null;
  pausedUntil?: string | null;
  pausedUntilResumed?: boolean;
  onlyWhenIdle?: boolean;
  avoidMeteredNetwork?: boolean;
}

export interface NewTask {
  /** Defaults to a random UUID. */
  id?: string;
  kind: string;
  repositoryId?: string | null;
  /** 'queued' (default) or 'running'. */
  status?: 'queued' | 'running';
}

export interface TaskUpdate {
  status?: TaskStatus;
  progress?: JsonValue | null;
  /** Appended to the task's messages. */
  messages?: TaskMessage[];
  error?: string | null;
  result?: JsonValue | null;
  /** Set automatically when the task first becomes 'running', unless given. */
  startedAt?: string | null;
  /** Set automatically when the task reaches a final status, unless given. */
  finishedAt?: string | null;
}

export interface TaskQuery {
  /** At most this many tasks, newest first (default 100). */
  limit?: number;
  kind?: string;
  status?: TaskStatus;
}

const MAX_TASK_LIST = 10_000;

function nowIso(): string {
  return new Date().toISOString();
}

export class Catalog {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly stmt;

  private constructor(
    db: Database.Database,
    file: string,
    private readonly owner: OwnerLock | undefined,
  ) {
    this.db = db;
    this.file = file;
    this.stmt = {
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare<[string, string]>(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      deleteSetting: db.prepare<[string]>('DELETE FROM settings WHERE key = ?'),

      addRepository: db.prepare<[RepositoryRow]>(
        `INSERT INTO repositories (id, location, label, region, added_at, last_backup_at, last_check_at)
         VALUES (@id, @location, @label, @region, @added_at, @last_backup_at, @last_check_at)`,
      ),
      listRepositories: db.prepare<[], RepositoryRow>('SELECT * FROM repositories ORDER BY added_at, rowid'),
      getRepository: db.prepare<[string], RepositoryRow>('SELECT * FROM repositories WHERE id = ?'),
      getRepositoryByLocation: db.prepare<[string], RepositoryRow>('SELECT * FROM repositories WHERE location = ?'),
      updateRepository: db.prepare<[RepositoryRow]>(
        `UPDATE repositories SET label = @label, region = @region, last_backup_at = @last_backup_at,
           last_check_at = @last_check_at WHERE id = @id`,
      ),
      removeRepository: db.prepare<[string]>('DELETE FROM repositories WHERE id = ?'),
      getStorage: db.prepare<[string], { settings: string }>(
        'SELECT settings FROM repository_storage WHERE repository_id = ?',
      ),
      setStorage: db.prepare<[{ repository_id: string; settings: string; updated_at: string }]>(
        `INSERT INTO repository_storage (repository_id, settings, updated_at) VALUES (@repository_id, @settings, @updated_at)
         ON CONFLICT (repository_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      ),
      deleteStorage: db.prepare<[string]>('DELETE FROM repository_storage WHERE repository_id = ?'),

      addSource: db.prepare<[Omit<SourceRow, 'id'>]>(
        `INSERT INTO sources (repository_id, path, excludes, schedule, retention, paused_until, paused_until_resumed,
           only_when_idle, avoid_metered_network, created_at)
         VALUES (@repository_id, @path, @excludes, @schedule, @retention, @paused_until, @paused_until_resumed,
           @only_when_idle, @avoid_metered_network, @created_at)`,
      ),
      listSources: db.prepare<[{ repository_id: string | null }], SourceRow>(
        'SELECT * FROM sources WHERE @repository_id IS NULL OR repository_id = @repository_id ORDER BY id',
      ),
      getSource: db.prepare<[number], SourceRow>('SELECT * FROM sources WHERE id = ?'),
      updateSource: db.prepare<[SourceRow]>(
        `UPDATE sources SET path = @path, excludes = @excludes, schedule = @schedule, retention = @retention,
           paused_until = @paused_until, paused_until_resumed = @paused_until_resumed,
           only_when_idle = @only_when_idle, avoid_metered_network = @avoid_metered_network WHERE id = @id`,
      ),
      removeSource: db.prepare<[number]>('DELETE FROM sources WHERE id = ?'),

      createTask: db.prepare<[TaskRow]>(
        `INSERT INTO tasks (id, kind, status, repository_id, created_at, started_at, finished_at, progress, messages, error, result)
         VALUES (@id, @kind, @status, @repository_id, @created_at, @started_at, @finished_at, @progress, @messages, @error, @result)`,
      ),
      getTask: db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?'),
      updateTask: db.prepare<[TaskRow]>(
        `UPDATE tasks SET status = @status, started_at = @started_at, finished_at = @finished_at, progress = @progress,
           messages = @messages, error = @error, result = @result WHERE id = @id`,
      ),
      listTasks: db.prepare<[{ kind: string | null; status: string | null; limit: number }], TaskRow>(
        `SELECT * FROM tasks WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)
         ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
      ),
      markInterrupted: db.prepare<[{ error: string; finished_at: string }]>(
        `UPDATE tasks SET status = 'failed', error = @error, finished_at = COALESCE(finished_at, @finished_at)
         WHERE status IN ('queued', 'running', 'cancelling')`,
      ),
    };
  }

  /**
   * Opens (creating if needed) the catalog in `dataDir`, migrates it to the current schema and
   * marks tasks a previous process left unfinished as failed. A `guest` (`cairn pause` beside the
   * app or `cairn serve`) takes no ownership: it opens an existing catalog only and leaves tasks
   * alone, for small changes the owner picks up (the sources' pause).
   */
  static open(dataDir: string, options: { guest?: boolean } = {}): Catalog {
    requireText(dataDir, 'the app data folder');
    const file = path.join(dataDir, CATALOG_FILE);
    if (options.guest && !fs.existsSync(file)) {
      throw new CairnError('not-found', `there is no app catalog in ${dataDir}: Cairn has not been set up there`);
    }
    try {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new CairnError('io', `cannot create the app data folder ${dataDir}: ${describeError(err)}`, { cause: err });
    }
    const owner = options.guest ? undefined : OwnerLock.acquire(dataDir);
    let db: Database.Database | undefined;
    let catalog: Catalog;
    try {
      // Created owner-only, WAL, with the busy timeout from the first statement; the migrations
      // take the write lock before reading the version (src/app/util/sqlite.ts).
      db = retryWhileBusy(() => {
        const opened = openSharedDatabase(file);
        try {
          opened.pragma('foreign_keys = ON');
          migrate(opened);
          return opened;
        } catch (err) {
          opened.close();
          throw err;
        }
      });
      catalog = new Catalog(db, file, owner);
      if (owner) catalog.markInterruptedTasks();
    } catch (err) {
      db?.close();
      owner?.release();
      throw openError(file, err);
    }
    return catalog;
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.owner?.release();
  }

  // ------------------------------------------------------------------------------------------
  // Settings (JSON values)

  /** The stored value of `key`, or `defaultValue` when it was never set. */
  getSetting<T>(key: string, defaultValue: T): T {
    requireText(key, 'setting name');
    const row = this.stmt.getSetting.get(key);
    return row === undefined ? defaultValue : (parseJson(row.value, `setting "${key}"`) as T);
  }

  setSetting(key: string, value: JsonValue): void {
    requireText(key, 'setting name');
    const json = toJson(value, `setting "${key}"`);
    this.write(() => this.stmt.setSetting.run(key, json));
  }

  /** Removes `key`; returns whether it was set. */
  deleteSetting(key: string): boolean {
    requireText(key, 'setting name');
    return this.write(() => this.stmt.deleteSetting.run(key)).changes > 0;
  }

  // ------------------------------------------------------------------------------------------
  // Repositories

  addRepository(input: NewRepository): RepositoryRecord {
    const row: RepositoryRow = {
      id: requireText(input.id, 'repository id'),
      location: requireText(input.location, 'repository location'),
      label: requireText(input.label, 'repository name'),
      region: requireText(input.region, 'repository region'),
      added_at: nowIso(),
      last_backup_at: null,
      last_check_at: null,
    };
    this.write(
      () => this.stmt.addRepository.run(row),
      () => {
        const existing = this.stmt.getRepositoryByLocation.get(row.location);
        return existing
          ? `the repository at ${row.location} is already in the catalog (as "${existing.label}")`
          : `a repository with id ${row.id} is already in the catalog`;
      },
    );
    return repositoryFromRow(row);
  }

  listRepositories(): RepositoryRecord[] {
    return this.stmt.listRepositories.all().map(repositoryFromRow);
  }

  getRepository(id: string): RepositoryRecord | undefined {
    const row = this.stmt.getRepository.get(id);
    return row && repositoryFromRow(row);
  }

  findRepositoryByLocation(location: string): RepositoryRecord | undefined {
    const row = this.stmt.getRepositoryByLocation.get(location);
    return row && repositoryFromRow(row);
  }

  updateRepository(id: string, update: RepositoryUpdate): RepositoryRecord {
    return this.db.transaction(() => {
      const row = this.requireRepositoryRow(id);
      const next: RepositoryRow = {
        ...row,
        label: update.label === undefined ? row.label : requireText(update.label, 'repository name'),
        region: update.region === undefined ? row.region : requireText(update.region, 'repository region'),
        last_backup_at:
          update.lastBackupAt === undefined
            ? row.last_backup_at
            : optionalTimestamp(update.lastBackupAt, 'last backup time'),
        last_check_at:
          update.lastCheckAt === undefined
            ? row.last_check_at
            : optionalTimestamp(update.lastCheckAt, 'last check time'),
      };
      this.write(() => this.stmt.updateRepository.run(next));
      return repositoryFromRow(next);
    })();
  }

  /** Removes the repository from the catalog (not from storage), with its sources. */
  removeRepository(id: string): void {
    const result = this.write(() => this.stmt.removeRepository.run(id));
    if (result.changes === 0) throw new CairnError('not-found', `repository ${id} is not in the catalog`);
  }

  /**
   * The storage settings of a repository (a JSON object), or null when none were saved. The caller
   * decides their shape; secrets never belong here (the catalog is a plain file).
   */
  getRepositoryStorage(id: string): JsonObject | null {
    const row = this.stmt.getStorage.get(id);
    return row ? (parseJson(row.settings, `storage settings of repository ${id}`) as JsonObject) : null;
  }

  /** Replaces the repository's storage settings; null removes them. */
  setRepositoryStorage(id: string, settings: JsonObject | null): void {
    this.db.transaction(() => {
      this.requireRepositoryRow(id);
      if (settings === null) {
        this.write(() => this.stmt.deleteStorage.run(id));
        return;
      }
      const json = objectOrNullToJson(settings, 'storage settings') as string;
      this.write(() => this.stmt.setStorage.run({ repository_id: id, settings: json, updated_at: nowIso() }));
    })();
  }

  // ------------------------------------------------------------------------------------------
  // Sources

  addSource(input: NewSource): SourceRecord {
    return this.db.transaction(() => {
      this.requireRepositoryRow(input.repositoryId);
      const row: Omit<SourceRow, 'id'> = {
        repository_id: input.repositoryId,
        path: requireAbsolutePath(input.path, 'source folder'),
        excludes: excludesToJson(input.excludes ?? []),
        schedule: objectOrNullToJson(input.schedule ?? null, 'schedule'),
        retention: objectOrNullToJson(input.retention ?? null, 'retention'),
        paused_until: optionalTimestamp(input.pausedUntil ?? null, 'paused-until time'),
        paused_until_resumed: input.pausedUntilResumed ? 1 : 0,
        only_when_idle: input.onlyWhenIdle ? 1 : 0,
        avoid_metered_network: input.avoidMeteredNetwork ? 1 : 0,
        created_at: nowIso(),
      };
      const result = this.write(
        () => this.stmt.addSource.run(row),
        () => `${row.path} is already a source of this repository`,
      );
      return sourceFromRow({ id: Number(result.lastInsertRowid), ...row });
    })();
  }

  /** All sources, or those of one repository, in the order they were added. */
  listSources(repositoryId?: string): SourceRecord[] {
    return this.stmt.listSources.all({ repository_id: repositoryId ?? null }).map(sourceFromRow);
  }

  getSource(id: number): SourceRecord | undefined {
    const row = this.stmt.getSource.get(id);
    return row && sourceFromRow(row);
  }

  updateSource(id: number, update: SourceUpdate): SourceRecord {
    return this.db.transaction(() => {
      const row = this.stmt.getSource.get(id);
      if (!row) throw new CairnError('not-found', `source ${id} is not in the catalog`);
      const next: SourceRow = {
        ...row,
        path: update.path === undefined ? row.path : requireAbsolutePath(update.path, 'source folder'),
        excludes: update.excludes === undefined ? row.excludes : excludesToJson(update.excludes),
        schedule: update.schedule === undefined ? row.schedule : objectOrNullToJson(update.schedule, 'schedule'),
        retention: update.retention === undefined ? row.retention : objectOrNullToJson(update.retention, 'retention'),
        paused_until:
          update.pausedUntil === undefined
            ? row.paused_until
            : optionalTimestamp(update.pausedUntil, 'paused-until time'),
        paused_until_resumed:
          update.pausedUntilResumed === undefined ? row.paused_until_resumed : update.pausedUntilResumed ? 1 : 0,
        only_when_idle: update.onlyWhenIdle === undefined ? row.only_when_idle : update.onlyWhenIdle ? 1 : 0,
        avoid_metered_network:
          update.avoidMeteredNetwork === undefined ? row.avoid_metered_network : update.avoidMeteredNetwork ? 1 : 0,
      };
      this.write(
        () => this.stmt.updateSource.run(next),
        () => `${next.path} is already a source of this repository`,
      );
      return sourceFromRow(next);
    })();
  }

  removeSource(id: number): void {
    const result = this.write(() => this.stmt.removeSource.run(id));
    if (result.changes === 0) throw new CairnError('not-found', `source ${id} is not in the catalog`);
  }

  // ------------------------------------------------------------------------------------------
  // Tasks

  createTask(input: NewTask): TaskRecord {
    const status = input.status ?? 'queued';
    if (status !== 'queued' && status !== 'running') {
      throw new CairnError('invalid-argument', `a new task must be queued or running (got ${JSON.stringify(status)})`);
    }
    const now = nowIso();
    const row: TaskRow = {
      id: input.id === undefined ? randomUUID() : requireText(input.id, 'task id'),
      kind: requireText(input.kind, 'task kind'),
      status,
      repository_id: input.repositoryId == null ? null : requireText(input.repositoryId, 'task repository id'),
      created_at: now,
      started_at: status === 'running' ? now : null,
      finished_at: null,
      progress: null,
      messages: '[]',
      error: null,
      result: null,
    };
    this.write(
      () => this.stmt.createTask.run(row),
      () => `a task with id ${row.id} already exists`,
    );
    return taskFromRow(row);
  }

  getTask(id: string): TaskRecord | undefined {
    const row = this.stmt.getTask.get(id);
    return row && taskFromRow(row);
  }

  updateTask(id: string, update: TaskUpdate): TaskRecord {
    return this.db.transaction(() => {
      const row = this.stmt.getTask.get(id);
      if (!row) throw new CairnError('not-found', `task ${id} is not in the catalog`);
      const current = row.status as TaskStatus;
      const next: TaskRow = { ...row };
      if (update.status !== undefined) {
        const status = requireTaskStatus(update.status);
        if (status !== current && FINAL_TASK_STATUSES.includes(current)) {
          throw new CairnError(
            'invalid-argument',
            `task ${id} has already finished (${current}); its status cannot change`,
          );
        }
        next.status = status;
        const now = nowIso();
        if (status === 'running' && next.started_at === null) next.started_at = now;
        if (FINAL_TASK_STATUSES.includes(status) && next.finished_at === null) next.finished_at = now;
      }
      if (update.startedAt !== undefined) next.started_at = optionalTimestamp(update.startedAt, 'task start time');
      if (update.finishedAt !== undefined) next.finished_at = optionalTimestamp(update.finishedAt, 'task finish time');
      if (update.progress !== undefined) {
        next.progress = update.progress === null ? null : toJson(update.progress, 'task progress');
      }
      if (update.result !== undefined)
        next.result = update.result === null ? null : toJson(update.result, 'task result');
      if (update.error !== undefined)
        next.error = update.error === null ? null : requireText(update.error, 'task error');
      if (update.messages !== undefined) {
        if (!Array.isArray(update.messages)) throw new CairnError('invalid-argument', 'task messages must be a list');
        const added = update.messages.map(requireTaskMessage);
        next.messages = JSON.stringify([...taskFromRow(row).messages, ...added]);
      }
      this.write(() => this.stmt.updateTask.run(next));
      return taskFromRow(next);
    })();
  }

  /** Tasks newest first, optionally of one kind and/or status. */
  listTasks(query: TaskQuery = {}): TaskRecord[] {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TASK_LIST) {
      throw new CairnError('invalid-argument', `task list limit must be a whole number from 1 to ${MAX_TASK_LIST}`);
    }
    const rows = this.stmt.listTasks.all({
      kind: query.kind ?? null,
      status: query.status === undefined ? null : requireTaskStatus(query.status),
      limit,
    });
    return rows.map(taskFromRow);
  }

  /**
   * Marks tasks still queued, running or cancelling — left so by a process that stopped — as
   * failed. Called by open(); returns how many tasks it changed.
   */
  markInterruptedTasks(): number {
    return this.write(() => this.stmt.markInterrupted.run({ error: INTERRUPTED_TASK_ERROR, finished_at: nowIso() }))
      .changes;
  }

  /**
   * Erasure of a path: passes each task's stored messages (JSON), error and result (JSON) through
   * `redact`; then rewrites the file and truncates its log (always: text deleted earlier may
   * linger in free pages too), so no old text survives.
   */
  redactTasks(redact: (row: Pick<TaskRow, 'messages' | 'error' | 'result'>) => typeof row | undefined): number {
    const rows = this.db.prepare<[], TaskRow>('SELECT * FROM tasks').all();
    const update = this.db.prepare(
      'UPDATE tasks SET messages = @messages, error = @error, result = @result WHERE id = @id',
    );
    const changed = rows.flatMap((row) => {
      const next = redact({ messages: row.messages, error: row.error, result: row.result });
      return next ? [{ ...next, id: row.id }] : [];
    });
    this.write(() =>
      this.db.transaction(() => {
        for (const row of changed) update.run(row);
      })(),
    );
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return changed.length;
  }

  /**
   * Erasure of everything: deletes every row of every table (the schema stays), then rewrites
   * the database file and truncates its write-ahead log, so no deleted row survives in free pages.
   */
  wipe(): void {
    const tables = this.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((t) => t.name);
    this.db.pragma('foreign_keys = OFF');
    this.write(() =>
      this.db.transaction(() => {
        for (const name of tables) this.db.prepare(`DELETE FROM "${name.replace(/"/g, '""')}"`).run();
      })(),
    );
    this.db.pragma('foreign_keys = ON');
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  // ------------------------------------------------------------------------------------------

  private requireRepositoryRow(id: string): RepositoryRow {
    const row = this.stmt.getRepository.get(id);
    if (!row) throw new CairnError('not-found', `repository ${id} is not in the catalog`);
    return row;
  }

  private write<R>(fn: () => R, unique?: () => string): R {
    try {
      return fn();
    } catch (err) {
      throw statementError(err, unique);
    }
  }
}

export type {
  JsonObject,
  JsonValue,
  RepositoryRecord,
  SourceRecord,
  TaskMessage,
  TaskRecord,
  TaskStatus,
} from './records.js';
