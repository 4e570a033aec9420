/**
 * Object names shared by every backend: validates an ObjectRef before it touches storage
 * (so a crafted id can never name a path or key outside the repository) and describes it for
 * error messages.
 */
import { BackendError, OBJECT_KINDS, type ObjectKind, type ObjectRef } from './types.js';

const HEX_ID = /^[0-9a-f]{64}$/;

/** True when `id` is a valid name for an object of `kind`. */
export function isValidId(kind: ObjectKind, id: string): boolean {
  return kind === 'config' ? id === 'config' : HEX_ID.test(id);
}

/** Throws BackendError 'io' ("invalid object id") unless the ref names a valid object. */
export function assertValidRef(ref: ObjectRef): void {
  assertValidKind(ref.kind);
  if (typeof ref.id !== 'string' || !isValidId(ref.kind, ref.id)) {
    const shown = JSON.stringify(String(ref.id).slice(0, 80));
    throw new BackendError('io', `invalid object id ${shown} for kind '${ref.kind}'`);
  }
}

export function assertValidKind(kind: ObjectKind): void {
  if (!OBJECT_KINDS.includes(kind)) {
    throw new BackendError('io', `invalid object kind ${JSON.stringify(String(kind).slice(0, 40))}`);
  }
}

/** A short human description, e.g. "the repository config" or "data object 3fa2…". */
export function describeRef(ref: ObjectRef): string {
  return ref.kind === 'config' ? 'the repository config' : `${ref.kind} object ${ref.id}`;
}

/** Checks a ranged read against the object's size; throws BackendError 'range' when it does not fit. */
export function assertRange(ref: ObjectRef, size: number, range: { offset: number; length: number }): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new BackendError('range', `invalid range (offset ${offset}, length ${length}) for ${describeRef(ref)}`);
  }
  if (offset + length > size) {
    throw new BackendError(
      'range',
      `cannot read ${length} bytes at offset ${offset} of ${describeRef(ref)}: it holds only ${size} bytes`,
    );
  }
}
