/**
 * The catalog's record types (camelCase, as the rest of Cairn sees them), the mapping between
 * them and SQLite rows (snake_case, JSON in TEXT columns), and validation of values SQL would
 * store but that are wrong. All row ↔ object conversion lives here.
 */
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface RepositoryRecord {
  /** The repository id from its config. */
  id: string;
  location: string;
  label: string;
  region: string;
  addedAt: string;
  lastBackupAt: string | null;
  lastCheckAt: string | null;
}

export interface SourceRecord {
  id: number;
  repositoryId: string;
  path: string;
  excludes: string[];
  schedule: JsonObject | null;
  retention: JsonObject | null;
  /** No scheduled backup starts before this time (null: no timed pause). */
  pausedUntil: string | null;
  /** No scheduled backup starts until someone resumes the source (then pausedUntil is null). */
  pausedUntilResumed: boolean;
  /** Scheduled backups start only while the computer is idle. */
  onlyWhenIdle: boolean;
  /** Scheduled backups wait while the connection is metered. */
  avoidMeteredNetwork: boolean;
  createdAt: string;
}

export const TASK_STATUSES = ['queued', 'running', 'cancelling', 'cancelled', 'succeeded', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['cancelled', 'succeeded', 'failed'];

export interface TaskMessage {
  at: string;
  level: 'info' | 'warning' | 'error';
  text: string;
}

export interface TaskRecord {
  id: string;
  kind: string;
  status: TaskStatus;
  repositoryId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: JsonValue | null;
  messages: TaskMessage[];
  error: string | null;
  result: JsonValue | null;
}

export interface RepositoryRow {
  id: string;
  location: string;
  label: string;
  region: string;
  added_at: string;
  last_backup_at: string | null;
  last_check_at: string | null;
}

export interface SourceRow {
  id: number;
  repository_id: string;
  path: string;
  excludes: string;
  schedule: string | null;
  retention: string | null;
  paused_until: string | null;
  paused_until_resumed: number;
  only_when_idle: number;
  avoid_metered_network: number;
  created_at: string;
}

export interface TaskRow {
  id: string;
  kind: string;
  status: string;
  repository_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  progress: string | null;
  messages: string;
  error: string | null;
  result: string | null;
}

// ---------------------------------------------------------------------------------------------
// Rows → records

/** Parses a JSON column; a damaged value is reported with where it was found. */
export function parseJson(text: string, where: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new CairnError('integrity', `the catalog's ${where} is not valid JSON`, { cause: err });
  }
}

function parseNullableJson(text: string | null, where: string): JsonValue | null {
  return text === null ? null : parseJson(text, where);
}

function parseNullableObject(text: string | null, where: string): JsonObject | null {
  const value = parseNullableJson(text, where);
  if (value !== null && !isPlainObject(value)) {
    throw new CairnError('integrity', `the catalog's ${where} is not a JSON object`);
  }
  return value as JsonObject | null;
}

export function repositoryFromRow(row: RepositoryRow): RepositoryRecord {
  return {
    id: row.id,
    location: row.location,
    label: row.label,
    region: row.region,
    addedAt: row.added_at,
    lastBackupAt: row.last_backup_at,
    lastCheckAt: row.last_check_at,
  };
}

export function sourceFromRow(row: SourceRow): SourceRecord {
  const where = `source ${row.id}`;
  const excludes = parseJson(row.excludes, `${where} excludes`);
  if (!Array.isArray(excludes) || !excludes.every((e) => typeof e === 'string')) {
    throw new CairnError('integrity', `the catalog's ${where} excludes are not a list of patterns`);
  }
  return {
    id: row.id,
    repositoryId: row.repository_id,
    path: row.path,
    excludes,
    schedule: parseNullableObject(row.schedule, `${where} schedule`),
    retention: parseNullableObject(row.retention, `${where} retention`),
    pausedUntil: row.paused_until,
    pausedUntilResumed: row.paused_until_resumed === 1,
    onlyWhenIdle: row.only_when_idle === 1,
    avoidMeteredNetwork: row.avoid_metered_network === 1,
    createdAt: row.created_at,
  };
}

export function taskFromRow(row: TaskRow): TaskRecord {
  const where = `task ${row.id}`;
  const messages = parseJson(row.messages, `${where} messages`);
  if (!Array.isArray(messages)) {
    throw new CairnError('integrity', `the catalog's ${where} messages are not a list`);
  }
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as TaskStatus,
    repositoryId: row.repository_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    progress: parseNullableJson(row.progress, `${where} progress`),
    messages: messages as unknown as TaskMessage[],
    error: row.error,
    result: parseNullableJson(row.result, `${where} result`),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation of inputs (records → rows)

function invalid(message: string): CairnError {
  return new CairnError('invalid-argument', message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A non-empty string without NUL characters; surrounding white space is refused, not trimmed. */
export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${what} must not be empty`);
  if (value.includes('\0')) throw invalid(`${what} must not contain NUL characters`);
  return value;
}

/** An ISO-8601 timestamp, stored normalized (UTC, milliseconds) so that text order is time order. */
export function requireTimestamp(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalid(
      `${what} must be an ISO-8601 date and time such as 2026-01-31T12:00:00Z (got ${JSON.stringify(value)})`,
    );
  }
  return new Date(value).toISOString();
}

export function optionalTimestamp(value: string | null, what: string): string | null {
  return value === null ? null : requireTimestamp(value, what);
}

export function requireAbsolutePath(value: unknown, what: string): string {
  const text = requireText(value, what);
  if (!path.isAbsolute(text)) throw invalid(`${what} must be an absolute path (got ${JSON.stringify(text)})`);
  return text;
}

/** Serializes a value that must survive a JSON round trip unchanged. */
export function toJson(value: unknown, what: string): string {
  const seen = new Set<unknown>();
  const check = (v: unknown, at: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw invalid(`${what}${at} must be a finite number`);
      return;
    }
    if (typeof v !== 'object') throw invalid(`${what}${at} cannot be stored as JSON (it is a ${typeof v})`);
    if (seen.has(v)) throw invalid(`${what}${at} refers to itself and cannot be stored as JSON`);
    seen.add(v);
    if (Array.isArray(v)) for (const [i, item] of v.entries()) check(item, `${at}[${i}]`);
    else if (isPlainObject(v)) for (const [k, item] of Object.entries(v)) check(item, `${at}.${k}`);
    else throw invalid(`${what}${at} must be plain JSON data (got a ${v.constructor?.name ?? 'object'})`);
    seen.delete(v);
  };
  check(value, '');
  return JSON.stringify(value);
}

export function objectOrNullToJson(value: unknown, what: string): string | null {
  if (value === null) return null;
  if (!isPlainObject(value)) throw invalid(`${what} must be an object or null`);
  return toJson(value, what);
}

export function excludesToJson(value: unknown): string {
  if (!Array.isArray(value)) throw invalid('excludes must be a list of patterns');
  for (const [i, pattern] of value.entries()) requireText(pattern, `exclude pattern ${i + 1}`);
  return JSON.stringify(value);
}

export function requireTaskStatus(value: unknown): TaskStatus {
  if (!TASK_STATUSES.includes(value as TaskStatus)) {
    throw invalid(`task status must be one of ${TASK_STATUSES.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as TaskStatus;
}

export function requireTaskMessage(value: unknown): TaskMessage {
  if (!isPlainObject(value)) throw invalid('a task message must be an object with at, level and text');
  const { at, level, text } = value;
  if (level !== 'info' && level !== 'warning' && level !== 'error') {
    throw invalid(`task message level must be info, warning or error (got ${JSON.stringify(level)})`);
  }
  if (typeof text !== 'string' || text === '') throw invalid('task message text must not be empty');
  return { at: requireTimestamp(at, 'task message time'), level, text };
}
