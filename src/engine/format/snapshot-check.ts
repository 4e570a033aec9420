/**
 * The shape check of a decoded snapshot document. A snapshot is authenticated, but it can still
 * come from a faulty writer (or a writer with the keys): every field a reader uses (sorting by
 * time, walking the tree, showing the summary) must have its declared type, or listing the
 * recovery points would fail with a TypeError instead of naming the damaged one.
 * `version` is not checked (docs/repository-format.md §12: readers do not check it yet).
 */
import { isId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import type { Snapshot } from './snapshot.js';

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isTime(value: unknown): value is string {
  return typeof value === 'string' && Number.isFinite(Date.parse(value));
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

function isIdString(value: unknown): value is string {
  return typeof value === 'string' && isId(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Summary figures are shown, never computed with: each must be a number when present. */
function isSummary(value: unknown): boolean {
  return isObject(value) && Object.values(value).every(isCount);
}

function isErasure(value: unknown): boolean {
  return isObject(value) && isString(value.request) && isIdString(value.original) && isTime(value.time);
}

function isRepair(value: unknown): boolean {
  return (
    isObject(value) &&
    isIdString(value.original) &&
    isTime(value.time) &&
    isCount(value.removedFiles) &&
    isCount(value.emptiedFolders)
  );
}

/** The first field of `doc` without its declared type, or undefined when every one has it. */
function badField(doc: Fields): string | undefined {
  const checks: [string, boolean][] = [
    ['time', isTime(doc.time)],
    ['hostname', isString(doc.hostname)],
    ['username', isString(doc.username)],
    ['paths', isStringList(doc.paths)],
    ['tags', isStringList(doc.tags)],
    ['tree', isIdString(doc.tree)],
    ['parent', doc.parent === undefined || isIdString(doc.parent)],
    ['summary', isSummary(doc.summary)],
    ['partial', typeof doc.partial === 'boolean'],
    ['warnings', isStringList(doc.warnings)],
    ['program', isString(doc.program)],
    ['erasures', doc.erasures === undefined || (Array.isArray(doc.erasures) && doc.erasures.every(isErasure))],
    ['repaired', doc.repaired === undefined || isRepair(doc.repaired)],
    ['audit', doc.audit === undefined || isAuditAnchor(doc.audit)],
  ];
  return checks.find(([, ok]) => !ok)?.[0];
}

function isAuditAnchor(value: unknown): boolean {
  if (!isObject(value)) return false;
  const hex = (v: unknown, n: number) => typeof v === 'string' && new RegExp(`^[0-9a-f]{${n}}$`).test(v);
  return hex(value.trail, 32) && hex(value.mac, 64) && Number.isInteger(value.count) && (value.count as number) >= 0;
}

/** Returns the decoded document as a Snapshot, or throws IntegrityError naming the field at fault. */
export function parseSnapshot(value: unknown, what: string): Snapshot {
  if (!isObject(value)) throw new IntegrityError(`${what} is not a snapshot document`);
  const field = badField(value);
  if (field) throw new IntegrityError(`${what} is malformed: its "${field}" field is missing or invalid`);
  return value as unknown as Snapshot;
}
