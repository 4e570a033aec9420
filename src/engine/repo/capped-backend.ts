/**
 * The backend as the repository uses it: every load carries its kind's size cap
 * (format/limits.ts), so that an object larger than Cairn could have written — damage, or a file
 * planted to exhaust memory — is refused before any of its bytes are read. The backend itself
 * knows no format; this decorator is where the format's limits meet it.
 */
import type { Backend, LoadOptions, ObjectKind, ObjectRef } from '../backend/types.js';
import { OBJECT_SIZE_CAPS } from '../format/limits.js';

/** `backend` with each load capped at its kind's size cap (or a smaller `maxLength` given). */
export function withSizeCaps(backend: Backend): Backend {
  if (capped.has(backend)) return backend;
  const load = (ref: ObjectRef, range?: { offset: number; length: number }, options: LoadOptions = {}) =>
    backend.load(ref, range, {
      ...options,
      maxLength: Math.min(options.maxLength ?? Number.POSITIVE_INFINITY, OBJECT_SIZE_CAPS[ref.kind]),
    });
  // Every member of the backend, the optional ones only where the backend has them, with `load` capped.
  const wrapped: Backend = {
    location: backend.location,
    save: (ref, data, options) => backend.save(ref, data, options),
    load,
    stat: (ref) => backend.stat(ref),
    list: (kind: ObjectKind) => backend.list(kind),
    remove: (ref) => backend.remove(ref),
    stage: (kind) => backend.stage(kind),
    exists: () => backend.exists(),
    create: () => backend.create(),
    close: () => backend.close(),
    ...(backend.shred ? { shred: (ref: ObjectRef) => backend.shred?.(ref) ?? Promise.resolve() } : {}),
    ...(backend.cleanTemporaryFiles
      ? {
          cleanTemporaryFiles: (olderThanMs: number, now?: number) =>
            backend.cleanTemporaryFiles?.(olderThanMs, now) ?? Promise.resolve(0),
        }
      : {}),
    ...(backend.destroy ? { destroy: () => backend.destroy?.() ?? Promise.resolve() } : {}),
    ...(backend.reportedRegion
      ? { reportedRegion: () => backend.reportedRegion?.() ?? Promise.resolve(undefined) }
      : {}),
    ...(backend.interruptRetries ? { interruptRetries: () => backend.interruptRetries?.() } : {}),
    ...(backend.listSync ? { listSync: (kind: ObjectKind) => backend.listSync?.(kind) ?? [] } : {}),
    ...(backend.loadSync
      ? {
          loadSync: (ref: ObjectRef, options: LoadOptions = {}) => {
            const maxLength = Math.min(options.maxLength ?? Number.POSITIVE_INFINITY, OBJECT_SIZE_CAPS[ref.kind]);
            return (backend.loadSync as NonNullable<Backend['loadSync']>)(ref, { ...options, maxLength });
          },
        }
      : {}),
  };
  capped.add(wrapped);
  return wrapped;
}

const capped = new WeakSet<Backend>();
