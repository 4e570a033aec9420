/**
 * Refusing an object larger than the caller allows (`load`'s `maxLength`), before any of its
 * bytes are read or allocated: what a backend does with the cap the repository passes in
 * (src/engine/format/limits.ts says how large each kind of object can legitimately be).
 */
import { describeRef } from './refs.js';
import { BackendError, type ObjectRef } from './types.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Whole numbers of bytes as a person reads them: "64 KiB", "1.5 GiB", "123 bytes". */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 * MiB, 'GiB'],
    [MiB, 'MiB'],
    [KiB, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit} (${bytes} bytes)`;
  }
  return `${bytes} bytes`;
}

/**
 * The error for an object above `limit`, naming the object, its size and the limit; for a
 * ranged read (`rangeEnd`), the end of the range instead of the size.
 */
export function overLimitError(ref: ObjectRef, size: number, limit: number, rangeEnd = false): BackendError {
  const found = rangeEnd ? `would be read up to ${formatBytes(size)}` : `is ${formatBytes(size)}`;
  return new BackendError(
    'invalid-object',
    `${describeRef(ref)} ${found}, more than the ${formatBytes(limit)} a ${ref.kind} object can be: it is damaged or was not written by Cairn`,
  );
}

/** Throws overLimitError when `size` bytes exceed `limit` (no limit: nothing to check). */
export function assertWithinLimit(ref: ObjectRef, size: number, limit: number | undefined, rangeEnd = false): void {
  if (limit !== undefined && size > limit) throw overLimitError(ref, size, limit, rangeEnd);
}
