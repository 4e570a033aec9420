/** Runs the backend conformance suite against MemoryBackend. */
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/engine/backend/memory.js';
import { runBackendConformance } from './conformance.js';

runBackendConformance('MemoryBackend', async () => ({ backend: new MemoryBackend(), cleanup: async () => {} }));

describe('MemoryBackend', () => {
  it('names its location memory:', () => {
    expect(new MemoryBackend().location).toBe('memory:');
  });

  it('keeps separate instances apart', async () => {
    const a = new MemoryBackend();
    const b = new MemoryBackend();
    await a.save({ kind: 'config', id: 'config' }, Buffer.from('a'));
    expect(await a.exists()).toBe(true);
    expect(await b.exists()).toBe(false);
  });
});
