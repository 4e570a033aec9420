/**
 * wrapRemote's order: a cache hit reaches nothing below it; a transient failure is retried; each
 * retry goes through the limits again (a re-sent save pays for its bytes again); the default of
 * four connections holds when the user set none.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBackend } from './memory.js';
import { DEFAULT_REMOTE_CONNECTIONS, wrapRemote } from './remote-stack.js';
import type { RetryInfo } from './retrying-backend.js';
import { BackendError, type ObjectKind, type ObjectRef } from './types.js';

const refOf = (kind: ObjectKind, bytes: Uint8Array): ObjectRef => ({
  kind,
  id: createHash('sha256').update(bytes).digest('hex'),
});

/** A MemoryBackend that counts calls and in-flight loads, and fails the next `failSaves` saves transiently. */
class RemoteLike extends MemoryBackend {
  calls = 0;
  running = 0;
  most = 0;
  failSaves = 0;
  slowLoads = false;

  override async save(ref: ObjectRef, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    this.calls++;
    if (this.failSaves > 0) {
      this.failSaves--;
      throw new BackendError('unavailable', 'storage.example: connection reset');
    }
    return super.save(ref, data);
  }

  override async load(ref: ObjectRef, range?: { offset: number; length: number }): Promise<Buffer> {
    this.calls++;
    this.running++;
    this.most = Math.max(this.most, this.running);
    try {
      if (this.slowLoads) await new Promise((resolve) => setTimeout(resolve, 2));
      return await super.load(ref, range);
    } finally {
      this.running--;
    }
  }
}

describe('wrapRemote', () => {
  let dir: string;
  let remote: RemoteLike;
  let now: number;
  const sleep = async (ms: number) => {
    now += ms;
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-remote-stack-'));
    remote = new RemoteLike();
    now = 0;
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers a cache hit without a call to the storage', async () => {
    const backend = wrapRemote(remote, { cacheDir: dir, transfer: { downloadKiBps: 1 }, sleep, clock: () => now });
    const bytes = randomBytes(40 * 1024);
    const ref = refOf('snapshots', bytes);
    await remote.save(ref, bytes);
    remote.calls = 0;
    await backend.load(ref);
    const paid = now;
    expect(paid).toBeGreaterThan(0);
    await backend.load(ref);
    expect(remote.calls).toBe(1);
    // No tokens taken for the hit either.
    expect(now).toBe(paid);
  });

  it('retries a transient failure, each attempt paying the upload limit again', async () => {
    const retries: RetryInfo[] = [];
    const backend = wrapRemote(remote, {
      transfer: { uploadKiBps: 64 },
      onRetry: (info) => retries.push(info),
      sleep,
      random: () => 0,
      clock: () => now,
    });
    remote.failSaves = 2;
    const bytes = randomBytes(128 * 1024);
    await backend.save(refOf('index', bytes), bytes);
    expect(retries.map((r) => [r.operation, r.attempt])).toEqual([
      ['save', 1],
      ['save', 2],
    ]);
    // Three sendings of 2 s of bytes each, less the half second the bucket holds at the start;
    // the retries' pauses are 0 (random() = 0).
    expect(now).toBe(5500);
    expect(remote.calls).toBe(3);
  });

  it(`runs at most ${DEFAULT_REMOTE_CONNECTIONS} requests at once when the user set no number`, async () => {
    const backend = wrapRemote(remote);
    remote.slowLoads = true;
    const refs: ObjectRef[] = [];
    for (let i = 0; i < 12; i++) {
      const bytes = Buffer.from(`pack ${i}`);
      refs.push(refOf('data', bytes));
      await remote.save(refs[i] as ObjectRef, bytes);
    }
    await Promise.all(refs.map((ref) => backend.load(ref)));
    expect(remote.most).toBe(DEFAULT_REMOTE_CONNECTIONS);
  });
});
