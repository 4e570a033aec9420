/**
 * The wrappers that make remote storage usable (src/engine/backend: retrying, throttled, metadata
 * cache, and wrapRemote's whole stack) keep the backend contract: the conformance suite over each
 * of them around a MemoryBackend and a LocalBackend. Limits are set high, so the throttle cuts
 * and paces every write for real without making the suite slow.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { MemoryBackend } from '../../src/engine/backend/memory.js';
import { withMetadataCache } from '../../src/engine/backend/metadata-cache.js';
import { wrapRemote } from '../../src/engine/backend/remote-stack.js';
import { retryingBackend } from '../../src/engine/backend/retrying-backend.js';
import { throttledBackend } from '../../src/engine/backend/throttled-backend.js';
import type { Backend } from '../../src/engine/backend/types.js';
import { runBackendConformance } from './conformance.js';

/** About 1 GiB/s each way, in pieces of 1 MiB, and two connections. */
const TRANSFER = { uploadKiBps: 1024 * 1024, downloadKiBps: 1024 * 1024, connections: 2 };

const WRAPPERS: [string, (inner: Backend, scratch: string) => Backend][] = [
  ['retryingBackend', (inner) => retryingBackend(inner)],
  ['throttledBackend', (inner) => throttledBackend(inner, TRANSFER)],
  ['withMetadataCache', (inner, scratch) => withMetadataCache(inner, path.join(scratch, 'cache'))],
  ['wrapRemote', (inner, scratch) => wrapRemote(inner, { transfer: TRANSFER, cacheDir: path.join(scratch, 'cache') })],
];

for (const [name, wrap] of WRAPPERS) {
  runBackendConformance(`${name} over MemoryBackend`, async () => {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-wrappers-'));
    return {
      backend: wrap(new MemoryBackend(), scratch),
      cleanup: () => fs.rm(scratch, { recursive: true, force: true }),
    };
  });

  runBackendConformance(`${name} over LocalBackend`, async () => {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-wrappers-'));
    return {
      backend: wrap(new LocalBackend(path.join(scratch, 'repo')), scratch),
      cleanup: () => fs.rm(scratch, { recursive: true, force: true }),
    };
  });
}
