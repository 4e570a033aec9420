/**
 * MemoryBackend: a repository held in a Map, for tests. It follows the same contract as the real
 * backends; buffers are copied on save and on load so callers can never change stored bytes.
 * It refuses loads above the caller's `maxLength` as LocalBackend does, so tests over it
 * meet the same limits.
 */

import { assertRange, assertValidKind, assertValidRef, describeRef } from './refs.js';
import { assertWithinLimit } from './size-limit.js';
import {
  type Backend,
  BackendError,
  type LoadOptions,
  type ObjectInfo,
  type ObjectKind,
  type ObjectRef,
  type SaveOptions,
  type StagedObject,
} from './types.js';

export class MemoryBackend implements Backend {
  readonly location = 'memory:';
  private readonly objects = new Map<string, Buffer>();

  async save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[], options?: SaveOptions): Promise<void> {
    const key = keyOf(ref);
    if (!options?.overwrite && this.objects.has(key)) {
      throw new BackendError('exists', `${describeRef(ref)} already exists`);
    }
    this.objects.set(key, Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Uint8Array));
  }

  async load(ref: ObjectRef, range?: { offset: number; length: number }, options: LoadOptions = {}): Promise<Buffer> {
    const stored = this.get(ref);
    if (!range) {
      assertWithinLimit(ref, stored.length, options.maxLength);
      return Buffer.from(stored);
    }
    assertRange(ref, stored.length, range);
    assertWithinLimit(ref, range.offset + range.length, options.maxLength, true);
    return Buffer.from(stored.subarray(range.offset, range.offset + range.length));
  }

  async stat(ref: ObjectRef): Promise<{ size: number }> {
    return { size: this.get(ref).length };
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    assertValidKind(kind);
    const prefix = `${kind}/`;
    // A snapshot of the entries, so saves and removes during the listing do not disturb it.
    for (const [key, data] of [...this.objects]) {
      if (key.startsWith(prefix)) yield { kind, id: key.slice(prefix.length), size: data.length };
    }
  }

  async remove(ref: ObjectRef): Promise<void> {
    this.objects.delete(keyOf(ref));
  }

  async stage(kind: ObjectKind): Promise<StagedObject> {
    assertValidKind(kind);
    let parts: Buffer[] | undefined = [];
    const take = (): Buffer[] => {
      if (!parts) throw new BackendError('io', `this staged ${kind} object was already committed or discarded`);
      return parts;
    };
    return {
      append: async (data) => {
        const held = take();
        for (const part of Array.isArray(data) ? data : [data]) held.push(Buffer.from(part as Uint8Array));
      },
      commit: async (id) => {
        const whole = Buffer.concat(take());
        parts = undefined;
        await this.save({ kind, id }, whole);
      },
      discard: async () => {
        parts = undefined;
      },
    };
  }

  async exists(): Promise<boolean> {
    return this.objects.has('config/config');
  }

  async create(): Promise<void> {
    if (await this.exists()) throw new BackendError('exists', 'a Cairn repository already exists at memory:');
  }

  async close(): Promise<void> {
    // Nothing to release; the objects stay so a test can reopen the same backend.
  }

  private get(ref: ObjectRef): Buffer {
    const stored = this.objects.get(keyOf(ref));
    if (!stored) throw new BackendError('not-found', `${describeRef(ref)} does not exist`);
    return stored;
  }
}

function keyOf(ref: ObjectRef): string {
  assertValidRef(ref);
  return `${ref.kind}/${ref.id}`;
}
